/**
 * The fleet page in Chromium (issue 23, docs/fleet.md): a siteward with a
 * `fleet` key on a real Mosquitto; three zones' nodes and check states are
 * published there as retained messages (the zone protocol, src/zone/state.ts
 * and members.ts) by a plain MQTT client. A viewer signs in and sees zones,
 * nodes and checks; a node that went down and its checks show as such;
 * filters and pages are links; the open page follows changes over the live
 * stream (SSE) without polling: no request is made while a changed state, a
 * node that went down and a new check appear, and the focus stays where it
 * was; axe-core finds nothing serious or critical,
 * light and dark, desktop and phone. Screenshots go to test-artifacts/e2e/
 * (not committed). Signed out, /fleet sends to the sign-in page.
 */
import { it, expect, beforeAll, afterAll } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, launchChromium, SHOTS, signInHere, watchPage, closeBrowser } from './browser.ts';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { Site } from '../../src/site.ts';
import * as wiring from '../../src/wiring.ts';
import { WebService } from '../../src/web/server.ts';
import { FleetService } from '../../src/fleet/service.ts';
import { describeDaemon, HOST, tempDir } from '../servers/common.ts';
import { startMosquitto, MOSQUITTO_PROGRAMS, type Mosquitto } from '../servers/mosquitto.ts';
import { fastHash } from '../web/helpers.ts';
import { until } from '../federation/helpers.ts';

const PW = 'viewer-fleet-pass';
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

