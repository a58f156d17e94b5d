/**
 * The fleet view at scale (issue 23, docs/fleet.md): 100,000 checks from 50
 * simulated zones (2 nodes each) published as retained zone messages on a
 * real Mosquitto, watched by a fleet instance (FleetService + /fleet through
 * the web app's handler, as a viewer). Figures:
 * - ingest: fleet start → all 100,000 retained states held;
 * - state change → fleet model, p99 (publish call to FleetModel holding the
 *   new state, at 200 changes/s for 15 s);
 * - state change → visible on an open /fleet page in Chromium, p99 of
 *   CHANGES (20): publish call to the row's new summary in the DOM — the
 *   fleet's change window, the live hub's batch, rendering, SSE and htmx's
 *   morph; the page never polls (docs/fleet.md);
 * - /fleet server time with 100,000 checks (first page, a failing filter,
 *   a zone's last page), median of 15;
 * - RSS of this process after ingest (it also holds the publisher's client);
 * - broker messages/s at steady state, computed from the publish rule
 *   (src/zone/state.ts: on change + refresh every 30 heartbeats; heartbeats).
 * Run: node --import tsx bench/fleet.ts
 */
import mqtt from 'mqtt';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { chromium } from 'playwright-core';
import { FleetService } from '../src/fleet/service.ts';
import { buildWebApp } from '../src/web/app.ts';
import { pages as views } from '../views/index.ts';
import { startMosquitto } from '../test/servers/mosquitto.ts';
import { tempDir } from '../test/servers/common.ts';
import { Agent, fastHash, PASSWORDS } from '../test/web/helpers.ts';
import { dist, emit, figure, median, note, round, until } from './lib/report.ts';
import { openBenchSite } from './lib/site.ts';
import { webSiteView } from '../src/wiring.ts';
import { fleetSiteView } from '../src/wiring-views.ts';

const ZONES = Number(process.env.FLEET_ZONES ?? 50);
const CHECKS = Number(process.env.FLEET_CHECKS ?? 100_000);
const PER_ZONE = Math.ceil(CHECKS / ZONES);
const HEARTBEAT = 10;

const broker = await startMosquitto({ logType: 'error', extraConfig: ['max_queued_messages 0', 'max_inflight_messages 0'] });
const pub = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'bench-fleet-pub', protocolVersion: 4 });
const zone = (z: number): string => `zone-${String(z).padStart(2, '0')}`;
const stateMsg = (z: number, i: number, failing: boolean, at: number): [string, string] => [
  `siteward/zone/${zone(z)}/view/${encodeURIComponent(`check ${i}`)}`,
  JSON.stringify({ state: failing ? 'FAIL' : 'PASS', failing, summary: failing ? 'connection refused' : '', since: at, node: `${zone(z)}-${i % 2}` }),
];
const statuses = async (): Promise<void> => {
  const sends: Promise<unknown>[] = [];
  for (let z = 0; z < ZONES; z++)
    for (const n of [0, 1])
      sends.push(
        pub.publishAsync(
          `siteward/zone/${zone(z)}/node/${zone(z)}-${n}`,
          JSON.stringify({ node: `${zone(z)}-${n}`, state: 'up', heartbeat: HEARTBEAT, version: '0.1.0', checks: PER_ZONE / 2 }),
          { qos: 1, retain: true },
        ),
      );
  await Promise.all(sends);
};

const p0 = performance.now();
await statuses();
for (let z = 0; z < ZONES; z++) {
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < PER_ZONE; i++) {
    const [t, p] = stateMsg(z, i, i % 97 === 0, Date.now());
    sends.push(pub.publishAsync(t, p, { qos: 1, retain: true }));
  }
  await Promise.all(sends);
}
note(`${ZONES * PER_ZONE} retained states published in ${Math.round(performance.now() - p0)} ms`);

