/**
 * The checks list and home at a glance in Chromium (issue 22), against a
 * running siteward and a real local HTTPS server for the watched check:
 *
 * - a row on an open /checks page is swapped live (the SSE batch used to put
 *   the badge and summary before the `<tr>`; the HTML parser dropped it, so
 *   rows never updated), its heartbeat bar gains a failed beat when the check
 *   flips to FAIL and its "last run" moves on with every run — no reload;
 * - the keyboard focus stays on a row's menu button across live swaps and
 *   across the list reload after pausing from the keyboard;
 * - axe-core finds nothing serious or critical on home and /checks, light
 *   and dark;
 * - screenshots of home and /checks, light and dark, desktop and phone, go to
 *   test-artifacts/e2e/ (not committed).
 */
import { it, expect, beforeAll, afterAll } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { createServer, type Server } from 'node:https';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { Site } from '../../src/site.ts';
import * as wiring from '../../src/wiring.ts';
import { WebService } from '../../src/web/server.ts';
import { cid } from '../../src/web/model.ts';
import { describeDaemon, tempDir } from '../servers/common.ts';
import { testCert, writeCert } from '../servers/tls-cert.ts';
import { fastHash } from '../web/helpers.ts';
import { axeFindings, CHROMIUM, launchChromium, SHOTS, signIn, signInHere, watchPage, closeBrowser } from './browser.ts';

const ADMIN_PW = 'admin-dash-pass';