describeDaemon('the fleet page in Chromium', [CHROMIUM, ...MOSQUITTO_PROGRAMS], () => {
  let broker: Mosquitto;
  let dir: string;
  let cleanup: () => void;
  let site: Site;
  let fleet: FleetService;
  let base: string;
  let ctx: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  const axe = async (): Promise<string[]> => {
    await page.evaluate(AXE);
    const r: { passes: number; bad: string[] } = await page.evaluate(`axe.run(document).then((r) => ({ passes: r.passes.length, bad: r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')) }))`);
    expect(r.passes).toBeGreaterThan(10);
    return r.bad;
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    broker = await startMosquitto({ logType: 'error' });
    // three zones: hq (two nodes up), dc2 (one up), home (its node went down)
    const c = await mqtt.connectAsync(`mqtt://${HOST}:${broker.port}`, { protocolVersion: 4 });
    const status = (zone: string, node: string, state: 'up' | 'down', checks: number) =>
      c.publishAsync(`siteward/zone/${zone}/node/${node}`, JSON.stringify({ node, state, heartbeat: 3600, version: '0.1.0', checks }), {
        qos: 1,
        retain: true,
      });
    const view = (zone: string, check: string, state: string, node: string, summary: string) =>
      c.publishAsync(
        `siteward/zone/${zone}/view/${encodeURIComponent(check)}`,
        JSON.stringify({ state, failing: state === 'FAIL', summary, since: Date.now(), node }),
        { qos: 1, retain: true },
      );
    await status('hq', 'hq-1', 'up', 90);
    await status('hq', 'hq-2', 'up', 90);
    await status('dc2', 'dc2-1', 'up', 40);
    await status('home', 'home-nas', 'down', 3);
    for (let i = 0; i < 180; i++)
      await view('hq', `web ${String(i).padStart(3, '0')}`, i % 30 === 7 ? 'FAIL' : 'PASS', i % 2 ? 'hq-1' : 'hq-2', i % 30 === 7 ? 'connection refused' : '');
    for (let i = 0; i < 40; i++) await view('dc2', `vm ${i}`, i === 3 ? 'FAIL' : 'PASS', 'dc2-1', i === 3 ? 'certificate expires in 3 days' : '');
    for (const n of ['nas disk', 'ups', 'router']) await view('home', n, 'PASS', 'home-nas', '');
    await c.endAsync();

    const t = tempDir('sw-fleet-');
    dir = t.dir;
    cleanup = t.cleanup;
    const path = join(dir, 'site.json');
    writeFileSync(
      path,
      JSON.stringify({
        webui: {
          name: 'Fleet Hub',
          hostname: HOST,
          port: null,
          cert: null,
          key: null,
          users: { vera: await fastHash(PW), '': await fastHash('dummy-pass') },
          roles: { vera: 'viewer' },
        },
        mqtt: { hostname: HOST, port: broker.port, statustopic: null },
        fleet: true,
        checks: {},
      }),
      { mode: 0o600 },
    );
    site = await wiring.openSite({ configPath: path, migrations: wiring.migrations() });
    const services = await wiring.services(site, { port: 0, webui: true });
    for (const s of services) site.use(s);
    await site.start();
    fleet = services.find((s): s is FleetService => s instanceof FleetService)!;
    base = services.find((s): s is WebService => s instanceof WebService)!.address()!.url;
    await until(() => fleet.model.checkCount === 223, 30_000, 'the fleet instance has every retained check state');

    ctx = await launchChromium(join(dir, 'profile'), { viewport: { width: 1280, height: 900 } });
    page = ctx.pages()[0] ?? (await ctx.newPage());
    watchPage(page, problems);
  }, 120_000);

  afterAll(async () => {
    await closeBrowser(ctx);
    await site?.stop();
    await broker?.close();
    cleanup?.();
  });

  it('signed out, /fleet asks to sign in; a viewer sees zones, nodes and checks, a silent zone as silent', { timeout: 120_000 }, async () => {
    await page.goto(`${base}/fleet`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await signInHere(page, 'vera', PW);
    // the navigation links the page (only on an instance with a fleet key)
    await page.goto(`${base}/`);
    await page.click('nav.main a[href="/fleet"]');
    await page.waitForURL(`${base}/fleet`);
    const zoneRows = await page.locator('table:has(caption:text("Zones")) tbody tr').allInnerTexts();
    expect(zoneRows.map((r) => r.replace(/\s+/g, ' ').trim())).toEqual(['dc2 1 of 1 40 1', 'home silent: no node up 0 of 1 3 0', 'hq 2 of 2 180 6']);
    const nodes = await page.locator('table:has(caption:text("Nodes")) tbody tr').allInnerTexts();
    expect(nodes.map((r) => r.split(/\t/).slice(0, 5).join('|'))).toEqual([
      'dc2-1|dc2|up|0.1.0|40',
      'home-nas|home|down|0.1.0|3',
      'hq-1|hq|up|0.1.0|90',
      'hq-2|hq|up|0.1.0|90',
    ]);
    expect(await page.textContent('#fleet-count')).toContain('223 checks, page 1 of 3');

    // the filters are links: failing checks, then the silent ones
    await page.click('a.chip:text-is("Failing")');
    expect(new URL(page.url()).search).toBe('?state=fail');
    const failing = await page.locator('#fleet-checks tbody tr td:first-child').allInnerTexts();
    expect(failing).toEqual(['vm 3', 'web 007', 'web 037', 'web 067', 'web 097', 'web 127', 'web 157']);
    await page.click('a.chip:text-is("Silent")');
    const silent = await page.locator('#fleet-checks tbody tr').allInnerTexts();
    expect(silent.map((r) => r.split(/\t/).slice(0, 3).join('|'))).toEqual([
      'nas disk|home|silent (node down)',
      'router|home|silent (node down)',
      'ups|home|silent (node down)',
    ]);
    // zone filter and the pager
    await page.goto(`${base}/fleet?zone=hq`);
    expect(await page.textContent('#fleet-count')).toContain('180 checks, page 1 of 2');
    await page.click('nav.pager[aria-label="pages (top)"] a[rel=next]');
    expect(new URL(page.url()).search).toBe('?zone=hq&page=2');
    expect(await page.locator('#fleet-checks tbody tr').count()).toBe(80);
    expect(await page.locator('#fleet-checks tbody tr td:first-child').first().innerText()).toBe('web 100');
    expect(problems).toEqual([]);
  });

  it(
    'the open page follows the fleet over SSE, without polling: a changed state, a new check and a node that goes down show, focus stays',
    { timeout: 120_000 },
    async () => {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${base}/fleet?zone=dc2`);
      await page.waitForSelector('body[data-live="on"]');
      // from here on the page asks nothing: every update comes down the open event stream
      const asked: string[] = [];
      const onRequest = (r: { url(): string }): void => void asked.push(new URL(r.url()).pathname + new URL(r.url()).search);
      page.on('request', onRequest);
      await page.evaluate('window.marker = 42');
      // the keyboard user is on the "Failing" chip of the checks list the changes redraw
      await page.focus('#fleet-list a.chip:text-is("Failing")');
      const row = page.locator('#fleet-checks tbody tr:has(td:first-child:text-is("vm 5"))');
      expect(await row.locator('td[data-label="State"]').innerText()).toBe('PASS');
      const c = await mqtt.connectAsync(`mqtt://${HOST}:${broker.port}`, { protocolVersion: 4 });
      const view = (check: string, state: string, summary: string) =>
        c.publishAsync(
          `siteward/zone/dc2/view/${encodeURIComponent(check)}`,
          JSON.stringify({ state, failing: state === 'FAIL', summary, since: Date.now(), node: 'dc2-1' }),
          { qos: 1, retain: true },
        );
      await view('vm 5', 'FAIL', 'timed out');
      const stateCell = (): Promise<string> => row.locator('td[data-label="State"]').innerText();
      await expect.poll(stateCell, { timeout: 30_000 }).toBe('FAIL');
      expect(await row.locator('td[data-label="Summary"]').innerText()).toBe('timed out');
      expect(await page.locator('table:has(caption:text("Zones")) tbody tr:has(a:text-is("dc2"))').innerText()).toMatch(/\t2$/);
      // a new check in the zone: the count and the list follow
      await view('vm 40', 'PASS', '');
      await expect.poll(() => page.textContent('#fleet-count'), { timeout: 30_000 }).toContain('41 checks');
      expect(await page.evaluate('document.activeElement && document.activeElement.textContent')).toBe('Failing');
      // dc2's node dies (its last will): the zone and its checks go silent
      await c.publishAsync('siteward/zone/dc2/node/dc2-1', JSON.stringify({ node: 'dc2-1', state: 'down', heartbeat: 3600, reason: 'connection lost' }), {
        qos: 1,
        retain: true,
      });
      await c.endAsync();
      await expect.poll(stateCell, { timeout: 30_000 }).toBe('silent (node down)');
      expect(await page.locator('table:has(caption:text("Zones")) tbody tr:has(a:text-is("dc2"))').innerText()).toContain('silent: no node up');
      expect(await page.evaluate('window.marker')).toBe(42);
      expect(await page.evaluate('document.activeElement && document.activeElement.textContent')).toBe('Failing');
      page.off('request', onRequest);
      // no polling (the old /fleet/live), no reload: not one request while the page followed three changes
      expect(asked).toEqual([]);
      expect(problems).toEqual([]);
    },
  );

  it('no serious or critical axe-core finding; screenshots light and dark, desktop and phone', { timeout: 240_000 }, async () => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [name, path] of [
        ['fleet', '/fleet'],
        ['fleet-silent', '/fleet?state=silent'],
      ] as const) {
        for (const [w, h, form] of [
          [1280, 900, 'desktop'],
          [390, 844, 'phone'],
        ] as const) {
          await page.setViewportSize({ width: w, height: h });
          await page.goto(`${base}${path}`);
          expect(await axe(), `${path} (${scheme}, ${form})`).toEqual([]);
          await page.screenshot({ path: join(SHOTS, `${name}-${scheme}-${form}.png`) });
        }
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    expect(problems).toEqual([]);
  });
});
