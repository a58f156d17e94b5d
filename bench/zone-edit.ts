/**
 * Issue 23's interface: "an edit through any node is answered only after it
 * is saved locally; it then appears in every other node's API within 2 s".
 * Three in-process nodes of one zone on a real Mosquitto (heartbeat 1 s);
 * EDITS edits of one check through node A (site.mutate, the path the UI and
 * API take), one after the other; each is timed from A's answer to the
 * moment both B and C hold it (the config their API serves). Figures: p50,
 * p99 and max of that time.
 * Run: node --import tsx bench/zone-edit.ts
 */
import { performance } from 'node:perf_hooks';
import { startMosquitto } from '../test/servers/mosquitto.ts';
import { openZoneNode, someChecks, type ZoneNode } from '../test/zone/helpers.ts';
import { putCheck } from '../src/config/edits.ts';
import { rawEntry } from '../src/config/raw.ts';
import { dist, emit, figure } from './lib/report.ts';

const EDITS = Number(process.env.EDITS ?? 30);
const broker = await startMosquitto();
const zone = { name: 'hq', heartbeat: 1, misses: 3, grace: 0, topic: 'swbench/edit' };
const nodes: ZoneNode[] = [];
for (const name of ['a', 'b', 'c']) nodes.push(await openZoneNode(name, broker.port, { zone, checks: someChecks(50) }));
const [a, b, c] = nodes;
const waitFor = async (ok: () => boolean, ms: number, what: string): Promise<void> => {
  const end = performance.now() + ms;
  while (!ok()) {
    if (performance.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
};
const hostOf = (n: ZoneNode): unknown => (rawEntry(n.site.loaded.doc, 'checks', 'web 3')?.options as { hostname?: string } | undefined)?.hostname;
try {
  await waitFor(() => nodes.every((n) => n.zone.view().live.length === 2 && n.zone.configRevision !== null), 30_000, 'the zone formed');
  const times: number[] = [];
  for (let i = 0; i < EDITS; i++) {
    const host = `edit-${i}.test`;
    const r = await a.site.mutate((d) => putCheck(d, 'web 3', { ...(rawEntry(d, 'checks', 'web 3') ?? {}), options: { hostname: host } }));
    if (!r.ok) throw new Error('edit refused');
    const t0 = performance.now();
    await waitFor(() => hostOf(b) === host && hostOf(c) === host, 30_000, `edit ${i} on b and c`);
    times.push(performance.now() - t0);
  }
  const d = dist(times, 1);
  emit(
    'zone-edit',
    [
      figure({ key: 'edit_p50_ms', figure: 'zone: edit on A → live on B and C, p50', target: '< 2 s', value: d.p50, unit: 'ms', better: 'lower', limit: 2000 }),
      figure({ key: 'edit_p99_ms', figure: 'zone: edit on A → live on B and C, p99', target: '< 2 s', value: d.p99, unit: 'ms', better: 'lower', limit: 2000 }),
      figure({
        key: 'edit_max_ms',
        figure: 'zone: edit on A → live on B and C, max',
        target: 'report',
        value: d.max,
        unit: 'ms',
        better: 'lower',
        limit: null,
      }),
    ],
    { edits: EDITS, checks: 50, nodes: 3 },
  );
} finally {
  await Promise.all(nodes.map((n) => n.stop()));
  await broker.close();
}
