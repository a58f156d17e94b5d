/**
 * End to end in Chromium (playwright-core, toolchain.md §4) against a running
 * siteward — the site, the wiring's services and its HTTPS web UI — and a
 * real local HTTPS server for the check:
 *
 * log in, add a check, run it and see PASS; stop the server and see the check
 * turn FAIL on the open page without a reload (SSE); edit its trigger text;
 * clone; reorder; delete; add a viewer and confirm it cannot edit.
 *
 * The check is an `https` check against the local server (its certificate is
 * trusted through the site's extra CA list); stopping the server turns it FAIL.
 * Then the integrations: an API token created on the token page works
 * against /api/v1/status over HTTPS; a push check's URL shown on its page
 * records a heartbeat; its badge images load; MQTT switched on in the config
 * form connects (an in-process broker) and the status panel says so; the
 * action page shows delivery health after "Test action".
 * Screenshots of every page go to test-artifacts/e2e/ (not committed).
 */
import { it, expect, beforeAll, afterAll } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { createServer, request, type Server } from 'node:https';
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
import { startAedes, type AedesBroker } from '../servers/aedes.ts';
import { CHROMIUM, launchChromium, SHOTS, signIn, watchPage, closeBrowser } from './browser.ts';

const ADMIN_PW = 'admin-e2e-pass';
const VIEWER_PW = 'viewer-e2e-pass';