describeDaemon('checks list and home at a glance in Chromium', [CHROMIUM], () => {
  let dir: string;
  let cleanup: () => void;
  let site: Site;
  let base: string;
  let ctx: BrowserContext;
  let page: Page;
  let target: Server | null = null;
  let targetPort = 0;
  let cert: Awaited<ReturnType<typeof testCert>>;
  const problems: string[] = [];

  const startTarget = async (port = 0): Promise<void> => {
    target = createServer({ cert: cert.cert, key: cert.key }, (_q, r) => r.end('ok'));
    target.listen(port, '127.0.0.1');
    await once(target, 'listening');
    targetPort = (target.address() as AddressInfo).port;
  };

  const shot = async (name: string): Promise<void> => {
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
    // what fits on the screen, to look at
    await page.screenshot({ path: join(SHOTS, `${name}-screen.png`) });
  };

  const axe = (): Promise<string[]> => axeFindings(page);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const t = tempDir('sw-dash-');
    dir = t.dir;
    cleanup = t.cleanup;
    cert = await testCert();
    await startTarget();
    const files = writeCert(dir, 'ui', cert);
    const checks: Record<string, unknown> = {
      web: { type: 'https', trigger: { interval: { seconds: 1 } }, options: { hostname: '127.0.0.1', port: targetPort, timeout: 5 } },
      backups: { type: 'sequence', options: { checks: ['root', 'tmp'] } },
      root: { type: 'disk', options: { volume: '/', level: 100 } },
      tmp: { type: 'disk', options: { volume: '/tmp', level: 100 } },
    };
    for (let i = 1; i <= 12; i++) checks[`host-${String(i).padStart(2, '0')}`] = { type: 'memory', options: { level: 100, warnLevel: 99 } };
    const path = join(dir, 'site.json');
    writeFileSync(
      path,
      JSON.stringify(
        {
          webui: { name: 'Dash Site', hostname: '127.0.0.1', port: null, ...files, users: { admin: await fastHash(ADMIN_PW), '': await fastHash('dummy') } },
          scheduler: { jitter: 0 },
          actions: { journal: { type: 'log' } },
          checks,
        },
        null,
        1,
      ),
      { mode: 0o600 },
    );
    site = await wiring.openSite({ configPath: path, migrations: wiring.migrations(), env: { extraCa: [cert.cert] } });
    const services = await wiring.services(site, { port: 0, webui: true });
    for (const s of services) site.use(s);
    await site.start();
    await site.runNow('backups');
    for (let i = 1; i <= 12; i++) await site.runNow(`host-${String(i).padStart(2, '0')}`);
    const web = services.find((s): s is WebService => s instanceof WebService)!;
    base = web.address()!.url;

    ctx = await launchChromium(join(dir, 'profile'), { viewport: { width: 1280, height: 900 } });
    page = ctx.pages()[0] ?? (await ctx.newPage());
    watchPage(page, problems, { acceptDialogs: true });
  });

  afterAll(async () => {
    await closeBrowser(ctx);
    await site?.stop();
    target?.close();
    cleanup?.();
  });

  it('rows update live: state, heartbeat bar and last run change without a reload, and focus stays put', { timeout: 180_000 }, async () => {
    await signIn(page, base, 'admin', ADMIN_PW);

    await page.goto(`${base}/checks`);
    await page.waitForSelector('body[data-live="on"]');
    const row = `#r-n-${cid('web')}`;
    await page.waitForSelector(`${row} [data-state="PASS"]`);
    await page.evaluate('window.marker = 42');
    // the last run moves on with every run, though the state stays PASS
    const lastRun = async (): Promise<string | null> => page.getAttribute(`${row} td[data-label="Last run"] time`, 'datetime');
    const before = await lastRun();
    // a function (not a string: the page's CSP forbids string eval) run in the page
    type Doc = { document: { querySelector(s: string): { getAttribute(a: string): string | null } | null } };
    await page.waitForFunction(
      ([sel, was]) => (globalThis as unknown as Doc).document.querySelector(sel)?.getAttribute('datetime') !== was,
      [`${row} td[data-label="Last run"] time`, before] as const,
      { timeout: 20_000 },
    );
    expect(await lastRun()).not.toBe(before);
    expect(await page.locator(`${row} .beat.fail`).count()).toBe(0);

    // keyboard focus on the row's menu button
    await page.focus(`${row} details.menu > summary`);
    const focused = async (): Promise<string> => page.evaluate('document.activeElement && document.activeElement.id');
    const menuId = await focused();
    expect(menuId).toBe(`r-n-${cid('web')}-m`);

    // the watched server goes away: the row turns FAIL and its bar gains a failed beat, live
    target!.close();
    target!.closeAllConnections();
    await page.waitForSelector(`${row} [data-state="FAIL"]`, { timeout: 30_000 });
    await page.waitForSelector(`${row} .beat.fail`);
    expect(await page.evaluate('window.marker')).toBe(42);
    expect(await focused()).toBe(menuId);
    await page.waitForSelector('#failbanner.on');
    await shot('dash-01-checks-fail-live');

    // it comes back: PASS again, still the same page
    await startTarget(targetPort);
    await page.waitForSelector(`${row} [data-state="PASS"]`, { timeout: 30_000 });
    expect(await page.evaluate('window.marker')).toBe(42);
    expect(await focused()).toBe(menuId);

    // pause from the keyboard: the menu opens with Enter, the list reloads itself, focus stays on the menu
    const hostRow = `#r-n-${cid('host-03')}`;
    await page.focus(`${hostRow} details.menu > summary`);
    await page.keyboard.press('Enter');
    await page.focus(`${hostRow} .menu-items button[name="paused"]`);
    await page.keyboard.press('Enter');
    await page.waitForSelector(`${hostRow} [data-state="PAUSED"]`);
    expect(site.entry('host-03')!.config.paused).toBe(true);
    expect(await focused()).toBe(`r-n-${cid('host-03')}-m`);
    expect(await page.evaluate('window.marker')).toBe(42);
    // the menu is built when it opens, from what the row offers now: a paused check can be resumed, not run
    await page.keyboard.press('Enter');
    await page.waitForSelector(`${hostRow} .menu-items button:has-text("Resume")`);
    expect(await page.locator(`${hostRow} .menu-items button:has-text("Run now")`).count()).toBe(0);
    expect(await page.getAttribute(`${hostRow} .menu-items button:has-text("Resume")`, 'formaction')).toBe('/check/host-03/pause');
    await page.keyboard.press('Escape');
    expect(await focused()).toBe(`r-n-${cid('host-03')}-m`);
    expect(problems).toEqual([]);
  });

  it('the trigger hint follows the sequence boxes alone (no typing in the trigger box)', { timeout: 120_000 }, async () => {
    await page.goto(`${base}/check`);
    if (new URL(page.url()).pathname === '/login') {
      // run alone (vitest -t): sign in first
      await signInHere(page, 'admin', ADMIN_PW);
      await page.goto(`${base}/check`);
    }
    await page.fill('#f-trigger', '');
    await page.waitForSelector('#trigger-parse:has-text("will never run by itself")');
    // ticking a sequence is the only change: the hint is asked again (hx-trigger "change from:input[name=inseq]")
    await page.check('input[name="inseq"][value="backups"]');
    await page.waitForSelector('#trigger-parse:has-text("it runs with its sequence")');
    await page.uncheck('input[name="inseq"][value="backups"]');
    await page.waitForSelector('#trigger-parse:has-text("will never run by itself")');
    expect(problems).toEqual([]);
  });

  it('the check page shows the certificate panel and the incident timeline', { timeout: 120_000 }, async () => {
    await page.goto(`${base}/check/web`);
    await page.waitForSelector('#certificate:has-text("CN=localhost")');
    await page.waitForSelector('#incidents');
    expect(problems).toEqual([]);
  });

  it('no serious or critical axe-core finding; screenshots light and dark, desktop and phone', { timeout: 240_000 }, async () => {
    // with a failing check: the banner, the failing section and a failing card with its log are on the pages
    target!.close();
    target!.closeAllConnections();
    await page.goto(`${base}/checks`);
    await page.waitForSelector(`#r-n-${cid('web')} [data-state="FAIL"]`, { timeout: 30_000 });
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [name, path] of [
        ['home', '/'],
        ['checks', '/checks'],
        ['checks-failing', '/checks?state=FAIL'],
        // a rows-per-page choice other than the default: its links show even on a short list
        ['checks-per', '/checks?per=50'],
        ['check', '/check/web'],
        ['charts', '/check/host-01/charts?range=1h'],
      ] as const) {
        await page.setViewportSize({ width: 1280, height: 900 });
        await page.goto(`${base}${path}`);
        expect(await axe(), `${path} (${scheme})`).toEqual([]);
        await shot(`dash-${name}-${scheme}-desktop`);
        await page.setViewportSize({ width: 390, height: 844 });
        await page.goto(`${base}${path}`);
        expect(await axe(), `${path} (${scheme}, phone)`).toEqual([]);
        await shot(`dash-${name}-${scheme}-phone`);
      }
      // an open menu, as a person sees it
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${base}/checks`);
      await page.click(`#r-n-${cid('web')} details.menu > summary`);
      expect(await axe(), `menu (${scheme})`).toEqual([]);
      await shot(`dash-checks-menu-${scheme}`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
    expect(problems).toEqual([]);
  });
});
