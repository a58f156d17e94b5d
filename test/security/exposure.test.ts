/**
 * Issue 15, the smaller findings: the site database and its -wal and -shm
 * files are private (0600) like the site file; badges carry the same
 * embeddable headers on the web UI's port as on the API listener; /metrics
 * needs a token by default when its listener is not on loopback.
 */
import { openSite, apiSiteView, webSiteView } from '../../src/wiring.ts';
import { describe, it, expect, afterEach } from 'vitest';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebService } from '../../src/web/server.ts';
import { WEB_MIGRATIONS } from '../../src/web/sessions.ts';
import { API_MIGRATIONS, siteTokens } from '../../src/api/tokens.ts';
import { API_PATH_PREFIXES, apiRoutes, createApiContext } from '../../src/api/app.ts';
import { ApiService } from '../../src/api/service.ts';
import { openDatabase } from '../../src/store/db.ts';
import { openApiSite, type ApiTestSite } from '../api/helpers.ts';
import { Agent, PASSWORDS, fastHash, formHtml, scrapeForm, webSite } from '../web/helpers.ts';
import { freePort, tempDir } from '../servers/common.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const mode = (p: string): number => statSync(p).mode & 0o777;

describe('the site database is private', () => {
  it('site.db, -wal and -shm are created 0600, whatever the umask lets through', async () => {
    const t = tempDir('sw-mode-');
    cleanups.push(() => t.cleanup());
    const path = join(t.dir, 'site.json');
    writeFileSync(path, JSON.stringify({ checks: { m: { type: 'memory', options: { level: 100 } } } }), { mode: 0o600 });
    const site = await openSite({ configPath: path });
    cleanups.push(() => site.stop());
    await site.runNow('m');
    for (const f of ['site.db', 'site.db-wal', 'site.db-shm']) expect(mode(join(t.dir, f)), f).toBe(0o600);
  });

  it('a database left readable by an older version is made private when opened', () => {
    const t = tempDir('sw-mode-');
    cleanups.push(() => t.cleanup());
    const path = join(t.dir, 'old.db');
    openDatabase(path).close();
    for (const f of [path, `${path}-wal`, `${path}-shm`]) {
      try {
        chmodSync(f, 0o644);
      } catch {
        // -wal and -shm are gone after a clean close
      }
    }
    const db = openDatabase(path);
    db.prepare('INSERT INTO kv (key, value) VALUES (?, ?)').run('k', 'v');
    for (const f of [path, `${path}-wal`, `${path}-shm`]) expect(mode(f), f).toBe(0o600);
    db.close();
  });
});

describe('badges are embeddable from both ports', () => {
  it('the web UI port and the API listener answer with the same badge headers (CORP cross-origin, the badge CSP)', async () => {
    const t = tempDir('sw-badge-');
    cleanups.push(() => t.cleanup());
    const apiPort = await freePort();
    const path = join(t.dir, 'site.json');
    writeFileSync(
      path,
      JSON.stringify({
        webui: { name: 'B', hostname: '127.0.0.1', port: null, users: { admin: await fastHash('admin-pass-1') } },
        api: { hostname: '127.0.0.1', port: apiPort },
        checks: { m: { type: 'memory', options: { level: 100, badge: true } } },
      }),
    );
    const site = await openSite({ configPath: path, migrations: [WEB_MIGRATIONS, API_MIGRATIONS] });
    // one API state for both listeners, as wiring.ts does
    const api = createApiContext(apiSiteView(site));
    const web = new WebService(webSiteView(site), { port: 0 }).mount('/', apiRoutes(api), { exempt: API_PATH_PREFIXES });
    site.use(web).use(new ApiService({ hostname: '127.0.0.1', port: apiPort }, api, site));
    await site.start();
    cleanups.push(() => site.stop());
    const KEYS = [
      'content-type',
      'cache-control',
      'x-content-type-options',
      'content-security-policy',
      'cross-origin-resource-policy',
      'cross-origin-embedder-policy',
      'x-frame-options',
    ];
    const headersAt = async (base: string): Promise<Record<string, string | null>> => {
      const res = await fetch(`${base}/badge/m/state.svg`);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/^<svg /);
      return Object.fromEntries(KEYS.map((k) => [k, res.headers.get(k)]));
    };
    const onWeb = await headersAt(web.address()!.url);
    const onApi = await headersAt(`http://127.0.0.1:${apiPort}`);
    expect(onWeb).toEqual(onApi);
    expect(onWeb).toMatchObject({
      'cross-origin-resource-policy': 'cross-origin',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      'x-content-type-options': 'nosniff',
      'cross-origin-embedder-policy': null,
      'x-frame-options': null,
    });
    // the pages on that port keep theirs
    const page = await fetch(`${web.address()!.url}/login`);
    expect(page.headers.get('cross-origin-resource-policy')).toBe('same-origin');
  });
});

