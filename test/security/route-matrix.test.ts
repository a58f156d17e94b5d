/**
 * Issue 15: role × route × method, generated from the route tables. Every
 * route of the web UI and of the API subsystem must carry a guard in the
 * table — `need(role)` (web sessions) or `requireScope(scope)` (bearer
 * tokens) — or be listed below as public with the reason; a new route
 * without either fails the first test. Then every path is requested with
 * every method by every principal (no session, viewer, operator, admin;
 * no token, read, operate, admin; a session on the API, a token on the
 * pages): below the guard the answer is 401/403 (or the login page) and the
 * site is unchanged; at or above it, never 401/403; a method the path does
 * not have changes nothing; nothing answers 5xx.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { Hono } from 'hono';
import { apiRoutes, createApiContext, restApi } from '../../src/api/app.ts';
import { siteTokens } from '../../src/api/tokens.ts';
import type { Scope } from '../../src/api/tokens.ts';
import type { Role } from '../../src/web/auth.ts';
import { Agent, PASSWORDS, webSite, withApi, type TestSite } from '../web/helpers.ts';
import { apiSiteView } from '../../src/wiring.ts';

/** Routes anyone may call, and why. */
const PUBLIC: Record<string, string> = {
  'GET /s/:file': 'static files (hashed names)',
  'GET /login': 'the sign-in form',
  'POST /login': 'signing in (double-submit token, throttled)',
  'GET /logout': 'asks before signing out (the POST needs a session)',
  'POST /login/2fa': "the code step of a sign-in (double-submit token, the half-done sign-in's cookie, throttled)",
  'POST /login/oidc': 'starts single sign-on (double-submit token)',
  'GET /login/oidc/callback': "the identity provider's redirect back (state, PKCE verifier and nonce are checked)",
  'GET /healthz': 'liveness for Docker and systemd',
  'GET /metrics': 'Prometheus: a token off loopback or with api.metricsAuth (test/security/exposure.test.ts)',
  'GET /push/:token': 'heartbeats: the token in the URL is the secret',
  'POST /push/:token': 'heartbeats',
  'GET /push/:token/fail': 'heartbeats',
  'POST /push/:token/fail': 'heartbeats',
  'GET /badge/:check/state.svg': 'opt-in public badges',
  'GET /badge/:check/uptime.svg': 'opt-in public badges',
  'GET /api/v1/openapi.json': 'the API description',
  'GET /status/:slug': 'status pages: public when the page says so, else as need(viewer) (test/web/status-pages.test.ts)',
  'GET /status/:slug/summary.json': 'status pages',
  'GET /status/:slug/feed.atom': 'status pages',
  'GET /ack/:token': 'one-click acknowledgement: the signed token in the URL is the credential; GET only asks (test/ops/ack-link.test.ts)',
  'POST /ack/:token': 'one-click acknowledgement: the signed token is the credential, cross-site requests refused (test/ops/ack-link.test.ts)',
};

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const ROLES: Role[] = ['viewer', 'operator', 'admin'];
const SCOPES: Scope[] = ['read', 'operate', 'admin'];
const rank = <T>(list: readonly T[], x: T): number => list.indexOf(x);

type Guard = { kind: 'role'; need: Role } | { kind: 'scope'; need: Scope } | { kind: 'public' };

/** method+path → its guard, read from the handlers of a route table. */
function guards(routes: Hono['routes'], prefix = ''): Map<string, Guard> {
  const out = new Map<string, Guard>();
  for (const r of routes) {
    if (r.method === 'ALL') continue;
    const key = `${r.method} ${prefix}${r.path === '/' && prefix ? '' : r.path}`;
    const h = r.handler as { requires?: Role; requiresScope?: Scope };
    if (h.requires) out.set(key, { kind: 'role', need: h.requires });
    else if (h.requiresScope) out.set(key, { kind: 'scope', need: h.requiresScope });
    else if (!out.has(key)) out.set(key, { kind: 'public' });
  }
  return out;
}

let t: TestSite;
let table: Map<string, Guard>;
const agents: Partial<Record<Role, Agent>> = {};
const tokens: Partial<Record<Scope, string>> = {};

beforeAll(async () => {
  t = await webSite({
    app: (site) => withApi(site),
    checks: { root: { type: 'disk', options: { volume: '/', level: 100, badge: true } }, ram: { type: 'memory', options: { level: 100 } } },
  });
  await t.site.start(); // /healthz says 503 until then
  const pages = await webSite({ api: false });
  table = guards(pages.web.app.routes);
  await pages.close();
  const api = apiRoutes(createApiContext(apiSiteView(t.site)));
  for (const [k, g] of guards(api.routes)) if (!k.includes(' /api/v1')) table.set(k, g);
  for (const [k, g] of guards(restApi({ site: t.site, tokens: siteTokens(t.site) }).routes, '/api/v1')) table.set(k, g);
  siteTokens(t.site).create({ name: 'sacrificial', scope: 'read' }); // DELETE /api/v1/tokens/1 revokes this one
  for (const s of SCOPES) tokens[s] = siteTokens(t.site).create({ name: s, scope: s }).secret;
  for (const [user, role] of [
    ['vera', 'viewer'],
    ['olly', 'operator'],
    ['admin', 'admin'],
  ] as const) {
    const a = new Agent(t.web, `10.9.0.${rank(ROLES, role) + 1}`);
    await a.login(user, PASSWORDS[user]);
    agents[role] = a;
  }
});
afterAll(() => t.close());

