/**
 * Looks and access in Chromium (issue 22), against a running siteward and a
 * real local HTTPS server for the watched check:
 *
 * - the theme picker (System / Light / Dark) changes the page's colours at
 *   once, and the choice survives a reload: the server reads the cookie, so
 *   the first paint is already right; it is on the sign-in page, every
 *   signed-in page and the public status pages, and works from the keyboard;
 * - `/?kiosk=1` shows the tiles and no header or navigation, and a tile
 *   turns FAIL live (SSE) when its check flips;
 * - screenshots (light and dark, desktop and phone) go to
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
import { describeDaemon, tempDir } from '../servers/common.ts';
import { testCert, writeCert } from '../servers/tls-cert.ts';
import { fastHash } from '../web/helpers.ts';
import { CHROMIUM, launchChromium, SHOTS, submitSignIn, watchPage, closeBrowser } from './browser.ts';

const ADMIN_PW = 'admin-looks-pass';

describeDaemon('themes and the kiosk view in Chromium', [CHROMIUM], () => {
  let dir: string;
  let cleanup: () => void;
  let site: Site;
  let base: string;
  let ctx: BrowserContext;
  let page: Page;
  let target: Server | null = null;
  const problems: string[] = [];

  const bg = (): Promise<string> => page.evaluate('getComputedStyle(document.body).backgroundColor');
  const shot = (name: string): Promise<Buffer> => page.screenshot({ path: join(SHOTS, `looks-${name}.png`) });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const t = tempDir('sw-looks-');
    dir = t.dir;
    cleanup = t.cleanup;
    const cert = await testCert();
    target = createServer({ cert: cert.cert, key: cert.key }, (_q, r) => r.end('ok'));
    target.listen(0, '127.0.0.1');
    await once(target, 'listening');
    const port = (target.address() as AddressInfo).port;
    const checks: Record<string, unknown> = {
      web: { type: 'https', trigger: { interval: { seconds: 1 } }, options: { hostname: '127.0.0.1', port, timeout: 5 } },
    };
    for (let i = 1; i <= 5; i++) checks[`host-${i}`] = { type: 'memory', options: { level: 100 } };
    const path = join(dir, 'site.json');
    writeFileSync(
      path,
      JSON.stringify(
        {
          webui: {
            name: 'Looks Site',
            hostname: '127.0.0.1',
            port: null,
            ...writeCert(dir, 'ui', cert),
            users: { admin: await fastHash(ADMIN_PW), '': await fastHash('dummy') },
          },
          scheduler: { jitter: 0 },
          actions: { journal: { type: 'log' } },
          checks,
          statusPages: [{ slug: 'public', title: 'Looks status', public: true, groups: [{ name: 'Web', checks: [{ check: 'web', label: 'Website' }] }] }],
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
    for (let i = 1; i <= 5; i++) await site.runNow(`host-${i}`);
    base = services.find((s): s is WebService => s instanceof WebService)!.address()!.url;

    ctx = await launchChromium(join(dir, 'profile'), { viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
    page = ctx.pages()[0] ?? (await ctx.newPage());
    watchPage(page, problems, { withUrl: true });
  });

  afterAll(async () => {
    await closeBrowser(ctx);
    await site?.stop();
    target?.close();
    cleanup?.();
  });

  it('the theme picker changes the colours at once, from the keyboard, and the choice survives a reload', { timeout: 180_000 }, async () => {
    // the sign-in page has the picker too
    await page.goto(`${base}/login`);
    const light = await bg();
    await page.selectOption('select[data-theme-pick]', 'dark');
    const dark = await bg();
    expect(dark).not.toBe(light);
    await page.reload();
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
    expect(await bg()).toBe(dark);
    await submitSignIn(page, 'admin', ADMIN_PW);
    await page.waitForURL(`${base}/`);
    // the server painted the page dark: no light first paint
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
    expect(await bg()).toBe(dark);
    expect(await page.inputValue('select[data-theme-pick]')).toBe('dark');
    await shot('home-dark-desktop');

    // from the keyboard: focus the picker, choose Light with the arrow keys
    await page.focus('select[data-theme-pick]');
    await page.keyboard.press('ArrowUp');
    await expect.poll(() => page.getAttribute('html', 'data-theme'), { timeout: 10_000 }).toBe('light');
    expect(await bg()).toBe(light);
    await page.reload();
    expect(await page.getAttribute('html', 'data-theme')).toBe('light');
    expect(await bg()).toBe(light);
    await shot('home-light-desktop');

    // "System" forgets the choice: the system's dark setting decides again
    await page.selectOption('select[data-theme-pick]', 'system');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.reload();
    expect(await page.getAttribute('html', 'data-theme')).toBeNull();
    expect(await bg()).toBe(dark);
    // …unless the picker says light
    await page.selectOption('select[data-theme-pick]', 'light');
    expect(await bg()).toBe(light);
    await page.selectOption('select[data-theme-pick]', 'system');
    await page.emulateMedia({ colorScheme: 'light' });

    // the public status page, signed out (a fresh browser context: no session, no cookie)
    const anon = await ctx.browser()?.newContext({ ignoreHTTPSErrors: true, colorScheme: 'light' });
    const other = anon ? await anon.newPage() : await ctx.newPage();
    await other.goto(`${base}/status/public`);
    const spLight = await other.evaluate('getComputedStyle(document.body).backgroundColor');
    await other.selectOption('select[data-theme-pick]', 'dark');
    await other.reload();
    expect(await other.getAttribute('html', 'data-theme')).toBe('dark');
    expect(await other.evaluate('getComputedStyle(document.body).backgroundColor')).not.toBe(spLight);
    await other.setViewportSize({ width: 390, height: 844 });
    await other.screenshot({ path: join(SHOTS, 'looks-status-dark-phone.png'), fullPage: true });
    if (anon) await anon.close();
    else await other.close();
    expect(problems).toEqual([]);
  });

  it('?kiosk=1 shows large tiles and no navigation, and a tile turns FAIL live', { timeout: 180_000 }, async () => {
    await page.goto(`${base}/?kiosk=1`);
    await page.waitForSelector('body.kiosk[data-live="on"]');
    expect(await page.locator('nav.main').count()).toBe(0);
    expect(await page.locator('header.top').count()).toBe(0);
    // connected: the "not updating live" line is hidden
    expect(await page.locator('.kiosk-stale').isVisible()).toBe(false);
    const tile = page.locator('.tile', { has: page.locator('a', { hasText: /^web$/ }) });
    await tile.locator('[data-state="PASS"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('.tile').count()).toBe(6);
    // readable across a room: the check's name is far larger than body text (polled: a live swap may replace the
    // tile while it is read, and a detached element has no computed style)
    const size = async (): Promise<number> =>
      parseFloat(
        await tile.locator('a').evaluate((a) => (globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string } }).getComputedStyle(a).fontSize),
      );
    await expect.poll(size, { timeout: 10_000 }).toBeGreaterThanOrEqual(24);
    await page.evaluate('window.marker = 7');
    await shot('kiosk-light-desktop');

    // the watched server goes away: the tile turns FAIL without a reload
    target!.close();
    target!.closeAllConnections();
    await tile.locator('[data-state="FAIL"]').waitFor({ timeout: 30_000 });
    expect(await page.evaluate('window.marker')).toBe(7);
    await shot('kiosk-fail-light-desktop');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(SHOTS, 'looks-kiosk-light-phone.png'), fullPage: true });
    const kioskLight = await bg();
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.reload();
    await page.waitForSelector('body.kiosk');
    // no cookie left ("System"): the system's dark setting decides
    expect(await bg()).not.toBe(kioskLight);
    await page.screenshot({ path: join(SHOTS, 'looks-kiosk-dark-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    await shot('kiosk-dark-desktop');
    await page.goto(`${base}/checks`);
    await shot('checks-dark-desktop');

    expect(problems).toEqual([]);
    // the session ends (signed out in another tab): the stream closes and the wall screen says it is stale
    await page.goto(`${base}/?kiosk=1`);
    await page.waitForSelector('body.kiosk[data-live="on"]');
    const tab = await ctx.newPage();
    await tab.goto(`${base}/`);
    await tab.click('nav.main button[type=submit]');
    await tab.waitForURL(/\/login/);
    await tab.close();
    await page.locator('.kiosk-stale').waitFor({ state: 'visible', timeout: 30_000 });
  });
});