describe('/metrics off loopback', () => {
  let t: ApiTestSite;
  afterEach(() => t.close());

  const scrape = (app: ReturnType<typeof apiRoutes>, token?: string): Promise<number> =>
    Promise.resolve(app.request('/metrics', { headers: token ? { authorization: `Bearer ${token}` } : {} })).then((r) => r.status);

  it('by default: open on a loopback listener, a token needed on any other', async () => {
    t = await openApiSite({ checks: {} });
    for (const host of ['localhost', '127.0.0.1', '::1'])
      expect(await scrape(apiRoutes(createApiContext(apiSiteView(t.site)), { listenHost: () => host }), undefined), host).toBe(200);
    for (const host of ['', '0.0.0.0', '::', '192.0.2.1', 'siteward.example.org', null]) {
      const app = apiRoutes(createApiContext(apiSiteView(t.site)), { listenHost: () => host });
      expect(await scrape(app), String(host)).toBe(401);
      expect(await scrape(app, t.token.read), String(host)).toBe(200);
    }
  });

  it('api.metricsAuth decides when set: true always needs a token, false never does', async () => {
    t = await openApiSite({ api: { metricsAuth: false }, checks: {} });
    expect(await scrape(apiRoutes(createApiContext(apiSiteView(t.site)), { listenHost: () => '0.0.0.0' }))).toBe(200);
    await t.close();
    t = await openApiSite({ api: { metricsAuth: true }, checks: {} });
    expect(await scrape(apiRoutes(createApiContext(apiSiteView(t.site)), { listenHost: () => '127.0.0.1' }))).toBe(401);
    expect(siteTokens(t.site).list().length).toBeGreaterThan(0);
  });
});

describe('api.metricsAuth on the config page', () => {
  it('is a choice of yes, no and the default, and saving the page keeps what the file says', async () => {
    const t = await webSite();
    cleanups.push(() => t.close());
    const a = new Agent(t.web);
    await a.login('admin', PASSWORDS.admin);
    const api = (): Record<string, unknown> => (t.site.loaded.doc.api ?? {}) as Record<string, unknown>;
    for (const [choice, stored] of [
      ['false', false],
      ['true', true],
      ['', undefined],
    ] as const) {
      const page = await a.page('/config');
      expect(page).toMatch(
        /<select id="f-api_2emetricsAuth" name="api.metricsAuth"[^>]*><option value=""[^>]*>\(default\)<\/option><option value="true"[^>]*>yes<\/option><option value="false"[^>]*>no<\/option>/,
      );
      const res = await a.post('/config', { ...scrapeForm(formHtml(page, 'action="/config"')), 'api.metricsAuth': choice });
      expect(res.status, choice).toBe(303);
      expect(api().metricsAuth, choice).toBe(stored);
      if (stored !== undefined) {
        // saved again unchanged, the value stays
        const again = await a.page('/config');
        expect((await a.post('/config', scrapeForm(formHtml(again, 'action="/config"')))).status).toBe(303);
        expect(api().metricsAuth).toBe(stored);
      }
    }
  });
});
