/**
 * A public status page of 500 checks (10 groups of 50) with 90 days of
 * history (one run every 15 minutes: 8,640 runs a check, 4.3 M in all,
 * 1 % failing), through the web app's request handler (`app.request()`,
 * signed out; no socket). Figures: the first request once the start-up
 * warm-up is done (every check's 90 days are read and drawn in 10 ms slices
 * after the start, and the page rendered once), the median of 15 later
 * requests (the rendered page is kept: src/status-pages/page-cache.ts), the
 * longest event-loop stall during the warm-up, and a request sent the moment
 * the app is built (it waits for the warm-up). The history is rolled up into the tiers and raw
 * runs pruned to the default raw window (24 hours) first, as a running site
 * keeps them, so the days are read from the hourly tier (StateStore.coverage);
 * RAW=1 skips that (every day counted from raw runs, the old path).
 * Run: node --import tsx bench/status-page.ts
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import * as wiring from '../src/wiring.ts';
import type { RunRecord } from '../src/store/state.ts';
import { buildWebApp } from '../src/web/app.ts';
import { pages } from '../views/index.ts';
import { tempDir } from '../test/servers/common.ts';
import { Agent } from '../test/web/helpers.ts';
import { dist, emit, figure, median, note, round } from './lib/report.ts';

const CHECKS = Number(process.env.STATUS_CHECKS ?? 500);
const DAYS = 90;
const STEP = 15 * 60_000;
const REQUESTS = 15;
const now = Date.now();

const t = tempDir('sw-bench-status-');
const configPath = join(t.dir, 'site.json');
const checks: Record<string, unknown> = {};
for (let c = 0; c < CHECKS; c++) checks[`check-${c}`] = { type: 'memory', options: { level: 100 } };
const groups = Array.from({ length: Math.ceil(CHECKS / 50) }, (_, g) => ({
  name: `Group ${g + 1}`,
  checks: Array.from({ length: Math.min(50, CHECKS - g * 50) }, (_, i) => ({ check: `check-${g * 50 + i}`, label: `Service ${g * 50 + i}` })),
}));
writeFileSync(
  configPath,
  JSON.stringify({
    webui: { name: 'Bench', hostname: '127.0.0.1', port: 1, cert: null, key: null, users: {} },
    checks,
    statusPages: [{ slug: 'bench', title: 'Bench status', public: true, groups }],
    // keep the 90 days the bars show (the default, 30, would prune them in the background while the page is measured)
    history: { days: 91 },
  }),
);
const site = await wiring.openSite({ configPath, migrations: wiring.migrations() });

let seed = 1;
const rand = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
const t0 = performance.now();
const per = (DAYS * 86_400_000) / STEP;
for (let c = 0; c < CHECKS; c++) {
  const runs: RunRecord[] = [];
  for (let k = 0; k < per; k++)
    runs.push({ t: now - (per - k) * STEP, fail: rand() < 0.01, durationMs: Math.round(5 + rand() * 50), level: null, softFail: null, metrics: [] });
  site.store.appendRuns(`check-${c}`, runs);
  if (c % 100 === 99) note(`${c + 1} checks written, ${Math.round((performance.now() - t0) / 1000)} s`);
}
if (process.env.RAW !== '1') {
  const a = performance.now();
  for (let i = 0; i < 1_000_000 && site.store.rollupStep(now); i++);
  while (site.store.pruneBatch({ raw: now - 24 * 3_600_000, fiveMinute: now - 3 * 86_400_000, hourly: now - 91 * 86_400_000 }).more);
  note(`rolled up and pruned in ${Math.round((performance.now() - a) / 1000)} s`);
}
site.runner.run = () => Promise.resolve(null);
await site.start();
// the longest the event loop was held while the status pages warm up after the start (slices, src/web/routes/status-pages.tsx)
const loop = monitorEventLoopDelay({ resolution: 5 });
loop.enable();
const w0 = performance.now();
const web = await buildWebApp(wiring.webSiteView(site), { pages, secure: false });
const agent = new Agent(web);

/**
 * One request. `server` is the server time: request in → the Response handed back by the app's outermost
 * middleware, ready for the socket (what @hono/node-server then writes); `ms` adds reading the body back as
 * text on the client side (decoding 4.3 MB of UTF-8: download, not server time).
 */
