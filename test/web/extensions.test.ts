/**
 * Extra sub-apps on the same server (for the REST API, /metrics, /push,
 * /badge): they get the security headers and the session lookup, can reuse
 * the role guards, and only an explicitly exempted prefix skips the CSRF check.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { Hono } from 'hono';
import { authOf, need, type WebEnv } from '../../src/web/context.ts';
import { Agent, PASSWORDS, webSite, type TestSite } from './helpers.ts';

let t: TestSite | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

function api(): Hono<WebEnv> {
  const r = new Hono<WebEnv>();
  r.get('/whoami', need('viewer'), (c) => c.json({ user: authOf(c).user, role: authOf(c).role }));
  r.post('/push/:name', (c) => c.json({ pushed: c.req.param('name'), bearer: c.req.header('Authorization') ?? null }));
  return r;
}

describe('mounted sub-apps', () => {
  it('reuse sessions and role guards, and get the security headers', async () => {
    t = await webSite({ app: { extensions: [{ path: '/api/v1', app: api() }] } });
    const anon = await new Agent(t.web).request('/api/v1/whoami');
    expect(anon.status).toBe(401);
    expect(anon.headers.get('Content-Security-Policy')).toContain("default-src 'self'");
    const a = new Agent(t.web);
    await a.login('olly', PASSWORDS.olly);
    expect(await (await a.request('/api/v1/whoami')).json()).toEqual({ user: 'olly', role: 'operator' });
  });

  it('unsafe requests need the CSRF token unless the prefix is exempted', async () => {
    t = await webSite({
      app: {
        extensions: [
          { path: '/api/v1', app: api() },
          { path: '/hook', app: api(), csrf: false },
        ],
      },
    });
    const anon = new Agent(t.web);
    expect((await anon.request('/api/v1/push/x', { method: 'POST' })).status).toBe(401);
    const res = await anon.request('/hook/push/x', { method: 'POST', headers: { Authorization: 'Bearer abc' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ pushed: 'x', bearer: 'Bearer abc' });
    // the exemption is for that prefix only
    expect((await anon.request('/hookx/push/x', { method: 'POST' })).status).toBe(401);
  });
});
