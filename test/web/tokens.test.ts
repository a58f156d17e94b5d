/**
 * The API token page (admin, issue 8): a token is created with a name, a
 * scope and an optional expiry, its secret is shown once and then works as
 * a bearer token against the REST API mounted on the same server; it is
 * revoked by a confirmed POST, after which the API refuses it.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { Agent, PASSWORDS, webSite, withApi, type TestSite } from './helpers.ts';

let t: TestSite | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

async function admin(o: Parameters<typeof webSite>[0] = {}): Promise<Agent> {
  t = await webSite({ app: withApi, ...o });
  const a = new Agent(t.web);
  await a.login('admin', PASSWORDS.admin);
  return a;
}

/** GET /api/v1/status with a bearer token and no cookies. */
async function status(token: string): Promise<number> {
  const res = await new Agent(t!.web).request('/api/v1/status', { headers: { Authorization: `Bearer ${token}` } });
  return res.status;
}

const secretOf = (html: string): string => /id="token-secret" readonly="" value="(swt_[A-Za-z0-9_-]+)"/.exec(html)![1];

describe('API tokens page', () => {
  it('creates a token whose secret is shown once and works as a bearer token; a confirmed revoke ends it', async () => {
    const a = await admin();
    expect(await a.page('/tokens')).toContain('No tokens yet.');
    const res = await a.post('/tokens', { name: 'grafana', scope: 'read', expires: '30d' });
    expect(res.status).toBe(201);
    const html = await res.text();
    const secret = secretOf(html);
    expect(html).toContain('it is shown only this once');
    expect(html).toContain(`Authorization: Bearer ${secret}`);
    expect(html).toMatch(/<button type="button" data-copy="token-secret">Copy<\/button>/);
    expect(t!.site.siteLog.all().join('\n')).not.toContain(secret);

    const list = await a.page('/tokens');
    expect(list).not.toContain(secret);
    expect(list).toMatch(/<tr data-token="1">.*grafana.*read.*swt_.{6}….*31 Jan 2026 12:00 UTC.*never.*active/s);

    expect(await status(secret)).toBe(200);
    expect(await status('swt_not-a-real-token')).toBe(401);
    expect(await a.page('/tokens')).toMatch(/<td data-label="Last used">01 Jan 2026 12:00 UTC<\/td>/);

    const ask = await a.page('/tokens/1/revoke');
    expect(ask).toContain('Revoke token #1 &quot;grafana&quot;');
    expect((await a.post('/tokens/1/revoke', {})).headers.get('Location')).toBe('/tokens/1/revoke');
    expect(await status(secret)).toBe(200);
    const done = await a.post('/tokens/1/revoke', { confirm: 'yes' });
    expect(done.status).toBe(303);
    expect(done.headers.get('Location')).toBe('/tokens?revoked=1');
    expect(await status(secret)).toBe(401);
    const after = await a.page('/tokens?revoked=1');
    expect(after).toContain('Revoked token #1.');
    expect(after).toMatch(/revoked 01 Jan 2026 12:00 UTC/);
    expect(after).not.toContain('href="/tokens/1/revoke"');
  });

  it('scopes are enforced by the API: a read token cannot run a check, an operate token can', async () => {
    const a = await admin();
    const read = secretOf(await (await a.post('/tokens', { name: 'r', scope: 'read' })).text());
    const operate = secretOf(await (await a.post('/tokens', { name: 'o', scope: 'operate' })).text());
    const run = (tok: string) => new Agent(t!.web).request('/api/v1/checks/lone/run', { method: 'POST', headers: { Authorization: `Bearer ${tok}` } });
    expect((await run(read)).status).toBe(403);
    expect((await run(operate)).status).toBe(200);
  });

  it('refuses a missing name, an unknown scope and an unreadable or past expiry, creating nothing', async () => {
    const a = await admin();
    const res = await a.post('/tokens', { name: ' ', scope: 'root', expires: 'soon' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/id="f-name-err"[^>]*>is required</);
    expect(html).toMatch(/id="f-scope-err"[^>]*>choose read, operate, admin</);
    expect(html).toMatch(/id="f-expires-err"[^>]*>&quot;soon&quot; is not a time or a duration/);
    expect(await (await a.post('/tokens', { name: 'old', scope: 'read', expires: '2020-01-01' })).text()).toMatch(/id="f-expires-err"[^>]*>is in the past</);
    expect(await a.page('/tokens')).toContain('No tokens yet.');
  });

  it('an expired token is listed as expired and refused', async () => {
    const a = await admin();
    const secret = secretOf(await (await a.post('/tokens', { name: 'short', scope: 'admin', expires: '1h' })).text());
    expect(await status(secret)).toBe(200);
    await t!.clock.advance(2 * 3_600_000);
    expect(await status(secret)).toBe(401);
    expect(await a.page('/tokens')).toMatch(/<span class="err">expired<\/span>/);
  });

  it('token names are text', async () => {
    const a = await admin();
    await a.post('/tokens', { name: '<img src=x onerror=alert(1)>', scope: 'read' });
    const html = await a.page('/tokens');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<img src=x');
  });

  it('is linked from the navigation and the config page (admins only)', async () => {
    const a = await admin();
    expect(await a.page('/config')).toContain('<a class="btn" href="/tokens">API tokens</a>');
    expect(await a.page('/')).toContain('<a href="/tokens">Tokens</a>');
    const o = new Agent(t!.web);
    await o.login('olly', PASSWORDS.olly);
    expect(await o.page('/')).not.toContain('href="/tokens"');
  });

  it('says so when the site database has no token table', async () => {
    const a = await admin({ api: false, app: {} });
    const res = await a.get('/tokens');
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('API tokens are not available');
  });
});
