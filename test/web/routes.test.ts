/**
 * Every route's guard, checked against the app's own route table (a new
 * route without an entry here fails the first test): no session → login
 * (pages) or 401; a role below the route's → 403; an unsafe method without
 * the session's CSRF token, with a wrong one, or from another site → 403.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Role } from '../../src/web/auth.ts';
import { Agent, PASSWORDS, webSite, type TestSite } from './helpers.ts';

/** The role each route needs ('public' = no session needed). */
const NEED: Record<string, Role | 'public'> = {
  'GET /s/:file': 'public',
  'GET /login': 'public',
  'POST /login': 'public',
  'GET /logout': 'public',
  'POST /login/2fa': 'public',
  'POST /login/oidc': 'public',
  'GET /login/oidc/callback': 'public',
  'GET /account/2fa': 'viewer',
  'POST /account/2fa/start': 'viewer',
  'GET /account/2fa/qr.svg': 'viewer',
  'POST /account/2fa/confirm': 'viewer',
  'POST /account/2fa/recovery': 'viewer',
  'POST /account/2fa/disable': 'viewer',
  'GET /user/:name/2fa-reset': 'admin',
  'POST /user/:name/2fa-reset': 'admin',
  'GET /reports': 'viewer',
  'GET /reports.csv': 'viewer',
  'GET /reports.json': 'viewer',
  'GET /reports/check/:name': 'viewer',
  'GET /check/:name/history.csv': 'viewer',
  'POST /ui/action-preview': 'operator',
  'POST /logout': 'viewer',
  'GET /account': 'viewer',
  'POST /account/password': 'viewer',
  'GET /': 'viewer',
  'GET /status': 'viewer',
  'GET /log': 'viewer',
  'POST /log/clear': 'operator',
  'GET /events': 'viewer',
  'GET /checks': 'viewer',
  'GET /checks/list': 'viewer',
  'POST /check/:name/run': 'operator',
  'POST /check/:name/pause': 'operator',
  'POST /check/:name/ack': 'operator',
  'POST /check/:name/maintenance': 'operator',
  'POST /check/:name/maintenance/end': 'operator',
  'POST /check/:name/clone': 'operator',
  'POST /check/:name/move': 'operator',
  'DELETE /check/:name': 'operator',
  'GET /check/:name/delete': 'operator',
  'POST /check/:name/delete': 'operator',
  'GET /clone/:name': 'operator',
  'GET /move/:name': 'operator',
  'GET /check': 'operator',
  'GET /check/': 'operator',
  'POST /check': 'operator',
  'POST /check/': 'operator',
  'GET /check/:name': 'viewer',
  'POST /check/:name': 'operator',
  'GET /ui/check-fields': 'operator',
  'GET /ui/trigger': 'operator',
  'GET /actions': 'viewer',
  'GET /action': 'operator',
  'GET /action/': 'operator',
  'POST /action': 'operator',
  'POST /action/': 'operator',
  'GET /action/:name': 'viewer',
  'POST /action/:name': 'operator',
  'POST /action/:name/test': 'operator',
  'GET /action/:name/delete': 'operator',
  'POST /action/:name/delete': 'operator',
  'GET /ui/action-fields': 'operator',
  'GET /users': 'admin',
  'GET /user': 'admin',
  'GET /user/': 'admin',
  'GET /user/:name': 'admin',
  'POST /user': 'admin',
  'POST /user/': 'admin',
  'POST /user/:name': 'admin',
  'GET /user/:name/delete': 'admin',
  'POST /user/:name/delete': 'admin',
  'GET /config': 'admin',
  'POST /config': 'admin',
  'GET /config/raw': 'admin',
  'POST /config/raw/check': 'admin',
  'POST /config/raw': 'admin',
  'GET /config/raw/rollback': 'admin',
  'POST /config/raw/rollback': 'admin',
  'GET /tokens': 'admin',
  'POST /tokens': 'admin',
  'GET /tokens/:id/revoke': 'admin',
  'POST /tokens/:id/revoke': 'admin',
  // status pages: public pages for anyone, the others as need('viewer') (test/web/status-pages.test.ts)
  'GET /status/:slug': 'public',
  'GET /status/:slug/summary.json': 'public',
  'GET /status/:slug/feed.atom': 'public',
  'GET /status-pages': 'viewer',
  'GET /status-pages/new': 'operator',
  'POST /status-pages': 'operator',
  'GET /status-pages/:slug': 'viewer',
  'POST /status-pages/:slug': 'operator',
  'POST /status-pages/:slug/delete': 'operator',
  'POST /status-pages/:slug/incidents': 'operator',
  'POST /status-pages/:slug/incidents/:id': 'operator',
  'GET /check/:name/charts': 'viewer',
  'GET /hosts': 'viewer',
  // a status page's uptime report: signed-in readers, also for a public page (test/web/reports.test.ts)
  'GET /status/:slug/report': 'viewer',
  'GET /status/:slug/report.csv': 'viewer',
  'GET /status/:slug/report.json': 'viewer',
  // one-click acknowledgement links: the signed token is the credential (test/ops/ack-link.test.ts)
  'GET /ack/:token': 'public',
  'POST /ack/:token': 'public',
  'POST /config/ack-links/rotate': 'admin',
  // the fleet view (docs/fleet.md)
  'GET /fleet': 'viewer',
};

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

