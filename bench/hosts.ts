/**
 * The hosts view (/hosts, issue 22) with 50 federated hosts among 10,000
 * checks: 50 instances × 6 mirrored host checks (cpu, memory, disk, temp, net,
 * ups — 300 remote checks, each with 6 hours of one-minute runs carrying its
 * level) and 9,700 local checks, 6 of them host checks with 6 hours of
 * one-minute runs with metrics; the history is rolled up into the tiers as a
 * running site does, so each tile reads the 5-minute tier and the last raw
 * runs. Through the web app's request handler (`app.request()`, signed in;
 * no socket). The federation is a table of which instance sent each remote
 * check (what MqttFederation.remoteInfo answers), not a broker: the figure
 * is the page's own cost. Also the cost of one live batch (one check changed:
 * its card only).
 * Run: node --import tsx bench/hosts.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as wiring from '../src/wiring.ts';
import type { RunRecord } from '../src/store/state.ts';
import type { FederationView } from '../src/federation/mqtt.ts';
import { buildWebApp } from '../src/web/app.ts';
import { pages } from '../views/index.ts';
import { fragment } from '../src/web/render.tsx';
import { tempDir } from '../test/servers/common.ts';
import { Agent, fastHash } from '../test/web/helpers.ts';
import { dist, emit, figure, median, note, round } from './lib/report.ts';

const HOSTS = Number(process.env.HOSTS ?? 50);
const CHECKS = Number(process.env.CHECKS ?? 10_000);
const TYPES = ['cpu', 'memory', 'disk', 'temp', 'net', 'ups'];
const REQUESTS = 15;
const now = Date.now();

const t = tempDir('sw-bench-hosts-');
const configPath = join(t.dir, 'site.json');
const checks: Record<string, unknown> = {};
const owner = new Map<string, string>();
for (let h = 0; h < HOSTS; h++)
  for (const ty of TYPES) {
    checks[`h${h}-${ty}`] = { type: 'remote', subType: ty, options: {} };
    owner.set(`h${h}-${ty}`, `host-${h}`);
  }
checks['local-cpu'] = { type: 'cpu', options: {} };
checks['local-memory'] = { type: 'memory', options: {} };
checks['local-disk'] = { type: 'disk', options: { volume: '/' } };
checks['local-net'] = { type: 'net', options: { interface: 'lo' } };
checks['local-temp'] = { type: 'temp', options: {} };
checks['local-ups'] = { type: 'ups', options: { upsName: 'ups' } };
for (let i = Object.keys(checks).length; i < CHECKS; i++) checks[`svc-${i}`] = { type: 'tcp', options: { hostname: '127.0.0.1', port: 1 } };
writeFileSync(
  configPath,
  JSON.stringify({ webui: { name: 'Bench', hostname: '127.0.0.1', port: 1, cert: null, key: null, users: { admin: await fastHash('bench-pass-1') } }, checks }),
);
const site = await wiring.openSite({ configPath, migrations: wiring.migrations() });
let seed = 1;
const rand = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
const MIN = 60_000;
for (const name of Object.keys(checks)) {
  const remote = owner.has(name);
  if (!remote && !name.startsWith('local-')) continue;
  const runs: RunRecord[] = [];
  for (let k = 360; k > 0; k--) {
    const v = Math.round(rand() * 1000) / 10;
    runs.push({
      t: now - k * MIN,
      fail: false,
      durationMs: 3,
      level: `${v}%`,
      softFail: null,
      metrics: remote ? [] : [{ name: 'used_percent', value: v, unit: '%' }],
    });
  }
  site.store.appendRuns(name, runs);
}
for (let i = 0; i < 1_000_000 && site.store.rollupStep(now); i++);
note(`history written and rolled up (watermark ${new Date(site.store.rolledUntil() ?? 0).toISOString()})`);
site.runner.run = () => Promise.resolve(null);
await site.start();
const federation = {
  isRunning: true,
  connected: true,
  instance: 'hub',
  remoteInfo: (name: string) => ({ instance: owner.get(name) ?? null, offline: null, topic: null }),
} as unknown as FederationView;
const web = await buildWebApp(wiring.webSiteView(site), { pages, secure: false, federation });
const agent = new Agent(web);
const res = await agent.login('admin', 'bench-pass-1');
if (res.status !== 303) throw new Error(`login: ${res.status}`);

async function once(): Promise<{ ms: number; bytes: number; cards: number }> {
  const a = performance.now();
  const r = await agent.get('/hosts');
  const text = await r.text();
  const ms = performance.now() - a;
  if (r.status !== 200) throw new Error(`/hosts: ${r.status}`);
  return { ms, bytes: text.length, cards: (text.match(/class="card host"/g) ?? []).length };
}
const cold = await once();
const warm: number[] = [];
let last = cold;
for (let i = -2; i < REQUESTS; i++) {
  last = await once();
  if (i >= 0) warm.push(last.ms);
}
if (last.cards !== HOSTS + 1) throw new Error(`expected ${HOSTS + 1} cards, got ${last.cards}`);
const batch: number[] = [];
for (let i = 0; i < REQUESTS; i++) {
  const a = performance.now();
  const html = await fragment(
    site,
    web.deps,
    { kind: 'hosts' },
    { csrf: 'x', operate: false },
    { states: new Set([`h${i % HOSTS}-cpu`]), ran: new Set(), lines: [] },
  );
  batch.push(performance.now() - a);
  if ((html.match(/class="card host"/g) ?? []).length !== 1) throw new Error('a live batch for one check should carry one card');
}
note(
  `${last.cards} cards; cold ${round(cold.ms)} ms; warm ${JSON.stringify(dist(warm))} ms; ${Math.round(last.bytes / 1024)} KiB; one live batch ${JSON.stringify(dist(batch))} ms`,
);
web.close();
await site.stop();
t.cleanup();

emit(
  'hosts',
  [
    figure({
      key: 'hosts_page_ms',
      figure: `hosts view, ${HOSTS} federated hosts among ${CHECKS} checks, server time (median)`,
      target: '< 100 ms',
      value: round(median(warm)),
      unit: 'ms',
      better: 'lower',
      limit: 100,
    }),
    figure({
      key: 'hosts_batch_ms',
      figure: 'hosts view, one live batch (one check changed: its card), render time (median)',
      target: 'report',
      value: round(median(batch)),
      unit: 'ms',
      better: 'lower',
      limit: null,
    }),
  ],
  { hosts: HOSTS, checks: CHECKS, warmMs: dist(warm), coldMs: round(cold.ms), kib: round(last.bytes / 1024), batchMs: dist(batch) },
);