describeDaemon('web UI in Chromium', [CHROMIUM], () => {
  let dir: string;
  let cleanup: () => void;
  let site: Site;
  let base: string;
  let ctx: BrowserContext;
  let page: Page;
  let target: Server | null = null;
  let targetPort = 0;
  let ca = '';
  let broker: AedesBroker | null = null;
  const problems: string[] = [];

  /** A request with node's own client (no browser, no cookies), trusting the site's certificate. */
  const fetchTls = (url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const req = request(url, { ca, headers }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });

  const shot = async (name: string, p: Page = page): Promise<void> => {
    await p.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const t = tempDir('sw-e2e-');
    dir = t.dir;
    cleanup = t.cleanup;
    const cert = await testCert();
    ca = cert.cert;
    broker = await startAedes();
    const files = writeCert(dir, 'ui', cert);
    // the server the check watches
    target = createServer({ cert: cert.cert, key: cert.key }, (_q, r) => r.end('ok'));
    target.listen(0, '127.0.0.1');
    await once(target, 'listening');
    targetPort = (target.address() as AddressInfo).port;

    const path = join(dir, 'site.json');
    writeFileSync(
      path,
      JSON.stringify(
        {
          webui: { name: 'E2E Site', hostname: '127.0.0.1', port: null, ...files, users: { admin: await fastHash(ADMIN_PW), '': await fastHash('dummy') } },
          scheduler: { jitter: 0 },
          actions: { journal: { type: 'log' } },
          checks: { anchor: { type: 'disk', options: { volume: '/', level: 100 } } },
        },
        null,
        1,
      ),
      { mode: 0o600 },
    );
    // the check must trust the throwaway certificate (RunEnv.extraCa)
    site = await wiring.openSite({ configPath: path, migrations: wiring.migrations(), env: { extraCa: [cert.cert] } });
    const services = await wiring.services(site, { port: 0, webui: true });
    for (const s of services) site.use(s);
    await site.start();
    await site.runNow('anchor'); // a new check starts in FAIL (spec §3.1): make the home page all-clear
    const web = services.find((s): s is WebService => s instanceof WebService)!;
    base = web.address()!.url;
    expect(base).toMatch(/^https:/);

    const profile = join(dir, 'profile');
    ctx = await launchChromium(profile, { viewport: { width: 1200, height: 900 } });
    page = ctx.pages()[0] ?? (await ctx.newPage());
    const watch = (p: Page): void => watchPage(p, problems, { acceptDialogs: true });
    ctx.on('page', watch);
    watch(page);
  });

  afterAll(async () => {
    await closeBrowser(ctx);
    await site?.stop();
    target?.close();
    await broker?.close();
    cleanup?.();
  });

  const login = (user: string, password: string): Promise<void> => signIn(page, base, user, password);

  /** Opens a row's actions menu and presses one of its items (the menu replaced seven bare icons, issue 22). */
  const menu = async (check: string, item: string): Promise<void> => {
    const row = `section.group[data-group=""] tr[data-check="${check}"]`;
    await page.click(`${row} details.menu > summary`);
    await page.click(`${row} .menu-items :is(button, a):has-text("${item}")`);
  };

  const rowNames = async (group: string): Promise<string[]> =>
    page.locator(`section.group[data-group="${group}"] tbody tr[data-check]`).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-check') ?? ''));

  it('an administrator adds, runs, watches, edits, clones, reorders and deletes a check; a viewer cannot edit', { timeout: 180_000 }, async () => {
    // log in
    await page.goto(`${base}/`);
    await page.waitForURL(/\/login/);
    await shot('01-login');
    await login('admin', ADMIN_PW);
    // HTTP/2: every open page holds an event stream; HTTP/1.1 would cap a browser at six
    expect(await page.evaluate('performance.getEntriesByType("navigation")[0].nextHopProtocol')).toBe('h2');
    await shot('02-home');

    // add a check
    await page.goto(`${base}/check`);
    await page.selectOption('#f-checkType', 'https');
    await page.waitForSelector('#type-fields legend:text("https options")');
    await page.fill('#f-name', 'web');
    await page.fill('#f-trigger', 'interval 1 sec');
    await page.waitForSelector('#trigger-parse:has-text("✓ interval 1 sec")');
    await page.fill('#f-opt_2ehostname', '127.0.0.1');
    await page.fill('#f-opt_2eport', String(targetPort));
    await page.check('input[name="actions"][value="journal"]');
    await shot('03-new-check');
    await page.click('#check-form button[type=submit]');
    await page.waitForURL(`${base}/check/web?saved=1`);
    const status = `#status-${cid('web')}`;

    // run it, see PASS
    await page.click('button:has-text("Run check")');
    await page.waitForSelector(`${status} [data-state="PASS"]`);
    await page.waitForSelector('body[data-live="on"]');
    await shot('04-check-pass');

    // stop the server: the open page turns FAIL by itself (no reload)
    // (browser-side code as strings: the project's TS lib has no DOM types)
    await page.evaluate('window.marker = 42');
    target!.close();
    target!.closeAllConnections();
    await page.waitForSelector(`${status} [data-state="FAIL"]`, { timeout: 20_000 });
    expect(await page.evaluate('window.marker')).toBe(42);
    expect(await page.textContent(`#log-${cid('web')}`)).not.toBe('');
    await page.waitForSelector('#failbadge:has-text("1 check in fail state")');
    await shot('05-check-fail-live');

    // edit its trigger text (parsed as you type)
    await page.fill('#f-trigger', 'cron */5 min');
    await page.waitForSelector('#trigger-parse:has-text("✓ cron */5 min")');
    await page.fill('#f-trigger', 'cron 99 hr');
    await page.waitForSelector('#trigger-parse.bad');
    await page.fill('#f-trigger', 'cron */5 min');
    await page.waitForSelector('#trigger-parse:has-text("✓ cron */5 min")');
    await page.click('#check-form button[type=submit]');
    await page.waitForURL(`${base}/check/web?saved=1`);
    expect(await page.inputValue('#f-trigger')).toBe('cron */5 min');
    expect(site.entry('web')!.config.trigger).toEqual({ cron: { minute: '*/5' } });
    await shot('06-check-edited');

    // clone from the list (the list reloads itself)
    await page.goto(`${base}/checks`);
    await page.waitForSelector('body[data-live="on"]');
    expect(await rowNames('')).toEqual(['anchor', 'web']);
    await menu('web', 'Clone');
    await page.waitForSelector('tr[data-check="web-copy"]');
    expect(await rowNames('')).toEqual(['anchor', 'web', 'web-copy']);

    // reorder: move the copy up, twice
    await menu('web-copy', 'Move up');
    // a function (not a string: the page's CSP forbids string eval) run in the page
    type Doc = { document: { querySelector(s: string): { getAttribute(a: string): string | null } | null } };
    const copyAt = (n: number): boolean =>
      (globalThis as unknown as Doc).document.querySelector(`section.group[data-group=""] tbody tr:nth-child(${n})`)?.getAttribute('data-check') === 'web-copy';
    await page.waitForFunction(copyAt, 2);
    await menu('web-copy', 'Move up');
    await page.waitForFunction(copyAt, 1);
    expect(await rowNames('')).toEqual(['web-copy', 'anchor', 'web']);
    await shot('07-checks-reordered');

    // delete the copy (htmx asks for confirmation; the dialog is accepted)
    await menu('web-copy', 'Delete');
    await page.waitForSelector('tr[data-check="web-copy"]', { state: 'detached' });
    expect(site.entry('web-copy')).toBeUndefined();
    expect(await rowNames('')).toEqual(['anchor', 'web']);
    await shot('08-checks-after-delete');

    // filter
    await page.fill('#flt-q', 'anc');
    await page.waitForSelector('tr[data-check="web"]', { state: 'detached' });
    expect(await rowNames('')).toEqual(['anchor']);

    // other pages, for the record
    for (const [name, path] of [
      ['09-actions', '/actions'],
      ['10-action', '/action/journal'],
      ['11-log', '/log'],
      ['12-config', '/config'],
      ['13-raw', '/config/raw'],
      ['14-account', '/account'],
    ] as const) {
      await page.goto(`${base}${path}`);
      await shot(name);
    }

    // an API token, created in the browser, works against the REST API over HTTPS
    await page.goto(`${base}/tokens`);
    await shot('21-tokens-empty');
    await page.fill('#f-name', 'e2e-script');
    await page.selectOption('#f-scope', 'read');
    await page.fill('#f-expires', '30d');
    await page.click('#token-form button[type=submit]');
    await page.waitForSelector('#token-secret');
    const secret = await page.inputValue('#token-secret');
    expect(secret).toMatch(/^swt_[A-Za-z0-9_-]{43}$/);
    await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    await page.click('button[data-copy="token-secret"]');
    await page.waitForSelector('button[data-copy="token-secret"]:has-text("Copied")');
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
    await shot('22-token-created');
    const api = await fetchTls(`${base}/api/v1/status`, { Authorization: `Bearer ${secret}` });
    expect(api.status, api.body).toBe(200);
    expect(JSON.parse(api.body)).toMatchObject({ site: 'E2E Site', checks: { total: 2 } });
    expect((await fetchTls(`${base}/api/v1/status`, { Authorization: 'Bearer swt_wrong' })).status).toBe(401);
    await page.goto(`${base}/tokens`);
    expect(await page.content()).not.toContain(secret);
    await page.waitForSelector('tr[data-token] td[data-label="Last used"]:not(:has-text("never"))');
    await shot('23-tokens-list');

    // a push check: its page shows the URL, which records a heartbeat; its badges load
    await page.goto(`${base}/check`);
    await page.selectOption('#f-checkType', 'push');
    await page.waitForSelector('#type-fields legend:text("push options")');
    await page.fill('#f-name', 'nightly backup');
    await page.fill('#f-opt_2etimeout', '86400');
    await page.check('#f-opt_2ebadge');
    await shot('24-new-push-check');
    await page.click('#check-form button[type=submit]');
    await page.waitForURL(/\/check\/nightly%20backup/);
    // the token is generated by the API's push hub and saved; the page shows it once it is there
    for (let i = 0; i < 50 && (await page.locator('#push-url-0').count()) === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await page.reload();
    }
    const pushUrl = await page.inputValue('#push-url-0');
    expect(pushUrl).toMatch(new RegExp(`^${base}/push/[A-Za-z0-9_-]{32}$`));
    expect((await fetchTls(pushUrl)).status).toBe(200);
    expect(site.state('nightly backup').failState).toBe(false);
    await page.reload();
    await page.waitForSelector(`#status-${cid('nightly backup')} [data-state="PASS"]`);
    // the badge images are served (same origin, under the page's CSP and COEP) and decode
    await page.waitForFunction(() =>
      [
        ...(
          globalThis as unknown as { document: { querySelectorAll(s: string): Iterable<{ complete: boolean; naturalWidth: number }> } }
        ).document.querySelectorAll('#badges img'),
      ].every((i) => i.complete && i.naturalWidth > 0),
    );
    await shot('25-push-check');

    // MQTT switched on in the config form: the federation connects and the status panel says so
    await page.goto(`${base}/config`);
    await page.check('#f-mqtt_2eenable');
    await page.fill('#f-mqtt_2ehostname', '127.0.0.1');
    await page.fill('#f-mqtt_2eport', String(broker!.port));
    await page.fill('#f-mqtt_2einstance', 'e2e-hq');
    // the site file has no port (the test runs on --port 0): the form needs one, and --port still wins
    await page.fill('#f-webui_2eport', new URL(base).port);
    await page.click('form.stack button[type=submit]');
    await page.waitForURL(`${base}/config?saved=1`);
    for (let i = 0; i < 50 && (await page.locator('#federation strong.ok').count()) === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      await page.reload();
    }
    await page.waitForSelector('#federation strong.ok:has-text("connected")');
    expect(await page.textContent('#federation')).toContain('e2e-hq');
    await shot('26-config-mqtt-connected');

    // "Test action" and the delivery health of the action
    await page.goto(`${base}/action/journal`);
    await page.click('button:has-text("Test action")');
    await page.waitForSelector('.notice.ok:has-text("Test notification sent")');
    await page.waitForSelector('#health .ok:has-text("delivering")');
    await shot('27-action-tested');
    await page.goto(`${base}/actions`);
    await shot('28-actions-health');
    // a form with secrets (inline, env or file), a JSON object and a template
    await page.goto(`${base}/action?type=webhook`);
    await page.selectOption('#f-opt_2eurl-src', 'env');
    await page.fill('#f-opt_2eurl-ref', 'HOOK_URL');
    await shot('29-new-webhook-action');

    // add a viewer
    await page.goto(`${base}/user`);
    await page.fill('#f-username', 'watcher');
    await page.selectOption('#f-role', 'viewer');
    await page.fill('#f-password', VIEWER_PW);
    await shot('15-new-user');
    await page.click('form.stack button[type=submit]');
    await page.waitForURL(`${base}/users?saved=watcher`);
    await shot('16-users');

    // sign out, sign in as the viewer
    await page.click('nav.main button:has-text("Sign out")');
    await page.waitForURL(`${base}/login`);
    await login('watcher', VIEWER_PW);
    await page.goto(`${base}/check/web`);
    expect(await page.locator('#check-form').count()).toBe(0);
    expect(await page.locator('button:has-text("Run check")').count()).toBe(0);
    expect(await page.locator('nav.main a[href="/users"]').count()).toBe(0);
    await shot('17-viewer-check');
    await page.goto(`${base}/checks`);
    expect(await page.locator('a:has-text("Add check")').count()).toBe(0);
    expect(await page.locator('details.menu').count()).toBe(0);
    // the server refuses even a well-formed edit with the viewer's own CSRF token
    const token = await page.getAttribute('meta[name="csrf-token"]', 'content');
    const res = await page.request.post(`${base}/check/web/pause`, { form: { _csrf: token ?? '', paused: '1' }, maxRedirects: 0 });
    expect(res.status()).toBe(403);
    expect(site.entry('web')!.config.paused).toBe(false);
    expect((await page.request.get(`${base}/config`, { maxRedirects: 0 })).status()).toBe(403);

    // the dark theme follows the system setting
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(`${base}/check/web`);
    await shot('18-dark-check');
    await page.emulateMedia({ colorScheme: 'light' });

    // a phone-sized screen
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/checks`);
    await shot('19-phone-checks');
    await page.goto(`${base}/`);
    await shot('20-phone-home');

    // no CSP violation, no script error anywhere
    expect(problems).toEqual([]);
  });
});