function concrete(path: string): string {
  const name = path.startsWith('/action') || path.startsWith('/api/v1/actions') ? 'logit' : path.startsWith('/user') ? 'olly' : 'root';
  return path.replace(':name', name).replace(':check', 'root').replace(':file', 'nothing.css').replace(':id', '1').replace(':token', 'unknown-token-000000000');
}

const paths = (): string[] => [...new Set([...table.keys()].map((k) => k.slice(k.indexOf(' ') + 1)))];
const fileNow = (): string => JSON.stringify(t.site.loaded.doc);

async function call(who: { role?: Role; scope?: Scope }, method: string, path: string): Promise<Response> {
  const a = who.role ? agents[who.role]! : new Agent(t.web, '10.9.1.1');
  const headers: Record<string, string> = { Accept: 'text/html' };
  if (who.scope) headers.authorization = `Bearer ${tokens[who.scope]!}`;
  if (method === 'GET') return a.request(concrete(path), { method, headers });
  if (path.startsWith('/api/')) {
    return a.request(concrete(path), { method, headers: { ...headers, 'Content-Type': 'application/json', 'X-CSRF-Token': a.csrf }, body: '{}' });
  }
  return a.request(concrete(path), {
    method,
    headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded', 'X-CSRF-Token': a.csrf },
    body: `_csrf=${a.csrf}`,
  });
}

/** After a request that may have ended the agent's session (sign-out), sign in again. */
async function keepSignedIn(role: Role): Promise<void> {
  const a = agents[role]!;
  if ((await a.get('/account')).status === 200) return;
  const user = { viewer: 'vera', operator: 'olly', admin: 'admin' }[role] as 'vera' | 'olly' | 'admin';
  await a.login(user, PASSWORDS[user]);
}

describe('role × route × method', () => {
  it('every route in the tables has a guard, or is public for a stated reason', () => {
    const unguarded = [...table].filter(([k, g]) => g.kind === 'public' && !(k in PUBLIC)).map(([k]) => k);
    expect(unguarded).toEqual([]);
    const stale = Object.keys(PUBLIC).filter((k) => table.get(k)?.kind !== 'public');
    expect(stale).toEqual([]);
    expect(table.size).toBeGreaterThan(90);
  });

  it('every path × every method × every principal gets what its guard says', { timeout: 300_000 }, async () => {
    const wrong: string[] = [];
    const principals: { label: string; role?: Role; scope?: Scope }[] = [
      { label: 'anonymous' },
      ...ROLES.map((role) => ({ label: role, role })),
      ...SCOPES.map((scope) => ({ label: `token:${scope}`, scope })),
    ];
    // pages first, the API last: its admin DELETEs remove the check and action the pages use
    const ordered = paths().sort((a, b) => Number(a.startsWith('/api/')) - Number(b.startsWith('/api/')));
    for (const path of ordered) {
      for (const method of METHODS) {
        const g = table.get(`${method} ${path}`);
        for (const p of principals) {
          const before = fileNow();
          const res = await call(p, method, path);
          const status = res.status;
          // the live stream never ends by itself
          if (path === '/events') await res.body?.cancel();
          else await res.arrayBuffer();
          const where = `${p.label} ${method} ${path} → ${status}`;
          if (status >= 500) wrong.push(`${where}: server error`);
          let allowed: boolean;
          if (!g) allowed = false;
          else if (g.kind === 'public') allowed = true;
          else if (g.kind === 'role') allowed = p.role !== undefined && rank(ROLES, p.role) >= rank(ROLES, g.need);
          else allowed = p.scope !== undefined && rank(SCOPES, p.scope) >= rank(SCOPES, g.need);
          const refused = status === 401 || status === 403 || (status === 302 && (res.headers.get('Location') ?? '').startsWith('/login'));
          if (!g) {
            if (status < 400 && status !== 302) wrong.push(`${where}: a method the path does not have was answered`);
            if (fileNow() !== before) wrong.push(`${where}: a method the path does not have changed the site`);
          } else if (allowed) {
            // public routes may still send a visitor to sign in (GET /logout) or refuse a form without its token (POST /login)
            const denied = g.kind === 'public' ? (status === 401 || status === 403) && !(path.startsWith('/login') && method === 'POST') : refused;
            if (denied) wrong.push(`${where}: refused though allowed`);
          } else {
            if (!refused) wrong.push(`${where}: not refused`);
            if (fileNow() !== before) wrong.push(`${where}: changed the site though refused`);
          }
          if (p.role && method !== 'GET') await keepSignedIn(p.role);
        }
      }
    }
    expect(wrong).toEqual([]);
  });
});
