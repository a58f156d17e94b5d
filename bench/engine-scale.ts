/**
 * The engine alone, in this process, on a generated site of 10,000 checks
 * (+100 sequences): reading and validating the file and opening the
 * database, scheduling every check, and one live edit through Site.mutate
 * (validate → atomic save → reschedule, the path every UI/API edit takes).
 * Checks are scheduled but not run. The phases of the CLI figure in
 * cli-scale.ts; RSS here includes tsx and is only indicative.
 * Run: node --import tsx bench/engine-scale.ts [checks]
 */
import { openSite } from '../src/wiring.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { putCheck } from '../src/config/edits.ts';
import { tempDir } from '../test/servers/common.ts';
import { generateSite } from './gen-site.ts';
import { dist, emit, figure, median, round } from './lib/report.ts';

const N = Number(process.argv[2] ?? process.env.CHECKS ?? 10_000);
const t = tempDir('sw-bench-engine-');
const path = join(t.dir, 'site.json');
writeFileSync(path, JSON.stringify(generateSite(N)));
const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
const site = await openSite({ configPath: path });
const t1 = performance.now();
// keep the checks from running during the measurement: schedule only
site.runner.run = () => Promise.resolve(null);
await site.start();
const t2 = performance.now();
const scheduled = site.scheduler.size();
global.gc?.();
const rss = process.memoryUsage().rss;
const edits: number[] = [];
for (let i = 0; i < 22; i++) {
  const a = performance.now();
  const raw = (site.loaded.doc.checks as Record<string, Record<string, unknown>>)[`check-${i}`];
  const r = await site.mutate((doc) => putCheck(doc, `check-${i}`, { ...raw, threshold: 5 }));
  if (!r.ok) throw new Error(JSON.stringify(r.issues.slice(0, 3)));
  if (i >= 2) edits.push(performance.now() - a);
}
await site.stop();
t.cleanup();
emit(
  'engine-scale',
  [
    figure({
      key: 'open_ms',
      figure: `engine: read + validate + open, ${N.toLocaleString('en')} checks`,
      target: 'report',
      value: Math.round(t1 - t0),
      unit: 'ms',
      better: 'lower',
      limit: null,
    }),
    figure({
      key: 'schedule_ms',
      figure: `engine: schedule ${N.toLocaleString('en')} checks`,
      target: 'report',
      value: Math.round(t2 - t1),
      unit: 'ms',
      better: 'lower',
      limit: null,
    }),
    figure({
      key: 'mutate_ms',
      figure: `engine: one edit (Site.mutate: validate, save, reschedule), ${N.toLocaleString('en')} checks (median)`,
      target: 'report',
      value: round(median(edits)),
      unit: 'ms',
      better: 'lower',
      limit: null,
    }),
  ],
  {
    checks: N + N / 100,
    scheduled,
    openMs: Math.round(t1 - t0),
    scheduleMs: Math.round(t2 - t1),
    rssMB: Math.round(rss / 1e6),
    rssDeltaMB: Math.round((rss - rss0) / 1e6),
    mutateMs: dist(edits),
  },
);