async function once(headers: Record<string, string> = {}): Promise<{ ms: number; server: number; bytes: number; status: number; etag: string | null }> {
  const a = performance.now();
  const res = await agent.get('/status/bench', headers);
  const server = performance.now() - a;
  const body = await res.arrayBuffer();
  const ms = performance.now() - a;
  if (res.status !== 200 && res.status !== 304) throw new Error(`status page: ${res.status}`);
  return { ms, server, bytes: body.byteLength, status: res.status, etag: res.headers.get('ETag') };
}
// a request the moment the app is built waits for the warm-up (it does not do the same work again)
const immediate = await once();
await web.statusReady;
const warmUp = performance.now() - w0;
loop.disable();
const blocked = loop.max / 1e6;
// the first request once the warm-up is done (a start is seconds before the first visitor)
const cold = await once();
const warm: number[] = [];
const warmServer: number[] = [];
const brServer: number[] = [];
const revalidate: number[] = [];
let bytes = 0;
let brBytes = 0;
let etag: string | null = null;
for (let i = -2; i < REQUESTS; i++) {
  const r = await once();
  bytes = r.bytes;
  etag = r.etag;
  if (i >= 0) {
    warm.push(r.ms);
    warmServer.push(r.server);
  }
  // what a browser asks for: brotli (made once per kept page)
  const b = await once({ 'Accept-Encoding': 'gzip, deflate, br' });
  brBytes = b.bytes;
  if (i >= 0) brServer.push(b.server);
  // a browser revalidating its copy (ETag → 304), when the page sends one
  if (etag) {
    const v = await once({ 'Accept-Encoding': 'gzip, deflate, br', 'If-None-Match': etag });
    if (v.status !== 304) throw new Error(`revalidation: ${v.status}`);
    if (i >= 0) revalidate.push(v.server);
  }
}
note(
  `load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
note(`immediately after start ${round(immediate.ms)} ms (waits for the warm-up: ${round(warmUp)} ms, longest event-loop stall ${round(blocked)} ms)`);
note(
  `first after warm-up ${round(cold.ms)} ms (server ${round(cold.server)} ms); later, server time ${JSON.stringify(dist(warmServer))} ms, with reading the body ${JSON.stringify(dist(warm))} ms; ${Math.round(bytes / 1024)} KiB`,
);
note(
  `brotli: server time ${JSON.stringify(dist(brServer))} ms, ${Math.round(brBytes / 1024)} KiB; revalidation (304): ${revalidate.length ? JSON.stringify(dist(revalidate)) + ' ms' : 'no ETag'}`,
);
web.close();
await site.stop();
t.cleanup();

emit(
  'status-page',
  [
    figure({
      key: 'status_warm_ms',
      figure: `status page, ${CHECKS} checks, 90-day bars, server time (median)`,
      target: '< 50 ms',
      value: round(median(warmServer)),
      unit: 'ms',
      better: 'lower',
      limit: 50,
    }),
    figure({
      key: 'status_cold_ms',
      figure: `status page, ${CHECKS} checks, first request after the start-up warm-up, server time`,
      target: '< 50 ms',
      value: round(cold.server),
      unit: 'ms',
      better: 'lower',
      limit: 50,
    }),
    figure({
      key: 'status_warmup_stall_ms',
      figure: `status page warm-up after start, ${CHECKS} checks: longest event-loop stall`,
      target: 'report',
      value: round(blocked),
      unit: 'ms',
      better: 'lower',
      limit: null,
    }),
  ],
  {
    checks: CHECKS,
    runsPerCheck: per,
    warmServerMs: dist(warmServer),
    warmWithBodyMs: dist(warm),
    brotliServerMs: dist(brServer),
    brotliKib: round(brBytes / 1024),
    revalidateServerMs: revalidate.length ? dist(revalidate) : null,
    loadAverage: os.loadavg().map((l) => round(l)),
    coldMs: round(cold.ms),
    coldServerMs: round(cold.server),
    immediateMs: round(immediate.ms),
    warmUpMs: round(warmUp),
    stallMs: round(blocked),
    kib: round(bytes / 1024),
  },
);