// the nodes stay live (their heartbeats) for the whole run
const heartbeat = setInterval(() => void statuses(), HEARTBEAT * 1000);
const t = tempDir('sw-bench-fleet-');
const doc = {
  webui: {
    name: 'Fleet bench',
    hostname: '127.0.0.1',
    port: 1,
    cert: null,
    key: null,
    users: { vera: await fastHash(PASSWORDS.vera) },
    roles: { vera: 'viewer' },
  },
  mqtt: { hostname: '127.0.0.1', port: broker.port, statustopic: null },
  fleet: { maxChecks: 200_000 },
  checks: {},
};
writeFileSync(join(t.dir, 'site.json'), JSON.stringify(doc), { mode: 0o600 });
const b = await openBenchSite(doc, { dir: t.dir, start: false });
const fleet = new FleetService(b.site.settings.fleet!, 'bench', fleetSiteView(b.site));
b.site.use(fleet);
const i0 = performance.now();
await b.site.start();
await until(() => fleet.model.checkCount >= ZONES * PER_ZONE, 300_000, 'every retained state held', 20);
const ingestMs = performance.now() - i0;
note(`fleet holds ${fleet.model.checkCount} checks after ${Math.round(ingestMs)} ms`);
(globalThis as { gc?: () => void }).gc?.();
const rssMb = process.memoryUsage().rss / 1048576;

// state change → model: the fleet model is asked every millisecond-ish via the bus-free path: wrap onView
const sentAt = new Map<string, number>();
const lat: number[] = [];
const onMessage = fleet.onMessage.bind(fleet);
fleet.onMessage = (topic: string, payload: Buffer): void => {
  onMessage(topic, payload);
  const s = sentAt.get(topic);
  if (s !== undefined) {
    lat.push(performance.now() - s);
    sentAt.delete(topic);
  }
};
const RATE = 200;
const SECONDS = 15;
for (let k = 0; k < RATE * SECONDS; k++) {
  const z = k % ZONES;
  const i = (k * 7919) % PER_ZONE;
  const [topic, p] = stateMsg(z, i, k % 2 === 0, Date.now());
  sentAt.set(topic, performance.now());
  void pub.publishAsync(topic, p, { qos: 1, retain: true });
  if (k % 20 === 19) await new Promise((r) => setTimeout(r, 1000 / (RATE / 20)));
}
await until(() => sentAt.size === 0, 30_000, 'every change received', 20);
const changes = dist(lat);
note(`state change → fleet model: ${JSON.stringify(changes)}`);

const web = await buildWebApp(webSiteView(b.site), { pages: views, secure: false, fleet });
const agent = new Agent(web);
const login = await agent.login('vera', PASSWORDS.vera);
if (login.status !== 303) throw new Error(`login failed: ${login.status}`);
const pages: Record<string, number> = {};
for (const path of ['/fleet', '/fleet?state=fail', `/fleet?zone=${zone(ZONES - 1)}&page=${Math.ceil(PER_ZONE / 100)}`]) {
  const times: number[] = [];
  for (let k = 0; k < 16; k++) {
    const s = performance.now();
    const res = await agent.get(path);
    const body = await res.text();
    if (res.status !== 200 || !body.includes('fleet-checks')) throw new Error(`${path}: ${res.status}`);
    if (k > 0) times.push(performance.now() - s);
  }
  pages[path] = round(median(times), 1);
  note(`${path}: median ${pages[path]} ms`);
}
const pageMs = Math.max(...Object.values(pages));

