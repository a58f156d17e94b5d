/**
 * The hosts view in Chromium (issue 22 "Hosts"), against a running siteward
 * with its MQTT federation on a real broker (aedes), a peer instance played
 * by a bare MQTT client, and a TrueNAS check against the JSON-RPC stand-in:
 *
 * - the page renders a card for this instance (tiles, pool cards) and one
 *   for the federated instance with its CPU tile;
 * - when the peer's check changes state, its card changes live (no reload)
 *   and only that card is swapped (this instance's card is the same node);
 * - when the peer goes offline, its card turns silent, live;
 * - axe-core finds nothing serious or critical, light and dark, desktop and
 *   phone; screenshots go to test-artifacts/e2e/ (not committed).
 */
import { it, expect, beforeAll, afterAll } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Site } from '../../src/site.ts';
import * as wiring from '../../src/wiring.ts';
import { WebService } from '../../src/web/server.ts';
import { cid } from '../../src/web/model.ts';
import { describeDaemon, tempDir } from '../servers/common.ts';
import { fastHash } from '../web/helpers.ts';
import { hubMqtt, nasBox, type NasBox } from '../web/federated-host.ts';
import { startAedes, type AedesBroker } from '../servers/aedes.ts';
import { alert, disk, group, mirror, pool, startTruenas, type FakeTruenas } from '../servers/truenas.ts';
import { until } from '../federation/helpers.ts';
import { axeFindings, CHROMIUM, launchChromium, SHOTS, signIn, watchPage, closeBrowser } from './browser.ts';

const ADMIN_PW = 'admin-hosts-pass';
const KEY = '1-Xq9cZ2dW8sLrTnVbKpYfGhJmE4uA7oQ3iS6tR0eWzC5vB1nM';
const TIB = 1024 ** 4;
const hostId = (key: string): string => `host-${cid(key)}`;

