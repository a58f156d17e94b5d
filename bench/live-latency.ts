/**
 * Live update latency (issue 22): a check runs → its row on an open `/checks`
 * page in Chromium shows the new state. A site of CHECKS checks (default
 * 10,000 memory checks with no trigger, so nothing else runs) plus `probe`, a
 * tcp check against a local server that is closed and reopened between runs
 * so that every run flips the state. Timed from the run's start (site.runNow)
 * to the row's state in the page (Playwright waiting on the DOM), 12 flips;
 * this includes the check itself, the live batch window (250 ms), rendering
 * the rows, SSE and htmx's morph. Then the checks page in Chromium:
 * navigation (page.goto) → the page's last row laid out, NAVS times (the
 * first as warm-up), with where that time went (first byte, last byte,
 * document parsed: the page's Navigation Timing entry). PER=50|100|200: rows
 * per page of that navigation (default: the page's, 100).
 * Run: node --import tsx bench/live-latency.ts (needs /usr/bin/chromium)
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { createServer, type Server, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { chromium } from 'playwright-core';
import * as wiring from '../src/wiring.ts';
import { WebService } from '../src/web/server.ts';
import { handPages } from '../src/web/pages.ts';
import { pages } from '../views/index.ts';
import { cid } from '../src/web/model.ts';
import { tempDir } from '../test/servers/common.ts';
import { testCert, writeCert } from '../test/servers/tls-cert.ts';
import { fastHash } from '../test/web/helpers.ts';
import { dist, emit, figure, median, note, round } from './lib/report.ts';

// as bin/siteward.ts does: the web UI draws the pages of views/
handPages(async () => pages);

const N = Number(process.env.CHECKS ?? 10_000);
const FLIPS = Number(process.env.FLIPS ?? 12);
// rows per page of the navigation measured (50, 100 or 200; unset: the page's default, 100)
const PER = process.env.PER ?? '';

const t = tempDir('sw-bench-live-');
const cert = await testCert();
let server: Server | null = null;
let port = 0;
const open = async (): Promise<void> => {
  server = createServer((s) => s.on('error', () => undefined).resume());
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
};
await open();
const checks: Record<string, unknown> = { probe: { type: 'tcp', options: { hostname: '127.0.0.1', port, timeout: 2 } } };
for (let i = 0; i < N; i++) checks[`host-${i}`] = { type: 'memory', options: { level: 100 } };
const path = join(t.dir, 'site.json');
writeFileSync(
  path,
  JSON.stringify({
    webui: {
      name: 'Live bench',
      hostname: '127.0.0.1',
      port: null,
      ...writeCert(t.dir, 'ui', cert),
      users: { admin: await fastHash('bench-admin-pw'), '': await fastHash('x') },
    },
    scheduler: { jitter: 0 },
    checks,
  }),
  { mode: 0o600 },
);
const site = await wiring.openSite({ configPath: path, migrations: wiring.migrations() });
const services = await wiring.services(site, { port: 0, webui: true });
for (const s of services) site.use(s);
await site.start();
await site.runNow('probe');
const base = services.find((s): s is WebService => s instanceof WebService)!.address()!.url;

const ctx = await chromium.launchPersistentContext(join(t.dir, 'profile'), {
  executablePath: '/usr/bin/chromium',
  headless: true,
  ignoreHTTPSErrors: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const page = ctx.pages()[0] ?? (await ctx.newPage());
await page.goto(`${base}/login`);
await page.fill('#username', 'admin');
await page.fill('#password', 'bench-admin-pw');
await page.click('button[type=submit]');
await page.waitForURL(`${base}/`);
await page.goto(`${base}/checks?q=probe`);
await page.waitForSelector('body[data-live="on"]');
const row = `#r-n-${cid('probe')}`;

const ms: number[] = [];
for (let i = 0; i < FLIPS; i++) {
  const fail = i % 2 === 0;
  if (fail) {
    server!.close();
    await once(server!, 'close');
  } else {
    await open();
  }
  const t0 = performance.now();
  void site.runNow('probe');
  await page.waitForSelector(`${row} [data-state="${fail ? 'FAIL' : 'PASS'}"]`, { timeout: 10_000 });
  ms.push(performance.now() - t0);
}

// navigation → the page's last check row shown: from page.goto to the first animation frame in which the
// document is parsed and the last <tr data-check> of the page has a layout box (NAVS times, the first as warm-up)
const NAVS = Number(process.env.NAVS ?? 6);
type Doc = { readyState: string; querySelectorAll(s: string): ArrayLike<{ getBoundingClientRect(): { height: number } }> };
const nav: number[] = [];
// where a navigation's time goes (Navigation Timing, ms from its start): first byte, last byte, document parsed
const split: { ttfb: number[]; body: number[]; parsed: number[] } = { ttfb: [], body: [], parsed: [] };
type NavEntry = { responseStart: number; responseEnd: number; domInteractive: number };
let rows = 0;
for (let i = 0; i < NAVS; i++) {
  const t0 = performance.now();
  await page.goto(`${base}/checks${PER ? `?per=${PER}` : ''}`, { waitUntil: 'commit' });
  rows = await page
    .waitForFunction(
      () => {
        // a function run in the page (not a string: the CSP forbids string eval)
        const doc = (globalThis as unknown as { document: Doc }).document;
        if (doc.readyState === 'loading') return 0;
        const all = doc.querySelectorAll('tr[data-check]');
        const last = all[all.length - 1];
        return last && last.getBoundingClientRect().height > 0 ? all.length : 0;
      },
      undefined,
      { polling: 'raf', timeout: 30_000 },
    )
    .then((h) => h.jsonValue());
  if (i > 0) {
    nav.push(performance.now() - t0);
    const e = await page.evaluate(() => {
      const n = (globalThis as unknown as { performance: { getEntriesByType(t: string): unknown[] } }).performance.getEntriesByType(
        'navigation',
      )[0] as NavEntry;
      return { responseStart: n.responseStart, responseEnd: n.responseEnd, domInteractive: n.domInteractive };
    });
    split.ttfb.push(e.responseStart);
    split.body.push(e.responseEnd);
    split.parsed.push(e.domInteractive);
  }
}
// what the rows weigh: elements and bytes of HTML per check row of the last page drawn
const weight = await page.evaluate(() => {
  const all = (
    globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ outerHTML: string; querySelectorAll(s: string): ArrayLike<unknown> }> } }
  ).document.querySelectorAll('tr[data-check]');
  let elements = 0;
  let bytes = 0;
  for (let i = 0; i < all.length; i++) {
    elements += 1 + all[i].querySelectorAll('*').length;
    bytes += all[i].outerHTML.length;
  }
  return { elements: all.length ? elements / all.length : 0, bytes: all.length ? bytes / all.length : 0 };
});
await ctx.close();
await site.stop();
(server as Server | null)?.close();
t.cleanup();

note(`run → row changed on an open /checks page, ${N} checks: ${JSON.stringify(dist(ms))} ms`);
note(`navigation → last row shown on /checks, ${N} checks (${rows} rows on the page): ${JSON.stringify(dist(nav))} ms`);
note(`  per row: ${round(weight.elements)} elements, ${round(weight.bytes)} bytes of HTML (as the browser serialises it)`);
note(
  `  of which (medians): first byte ${round(median(split.ttfb))} ms, last byte ${round(median(split.body))} ms, document parsed ${round(median(split.parsed))} ms`,
);
emit(
  'live-latency',
  [
    figure({
      key: 'live_row_ms',
      figure: `live update: run → row changed on an open /checks page in Chromium, ${N.toLocaleString('en')} checks (median)`,
      target: '< 500 ms',
      value: round(median(ms)),
      unit: 'ms',
      better: 'lower',
      limit: 500,
    }),
    figure({
      key: 'checks_nav_ms',
      figure: `checks page in Chromium, ${N.toLocaleString('en')} checks, ${rows} rows per page: navigation → last row shown (median)`,
      target: '< 500 ms',
      value: round(median(nav)),
      unit: 'ms',
      better: 'lower',
      limit: 500,
    }),
  ],
  {
    checks: N,
    flips: FLIPS,
    ms: dist(ms),
    rows,
    rowElements: round(weight.elements),
    rowBytes: round(weight.bytes),
    navMs: dist(nav),
    navSplit: { ttfbMs: dist(split.ttfb), bodyMs: dist(split.body), parsedMs: dist(split.parsed) },
    loadAverage: os.loadavg().map((l) => round(l)),
  },
);
