/**
 * The first ten minutes, in Chromium (issue 17), on the README's quick start:
 * what `npm start` runs (`siteward --config site/site.json --create`, built)
 * in an empty folder, with the web UI port from SITEWARD_WEBUI_PORT; sign in
 * with the user and password it prints; follow the Get started card's links;
 * paste the URL of a local HTTPS server into the Add-check form and touch
 * nothing else; see PASS within a minute of saving; stop the server and see
 * FAIL on the open page when the next scheduled run comes, and the log
 * action's lines on the Log page.
 *
 * The server's certificate is trusted the way a user trusts a private CA,
 * NODE_EXTRA_CA_CERTS (README). Screenshots of every step, and of the changed
 * pages in dark mode and at phone width, go to test-artifacts/newcomer/.
 */
import { it, expect, beforeAll, afterAll } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:https';
import { once } from 'node:events';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { PROJECT_ROOT } from '../../src/version.ts';
import { describeDaemon, freePort, tempDir } from '../servers/common.ts';
import { testCert, writeCert } from '../servers/tls-cert.ts';
import { CHROMIUM, launchChromium, submitSignIn, watchPage, closeBrowser } from './browser.ts';
import { stopChild } from '../helpers/teardown.ts';

const CLI = join(PROJECT_ROOT, 'dist', 'bin', 'siteward.js');
const SHOTS = join(PROJECT_ROOT, 'test-artifacts', 'newcomer');