describeDaemon('the hosts view in Chromium', [CHROMIUM], () => {
  let cleanup: () => void;
  let site: Site;
  let base: string;
  let ctx: BrowserContext;
  let page: Page;
  let broker: AedesBroker;
  let nas: FakeTruenas;
  let p: NasBox;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const t = tempDir('sw-hosts-');
    cleanup = t.cleanup;
    broker = await startAedes();
    nas = await startTruenas(
      {
        apiKey: KEY,
        pools: [
          pool({
            name: 'tank',
            status: 'DEGRADED',
            size: 4 * TIB,
            allocated: 3.5 * TIB,
            data: [group('RAIDZ2', 0, 'DEGRADED', [disk('sda'), disk('sdb', { checksum: 4 }), disk('sdc', { status: 'FAULTED' }), disk('sdd')])],
            log: [mirror(1, 'ONLINE', [disk('nvme0n1'), disk('nvme1n1')])],
            cache: [disk('nvme2n1')],
            spare: [disk('sde', { status: 'AVAIL' })],
          }),
          pool({ name: 'backup', size: 8 * TIB, allocated: 2 * TIB, data: [disk('sdf')] }),
        ],
        alerts: [alert('CRITICAL', 'Pool tank state is DEGRADED: One or more devices are faulted.'), alert('INFO', 'Scrub of pool backup finished.')],
      },
      { tls: false },
    );
    const path = join(t.dir, 'site.json');
    writeFileSync(
      path,
      JSON.stringify(
        {
          webui: {
            name: 'Hosts Site',
            hostname: '127.0.0.1',
            port: null,
            cert: null,
            key: null,
            users: { admin: await fastHash(ADMIN_PW), '': await fastHash('dummy') },
          },
          scheduler: { jitter: 0 },
          mqtt: hubMqtt(broker.port),
          checks: {
            ram: { type: 'memory', options: { level: 100 } },
            root: { type: 'disk', options: { volume: '/', level: 100 } },
            nas: { type: 'truenas', options: { hostname: '127.0.0.1', port: nas.port, tls: false, apiKey: KEY, level: 90, warnLevel: 80 } },
          },
        },
        null,
        1,
      ),
      { mode: 0o600 },
    );
    site = await wiring.openSite({ configPath: path, migrations: wiring.migrations() });
    const services = await wiring.services(site, { port: 0, webui: true });
    for (const s of services) site.use(s);
    await site.start();
    // no triggers: nothing here runs by itself, so a swap of this instance's card would be the view's doing
    for (const n of ['ram', 'root', 'nas']) await site.runNow(n);
    p = await nasBox(broker.port);
    await p.send(' 42%', false);
    await until(() => site.entry('nas-cpu') && site.state('nas-cpu').level === ' 42%', 20_000, "the peer's first update");
    const web = services.find((s): s is WebService => s instanceof WebService)!;
    base = web.address()!.url;
    ctx = await launchChromium(join(t.dir, 'profile'), { viewport: { width: 1280, height: 900 } });
    page = ctx.pages()[0] ?? (await ctx.newPage());
    watchPage(page, problems);
  });

  afterAll(async () => {
    await closeBrowser(ctx);
    await p?.publishAsync('siteward/status/nas-box', '', { qos: 1, retain: true }).catch(() => undefined);
    await p?.endAsync(true);
    await site?.stop();
    await nas?.stop();
    await broker?.close();
    cleanup?.();
  });

  it('cards render; a federated host card changes live when its check changes, alone; offline makes it silent', { timeout: 180_000 }, async () => {
    await signIn(page, base, 'admin', ADMIN_PW);
    await page.click('nav.main a[href="/hosts"]');
    await page.waitForURL(`${base}/hosts`);
    await page.waitForSelector('body[data-live="on"]');
    const self = `#${hostId('self')}`;
    const peerCard = `#${hostId('h:nas-box')}`;
    await page.waitForSelector(`${self} .htile[data-check="ram"]`);
    expect(await page.textContent(`${self} h2`)).toBe('hub');
    expect(await page.locator(`${self} .pool`).count()).toBe(2);
    // tank's layout: raidz2, log mirror, cache, spare; a square per disk coloured by its state, named on hover
    const tank = `${self} .pool[aria-label="Pool tank"]`;
    expect(await page.locator(`${tank} .vdev-label`).allTextContents()).toEqual(['raidz2 DEGRADED', 'log mirror', 'cache', 'spare']);
    expect(await page.locator(`${tank} .disk`).evaluateAll((els) => els.map((e) => `${e.getAttribute('class')} ${e.getAttribute('title')}`))).toEqual([
      'disk ok sda: ONLINE, 0 read, 0 write, 0 checksum errors',
      'disk warn sdb: ONLINE, 0 read, 0 write, 4 checksum errors',
      'disk fail sdc: FAULTED, 0 read, 0 write, 0 checksum errors',
      'disk ok sdd: ONLINE, 0 read, 0 write, 0 checksum errors',
      'disk ok nvme0n1: ONLINE, 0 read, 0 write, 0 checksum errors',
      'disk ok nvme1n1: ONLINE, 0 read, 0 write, 0 checksum errors',
      'disk ok nvme2n1: ONLINE, 0 read, 0 write, 0 checksum errors',
      'disk ok sde: AVAIL, 0 read, 0 write, 0 checksum errors',
    ]);
    expect(await page.locator(`${self} .nas-alerts li`).count()).toBe(2);
    expect(await page.textContent(`${peerCard} .htile[data-check="nas-cpu"] .tile-value`)).toBe('42%');
    expect(await page.getAttribute(peerCard, 'data-state')).toBe('PASS');
    // marks on the page and on this instance's card: a reload or a swap of that card would lose them
    await page.evaluate(`window.marker = 42; document.getElementById(${JSON.stringify(hostId('self'))}).swapMark = 7`);

    await p.send(' 97%', true);
    await page.waitForSelector(`${peerCard}[data-state="FAIL"] .htile[data-state="FAIL"][data-check="nas-cpu"]`, { timeout: 30_000 });
    expect(await page.textContent(`${peerCard} .htile[data-check="nas-cpu"] .tile-value`)).toBe('97%');
    expect(await page.evaluate('window.marker')).toBe(42);
    expect(await page.evaluate(`document.getElementById(${JSON.stringify(hostId('self'))}).swapMark`)).toBe(7);

    // the peer's will: offline, so its card is silent (not PASS, not just FAIL)
    await p.offline();
    await page.waitForSelector(`${peerCard}[data-state="SILENT"] .host-silent`, { timeout: 30_000 });
    expect(await page.textContent(`${peerCard} .host-state`)).toBe('silent');
    expect(await page.evaluate('window.marker')).toBe(42);
    expect(problems).toEqual([]);
  });

  it('no serious or critical axe-core finding; screenshots light and dark, desktop and phone', { timeout: 240_000 }, async () => {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [form, size] of [
        ['desktop', { width: 1280, height: 900 }],
        ['phone', { width: 390, height: 844 }],
      ] as const) {
        await page.setViewportSize(size);
        await page.goto(`${base}/hosts`);
        await page.waitForSelector(`#${hostId('self')}`);
        expect(await axeFindings(page), `/hosts (${scheme}, ${form})`).toEqual([]);
        await page.screenshot({ path: join(SHOTS, `hosts-${scheme}-${form}.png`), fullPage: true });
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    expect(problems).toEqual([]);
  });
});