// state change → visible on an open page in Chromium (the live stream; the page never polls)
const CHANGES = Number(process.env.FLEET_CHANGES ?? 20);
const listener = getRequestListener((req) => web.app.fetch(req));
const http = createServer((req, res) => void listener(req, res));
await new Promise<void>((r) => {
  http.listen(0, '127.0.0.1', () => r());
});
const base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
const browser = await chromium.launchPersistentContext(join(t.dir, 'profile'), {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const tab = browser.pages()[0] ?? (await browser.newPage());
let polls = 0;
tab.on('request', (r) => {
  if (new URL(r.url()).pathname !== '/events') polls++;
});
await tab.goto(`${base}/login`);
await tab.fill('#username', 'vera');
await tab.fill('#password', PASSWORDS.vera);
await tab.click('button[type=submit]');
await tab.waitForURL((u) => u.pathname !== '/login');
await tab.goto(`${base}/fleet?zone=${zone(0)}`);
await tab.waitForSelector('body[data-live="on"]');
const before = polls;
const seen: number[] = [];
for (let k = 0; k < CHANGES; k++) {
  const i = k * 3; // a check on the first page (check 0 … check 99 in name order)
  const summary = `bench change ${k}`;
  const [topic, payload] = stateMsg(0, i, true, Date.now());
  const body = JSON.stringify({ ...(JSON.parse(payload) as object), summary });
  const s = performance.now();
  void pub.publishAsync(topic, body, { qos: 1, retain: true });
  await tab
    .locator(`#fleet-checks tbody tr:has(td:first-child:text-is("check ${i}")) td[data-label="Summary"]:text-is("${summary}")`)
    .waitFor({ timeout: 30_000 });
  seen.push(performance.now() - s);
}
const pagePolls = polls - before;
if (pagePolls !== 0) throw new Error(`the open page made ${pagePolls} requests: it should only listen`);
const visible = dist(seen);
note(`state change → visible in Chromium: ${JSON.stringify(visible)}`);
await browser.close();
await new Promise((r) => http.close(r));
clearInterval(heartbeat);

// steady state: each check's state is re-published every 30 heartbeats (5 min), each node's status every heartbeat;
// changes come on top (one per check per hour here)
const steady = CHECKS / (30 * HEARTBEAT) + (ZONES * 2) / HEARTBEAT + CHECKS / 3600;

web.close();
await b.close();
await pub.endAsync();
await broker.close();

emit(
  'fleet',
  [
    figure({
      key: 'fleet_change',
      figure: `fleet view: ${CHECKS.toLocaleString('en')} checks from ${ZONES} zones, state change → fleet model (p99)`,
      target: '< 2 s',
      value: round(changes.p99, 1),
      unit: 'ms',
      better: 'lower',
      limit: 2000,
    }),
    figure({
      key: 'fleet_visible',
      figure: `fleet view: ${CHECKS.toLocaleString('en')} checks, state change → visible on an open /fleet page in Chromium over SSE, no polling (p99 of ${CHANGES})`,
      target: '< 2 s',
      value: round(visible.p99, 1),
      unit: 'ms',
      better: 'lower',
      limit: 2000,
    }),
    figure({
      key: 'fleet_page',
      figure: `fleet page render, ${CHECKS.toLocaleString('en')} checks, paginated (server time, slowest of three pages, median)`,
      target: '< 300 ms',
      value: pageMs,
      unit: 'ms',
      better: 'lower',
      limit: 300,
    }),
    figure({
      key: 'fleet_rss',
      figure: `fleet instance RSS with ${CHECKS.toLocaleString('en')} remote checks (with the publisher in the same process)`,
      target: '< 400 MB',
      value: Math.round(rssMb),
      unit: 'MB',
      better: 'lower',
      limit: 400,
    }),
    figure({
      key: 'fleet_ingest',
      figure: `fleet start → ${CHECKS.toLocaleString('en')} retained check states held`,
      target: 'report',
      value: Math.round(ingestMs),
      unit: 'ms',
      better: 'lower',
      limit: null,
    }),
    figure({
      key: 'fleet_broker',
      figure: `broker messages/s at steady state, ${CHECKS.toLocaleString('en')} checks at 60 s (computed from the publish rule)`,
      target: '≤ 2,000/s',
      value: Math.round(steady),
      unit: 'msg/s',
      better: 'lower',
      limit: 2000,
    }),
  ],
  { zones: ZONES, checks: CHECKS, changes, visible, pages, rate: RATE },
);