describeDaemon('a newcomer in Chromium', [CHROMIUM], () => {
  let dir: string;
  let cleanup: () => void;
  let child: ChildProcess;
  let out = '';
  let err = '';
  let target: Server | null = null;
  let targetUrl = '';
  let base = '';
  let ctx: BrowserContext;
  let page: Page;
  const problems: string[] = [];

  const shot = async (name: string, p: Page = page): Promise<void> => {
    await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  };

  const until = async (fn: () => boolean, ms: number, what: string): Promise<void> => {
    const end = Date.now() + ms;
    while (!fn()) {
      if (Date.now() > end || child.exitCode !== null) throw new Error(`${what}:\n${out}\n${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const t = tempDir('sw-newcomer-');
    dir = t.dir;
    cleanup = t.cleanup;
    const cert = await testCert();
    const files = writeCert(dir, 'target', cert);
    target = createServer({ cert: cert.cert, key: cert.key }, (_q, r) => {
      r.writeHead(200, { 'Content-Type': 'text/plain' });
      r.end('ok');
    });
    target.listen(0, '127.0.0.1');
    await once(target, 'listening');
    targetUrl = `https://localhost:${(target.address() as AddressInfo).port}/health`;

    const webPort = await freePort();
    // package.json "start": node dist/bin/siteward.js --config site/site.json --create
    child = spawn(process.execPath, [CLI, '--config', 'site/site.json', '--create'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SITEWARD_CONFIG: '', SITEWARD_WEBUI_PORT: String(webPort), NODE_EXTRA_CA_CERTS: files.cert },
    });
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    await until(() => /siteward running/.test(err), 60_000, 'siteward did not start');
    base = /^Site address: (\S+)$/m.exec(out)![1];
    expect(base).toBe(`https://localhost:${webPort}`);

    // the certificate warning the first start explains; a person accepts it once
    ctx = await launchChromium(join(dir, 'profile'), { viewport: { width: 1200, height: 900 } });
    page = ctx.pages()[0] ?? (await ctx.newPage());
    const watch = (p: Page): void => watchPage(p, problems);
    ctx.on('page', watch);
    watch(page);
  }, 120_000);

  afterAll(async () => {
    await closeBrowser(ctx);
    if (child) await stopChild(child);
    target?.close();
    cleanup?.();
  });

  it(
    "signs in with the printed user and password, follows Get started, pastes a URL and sees PASS, then FAIL and the log action's lines",
    { timeout: 240_000 },
    async () => {
      const user = /^User name: (\S+)$/m.exec(out)![1];
      const password = /^Password: (\S+)$/m.exec(out)![1];
      expect(out).toContain('self-signed');

      // sign in
      await page.goto(`${base}/`);
      await page.waitForURL(/\/login/);
      await shot('01-login');
      await submitSignIn(page, user, password);
      await page.waitForURL(`${base}/`);

      // the first page says what to do
      const start = page.locator('section.start');
      await expect.poll(() => start.isVisible()).toBe(true);
      expect(await start.innerText()).toMatch(/Add a check[\s\S]*Add a notification/);
      await shot('02-home-get-started');

      // Add a notification: the action form, for email
      await start.getByRole('link', { name: 'Add a notification' }).click();
      await page.waitForURL(`${base}/action?type=email`);
      expect(await page.locator('select[name=actionType]').inputValue()).toBe('email');
      await shot('03-add-notification');
      await page.goBack();

      // Add a check: https, every minute, the log action ticked
      await page.locator('section.start').getByRole('link', { name: 'Add a check' }).click();
      await page.waitForURL(`${base}/check`);
      expect(await page.locator('select[name=checkType]').inputValue()).toBe('https');
      expect(await page.locator('input[name=trigger]').inputValue()).toBe('1 min');
      expect(await page.locator('input[name=actions][value=log]').isChecked()).toBe(true);
      expect(await page.locator('[name="opt.expectStatus"]').inputValue()).toBe('200-399');
      await shot('04-new-check-form');

      // paste the URL into the host name field, touch nothing else
      await page.locator('input[name="opt.hostname"]').focus();
      await page.keyboard.insertText(targetUrl);
      const u = new URL(targetUrl);
      expect(await page.locator('input[name="opt.hostname"]').inputValue()).toBe('localhost');
      expect(await page.locator('input[name="opt.port"]').inputValue()).toBe(u.port);
      expect(await page.locator('input[name="opt.reqPath"]').inputValue()).toBe('/health');
      expect(await page.locator('input[name="opt.tls"]').isChecked()).toBe(true);
      const name = `localhost:${u.port}`;
      expect(await page.locator('input[name=name]').inputValue()).toBe(name);
      await shot('05-url-pasted');
      const saved = Date.now();
      await page.getByRole('button', { name: 'Add check' }).click();
      await page.waitForURL(/\/check\/.+\?saved=1/);

      // PASS within a minute of saving, on the open page
      const status = page.locator('[id^="status-"] .state');
      await expect.poll(() => status.getAttribute('data-state'), { timeout: 60_000, interval: 250 }).toBe('PASS');
      expect(Date.now() - saved).toBeLessThan(60_000);
      expect(await page.locator('pre.log, .log').first().innerText()).toMatch(/^HTTP 200 OK in \d+ ms · Content-Type: text\/plain/);
      await shot('06-check-pass');

      // the server stops: the next scheduled run turns the open page FAIL
      await new Promise<void>((r) => target!.close(() => r()));
      target = null;
      await expect.poll(() => status.getAttribute('data-state'), { timeout: 100_000, interval: 500 }).toBe('FAIL');
      expect(await page.locator('.log').first().innerText()).toContain('ConnectionRefusedError');
      await shot('07-check-fail');

      // the log action wrote both transitions
      await page.goto(`${base}/log`);
      const log = await page.locator('main').innerText();
      expect(log).toContain(`${name} (https): PASS`);
      expect(log).toContain(`${name} (https): FAIL`);
      await shot('08-log');

      // the home page now lists the failure; the Get started card keeps the notification step
      await page.goto(`${base}/`);
      // the header's count and the summary's agree (the machine's own cpu check may fail too on a busy host)
      const failing = Number(/(\d+) fail/.exec(await page.locator('#summary').innerText())?.[1]);
      expect(failing).toBeGreaterThanOrEqual(1);
      expect(await page.locator('#failbadge').innerText()).toBe(`${failing} check${failing === 1 ? '' : 's'} in fail state`);
      await shot('09-home-failing');
      expect(problems).toEqual([]);
    },
  );

  it('the changed pages in dark mode and at phone width', { timeout: 120_000 }, async () => {
    const pages = [
      ['home', '/'],
      ['new-check', '/check'],
      ['checks', '/checks'],
      ['log', '/log'],
    ] as const;
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const [size, viewport] of [
        ['desktop', { width: 1200, height: 900 }],
        ['phone', { width: 390, height: 844 }],
      ] as const) {
        await page.setViewportSize(viewport);
        for (const [label, path] of pages) {
          await page.goto(`${base}${path}`);
          await shot(`10-${label}-${scheme}-${size}`);
        }
      }
    }
    // phone: each row's cells are labelled, the next run as "Next run"
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/checks`);
    const labels = await page.locator('table.rows td[data-label]').evaluateAll((tds) => tds.map((td) => td.getAttribute('data-label')));
    expect(labels).toContain('Next run');
    expect(labels).not.toContain('Trigger');
    expect(problems).toEqual([]);
  });
});
