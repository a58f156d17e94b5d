/**
 * Status pages in Chromium (issue 22): an operator posts an incident from
 * the management page; a signed-out visitor reads the public page with the
 * incident, its banner and uptime bars (no CSP complaint: the bars are SVG
 * with classes); a viewer has no form and is refused when posting anyway.
 * Screenshots (light/dark, desktop/phone) go to test-artifacts/e2e/.
 */
import { it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, launchBrowser, SHOTS, signIn, watchPage, closeBrowser } from './browser.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Site } from '../../src/site.ts';
import * as wiring from '../../src/wiring.ts';
import { WebService } from '../../src/web/server.ts';
import { describeDaemon, tempDir } from '../servers/common.ts';
import { fastHash } from '../web/helpers.ts';

const PW = { olly: 'operator-e2e-pass', vera: 'viewer-e2e-pass' };

describeDaemon('status pages in Chromium', [CHROMIUM], () => {
  let cleanup: () => void;
  let site: Site;
  let base: string;
  let browser: Browser;
  const problems: string[] = [];

  const context = async (o: { dark?: boolean; phone?: boolean } = {}): Promise<{ ctx: BrowserContext; page: Page }> => {
    const ctx = await browser.newContext({
      viewport: o.phone ? { width: 390, height: 844 } : { width: 1200, height: 900 },
      colorScheme: o.dark ? 'dark' : 'light',
    });
    const page = await ctx.newPage();
    watchPage(page, problems);
    return { ctx, page };
  };

  const login = (page: Page, user: 'olly' | 'vera'): Promise<void> => signIn(page, base, user, PW[user]);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const t = tempDir('sw-e2e-sp-');
    cleanup = t.cleanup;
    const path = join(t.dir, 'site.json');
    writeFileSync(
      path,
      JSON.stringify(
        {
          webui: {
            name: 'E2E Status',
            hostname: '127.0.0.1',
            port: null,
            cert: null,
            key: null,
            users: { olly: await fastHash(PW.olly), vera: await fastHash(PW.vera), '': await fastHash('dummy-pass') },
            roles: { olly: 'operator', vera: 'viewer' },
          },
          scheduler: { jitter: 0 },
          checks: { 'disk-root': { type: 'disk', options: { volume: '/', level: 100 } }, memory: { type: 'memory', options: { level: 100 } } },
          statusPages: [
            {
              slug: 'public',
              title: 'Example Org status',
              description: 'Services we run for the office.',
              public: true,
              groups: [
                {
                  name: 'Servers',
                  checks: [
                    { check: 'disk-root', label: 'File server' },
                    { check: 'memory', label: 'Application server' },
                  ],
                },
              ],
            },
          ],
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
    await site.runNow('disk-root');
    await site.runNow('memory');
    base = services.find((s): s is WebService => s instanceof WebService)!.address()!.url;
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await closeBrowser(browser);
    await site?.stop();
    cleanup?.();
  });

  it('a public page readable signed out shows the incident an operator posted; a viewer cannot post', { timeout: 180_000 }, async () => {
    // the operator reports an incident
    const op = await context();
    await login(op.page, 'olly');
    await op.page.goto(`${base}/status-pages`);
    await op.page.click('a:has-text("Edit and report incidents")');
    await op.page.fill('#f-title', 'Slow file server');
    await op.page.selectOption('#f-impact', 'minor');
    await op.page.fill('#f-body', 'Copies take longer than usual; we are looking into it.');
    await op.page.click('button:has-text("Publish incident")');
    await op.page.waitForSelector('text=Incident published.');
    await op.page.screenshot({ path: join(SHOTS, 'status-manage.png'), fullPage: true });

    // a visitor without a session, four ways
    for (const o of [{}, { dark: true }, { phone: true }, { phone: true, dark: true }]) {
      const v = await context(o);
      const res = await v.page.goto(`${base}/status/public`);
      expect(res?.status()).toBe(200);
      expect(v.page.url()).toBe(`${base}/status/public`);
      await expect(v.page.locator('.sp-banner').textContent()).resolves.toBe('Partial outage');
      await expect(v.page.locator('.incident h3').first().textContent()).resolves.toContain('Slow file server');
      await expect(v.page.locator('.incident .updates p').first().textContent()).resolves.toBe('Copies take longer than usual; we are looking into it.');
      expect(await v.page.locator('svg.ubars').count()).toBe(2);
      // no history before today: 89 days of "no data" in one rect, and today
      expect(await v.page.locator('svg.ubars rect').count()).toBe(4);
      await expect(v.page.locator('svg.ubars rect.ub-up title').first().textContent()).resolves.toMatch(/^\d{4}-\d\d-\d\d: 100 % of 1 run$/);
      // the bars have their colours from the style sheet
      const fill = await v.page.evaluate('getComputedStyle(document.querySelector("svg.ubars rect.ub-up")).fill');
      expect(fill).toMatch(/^rgb\(/);
      expect(await v.page.content()).not.toContain('disk-root');
      await v.page.screenshot({ path: join(SHOTS, `status-public${o.dark ? '-dark' : ''}${o.phone ? '-phone' : ''}.png`), fullPage: true });
      await v.ctx.close();
    }

    // the operator resolves it; the signed-out page says so
    await op.page.fill('textarea[name=body][id^=u]', 'Fixed: a failing disk was replaced.');
    await op.page.selectOption('select[name=status][id^=u]', 'resolved');
    await op.page.click('button:has-text("Post update")');
    await op.page.waitForSelector('text=Incident published.');
    const v = await context();
    await v.page.goto(`${base}/status/public`);
    await expect(v.page.locator('.sp-banner').textContent()).resolves.toBe('All systems operational');
    expect(await v.page.locator('#sp-past').count()).toBe(1);
    await v.ctx.close();
    await op.ctx.close();

    // a viewer sees no form, and a hand-made post is refused
    const viewer = await context();
    await login(viewer.page, 'vera');
    await viewer.page.goto(`${base}/status-pages/public`);
    expect(await viewer.page.locator('button:has-text("Publish incident")').count()).toBe(0);
    expect(problems).toEqual([]);
    const status = await viewer.page.evaluate(`(async () => {
      const token = document.querySelector('meta[name=csrf-token]').content;
      const body = new URLSearchParams({ _csrf: token, title: 'Not allowed', impact: 'major', status: 'investigating', body: 'x' });
      return (await fetch('/status-pages/public/incidents', { method: 'POST', body, headers: { 'X-CSRF-Token': token } })).status;
    })()`);
    expect(status).toBe(403);
    await viewer.page.goto(`${base}/status/public`);
    expect(await viewer.page.content()).not.toContain('Not allowed');
    await viewer.ctx.close();
    // the refused post is the only complaint the browser logged
    expect(problems).toEqual(['console error: Failed to load resource: the server responded with a status of 403 (Forbidden)']);
  });
  it("a check's chart range picker changes the range", { timeout: 120_000 }, async () => {
    for (const o of [{}, { dark: true, phone: true }]) {
      const v = await context(o);
      await login(v.page, 'vera');
      await v.page.goto(`${base}/check/disk-root`);
      await v.page.click('a:has-text("Charts: response time")');
      await v.page.waitForURL(`${base}/check/disk-root/charts`);
      expect(await v.page.locator('nav.ranges a[aria-current=page]').textContent()).toBe('24 hours');
      expect(await v.page.locator('figure.chart figcaption').first().textContent()).toMatch(/over the last 24 hours: \d+ runs?/);
      await v.page.click('nav.ranges a:has-text("7 days")');
      await v.page.waitForURL(`${base}/check/disk-root/charts?range=7d`);
      expect(await v.page.locator('nav.ranges a[aria-current=page]').textContent()).toBe('7 days');
      expect(await v.page.locator('figure.chart figcaption').first().textContent()).toMatch(/over the last 7 days: \d+ runs?/);
      expect(await v.page.locator('svg.chart-svg').count()).toBeGreaterThan(0);
      await v.page.screenshot({ path: join(SHOTS, `charts${o.dark ? '-dark' : ''}${o.phone ? '-phone' : ''}.png`), fullPage: true });
      await v.ctx.close();
    }
    expect(problems.filter((p) => !p.includes('status of 403'))).toEqual([]);
  });
});