function url(path: string): string {
  const name = path.startsWith('/action') ? 'logit' : path.startsWith('/user') ? 'olly' : 'root';
  return path
    .replace(':name', encodeURIComponent(name))
    .replace(':file', 'nothing.css')
    .replace(':id', '1')
    .replace(':slug', 'main')
    .replace(':token', 'v1.x.y');
}

let t: TestSite;
let routes: { method: string; path: string }[];
beforeAll(async () => {
  t = await webSite();
  const page = await t.site.mutate((doc) => ({ ...doc, statusPages: [{ slug: 'main', title: 'Main', groups: [{ name: 'All', checks: ['root'] }] }] }));
  if (!page.ok) throw new Error('status page not added');
  const seen = new Set<string>();
  routes = t.web.app.routes
    .filter((r) => r.method !== 'ALL')
    .map((r) => ({ method: r.method, path: r.path }))
    .filter((r) => !seen.has(`${r.method} ${r.path}`) && (seen.add(`${r.method} ${r.path}`), true));
});
afterAll(async () => {
  await t.close();
});

describe('route guards', () => {
  it('every route has an expected role here, and every entry here is a route', () => {
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    expect(keys.filter((k) => !(k in NEED))).toEqual([]);
    expect(Object.keys(NEED).filter((k) => !keys.includes(k))).toEqual([]);
  });

  it('without a session: pages redirect to the login page, everything else is 401', async () => {
    const a = new Agent(t.web);
    for (const r of routes) {
      if (NEED[`${r.method} ${r.path}`] === 'public') continue;
      const res = await a.request(url(r.path), { method: r.method, headers: { Accept: 'text/html' } });
      if (r.method === 'GET') {
        expect(res.status, `${r.method} ${r.path}`).toBe(302);
        expect(res.headers.get('Location'), r.path).toMatch(/^\/login/);
      } else {
        expect(res.status, `${r.method} ${r.path}`).toBe(401);
      }
    }
  });

  it('htmx requests without a session get 401 with HX-Redirect to the login page', async () => {
    const res = await new Agent(t.web).request('/checks/list', { headers: { 'HX-Request': 'true' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('HX-Redirect')).toBe('/login');
  });

  for (const [user, role] of [
    ['vera', 'viewer'],
    ['olly', 'operator'],
  ] as const) {
    it(`a ${role} gets 403 from every route above its role, and no state changes`, async () => {
      const a = new Agent(t.web);
      await a.login(user, PASSWORDS[user]);
      const before = JSON.stringify(t.site.loaded.doc);
      for (const r of routes) {
        const need = NEED[`${r.method} ${r.path}`];
        if (need === 'public' || RANK[need] <= RANK[role]) continue;
        const res = await a.request(url(r.path), {
          method: r.method,
          headers: { 'X-CSRF-Token': a.csrf, 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'text/html' },
          body: r.method === 'GET' ? undefined : 'confirm=yes&paused=1&dir=up&name=x&checkType=disk&username=x&role=admin&password=longenough1&text=%7B%7D',
        });
        expect(res.status, `${role}: ${r.method} ${r.path}`).toBe(403);
      }
      expect(JSON.stringify(t.site.loaded.doc)).toBe(before);
    });

    it(`a ${role} may GET every page of its role`, async () => {
      const a = new Agent(t.web);
      await a.login(user, PASSWORDS[user]);
      for (const r of routes) {
        const need = NEED[`${r.method} ${r.path}`];
        if (r.method !== 'GET' || need === 'public' || RANK[need] > RANK[role] || r.path === '/events') continue;
        const res = await a.get(url(r.path));
        expect([200, 302], `${role}: GET ${r.path}`).toContain(res.status);
      }
    });
  }

  it('the UI hides what a role cannot do', async () => {
    const v = new Agent(t.web);
    await v.login('vera', PASSWORDS.vera);
    const detail = await v.page('/check/root');
    expect(detail).not.toContain('id="check-form"');
    expect(detail).not.toContain('/run"');
    const list = await v.page('/checks');
    expect(list).not.toContain('Add check');
    expect(list).not.toContain('/clone"');
    expect(list).not.toContain('id="row-menu"');
    expect(list).not.toContain('data-acts=');
    expect(await v.page('/')).not.toContain('href="/users"');
    const o = new Agent(t.web);
    await o.login('olly', PASSWORDS.olly);
    const olist = await o.page('/checks');
    // the operator's menus: the page's one set of items, and each row offers its own (app.js builds the menu)
    expect(olist).toContain('data-act="clone"');
    expect(olist).toMatch(/data-name="root" data-acts="run pause clone/);
    expect(olist).not.toContain('href="/users"');
    expect(olist).not.toContain('href="/config"');
  });
});

describe('CSRF', () => {
  // the sign-in steps (password, code, single sign-on) carry the login form's own double-submit token instead (test/web/twofactor.test.ts, test/security/login.test.ts);
  // POST /ack/<token> is authorised by its signed token alone (test/ops/ack-link.test.ts)
  const unsafe = (): { method: string; path: string }[] =>
    routes.filter((r) => r.method !== 'GET' && r.path !== '/login' && !r.path.startsWith('/login/') && !r.path.startsWith('/ack/'));

  it('every unsafe route refuses a missing or wrong token, changing nothing', async () => {
    const a = new Agent(t.web);
    await a.login('admin', PASSWORDS.admin);
    const before = JSON.stringify(t.site.loaded.doc);
    for (const r of unsafe()) {
      for (const token of [null, 'wrong-token']) {
        const body = new URLSearchParams({ confirm: 'yes', paused: '1', dir: 'up', text: '{}' });
        if (token) body.set('_csrf', token);
        const res = await a.request(url(r.path), { method: r.method, body, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
        expect(res.status, `${r.method} ${r.path} token=${token}`).toBe(403);
      }
    }
    expect(JSON.stringify(t.site.loaded.doc)).toBe(before);
  });

  it('a request marked cross-site is refused even with the right token', async () => {
    const a = new Agent(t.web);
    await a.login('admin', PASSWORDS.admin);
    for (const site of ['cross-site', 'same-site']) {
      const res = await a.post('/check/root/pause', { paused: '1' }, { headers: { 'Sec-Fetch-Site': site } });
      expect(res.status).toBe(403);
    }
    const res = await a.post('/check/root/pause', { paused: '1' }, { headers: { Origin: 'https://evil.example' } });
    expect(res.status).toBe(403);
    expect(t.site.entry('root')!.config.paused).toBe(false);
  });

  it('the token in the X-CSRF-Token header works (htmx DELETE has no body)', async () => {
    const a = new Agent(t.web);
    await a.login('admin', PASSWORDS.admin);
    await t.site.mutate((doc) => ({ ...doc, checks: { ...(doc.checks as object), temp: { type: 'cpu' } } }));
    const bad = await a.request('/check/temp', { method: 'DELETE', headers: { 'HX-Request': 'true' } });
    expect(bad.status).toBe(403);
    const res = await a.request('/check/temp', { method: 'DELETE', headers: { 'HX-Request': 'true', 'X-CSRF-Token': a.csrf } });
    expect(res.status).toBe(204);
    expect(res.headers.get('HX-Trigger')).toBe('sw-config');
    expect(t.site.entry('temp')).toBeUndefined();
  });

  it('a same-origin form post with Origin: null (Referrer-Policy no-referrer) and the token is accepted', async () => {
    const a = new Agent(t.web);
    await a.login('admin', PASSWORDS.admin);
    const res = await a.post('/check/lone/pause', { paused: '1', back: '/checks' }, { headers: { Origin: 'null', 'Sec-Fetch-Site': 'same-origin' } });
    expect(res.status).toBe(303);
    expect(t.site.entry('lone')!.config.paused).toBe(true);
  });
});
