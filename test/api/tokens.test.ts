/**
 * API tokens: stored hashed (never the secret), optional expiry on the site
 * clock, revocation, last use recorded (at most once a minute), and the
 * `siteward-token` command for headless installs.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { openApiSite, type ApiTestSite } from './helpers.ts';
import { LAST_USE_RESOLUTION_MS, siteTokens } from '../../src/api/tokens.ts';
import { tokenCli } from '../../src/api/token-cli.ts';
import { tempDir } from '../servers/common.ts';
import { writeSite } from '../helpers/site.ts';

const code = async (r: Response): Promise<string> => ((await r.json()) as { error: { code: string } }).error.code;

describe('API tokens', () => {
  let t: ApiTestSite;
  afterEach(() => t.close());

  it('keeps only a hash: the secret is nowhere in the database', async () => {
    t = await openApiSite({});
    const rows = t.site.db.prepare('SELECT * FROM api_tokens').all() as Record<string, unknown>[];
    expect(rows).toHaveLength(3);
    const dump = JSON.stringify(rows);
    for (const secret of Object.values(t.token)) {
      expect(secret).toMatch(/^swt_[A-Za-z0-9_-]{43}$/);
      expect(dump).not.toContain(secret.slice(4));
    }
  });

  it('an expired token is refused with token_expired', async () => {
    t = await openApiSite({});
    const made = await t.call('POST', '/api/v1/tokens', { body: { name: 'short', scope: 'read', expires: '1h' } });
    expect(made.status).toBe(201);
    const { token, info } = (await made.json()) as { token: string; info: { expires: string } };
    expect(Date.parse(info.expires)).toBe(t.clock.now() + 3_600_000);
    const get = (): Promise<Response> => Promise.resolve(t.app.request('/api/v1/status', { headers: { authorization: `Bearer ${token}` } }));
    expect((await get()).status).toBe(200);
    await t.clock.advance(3_600_000);
    const late = await get();
    expect(late.status).toBe(401);
    expect(await code(late)).toBe('token_expired');
    expect(late.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('a revoked token is refused with token_revoked and stays listed as revoked', async () => {
    t = await openApiSite({});
    const { secret, token } = siteTokens(t.site).create({ name: 'old', scope: 'admin' });
    const headers = { authorization: `Bearer ${secret}` };
    expect((await t.app.request('/api/v1/checks', { headers })).status).toBe(200);
    expect((await t.call('DELETE', `/api/v1/tokens/${token.id}`)).status).toBe(204);
    const after = await t.app.request('/api/v1/checks', { headers });
    expect(after.status).toBe(401);
    expect(await code(after)).toBe('token_revoked');
    const list = (await (await t.call('GET', '/api/v1/tokens')).json()) as { tokens: { id: number; revoked: string | null }[] };
    expect(list.tokens.find((x) => x.id === token.id)!.revoked).toBe(new Date(t.clock.now()).toISOString());
    expect((await t.call('DELETE', `/api/v1/tokens/${token.id}`)).status).toBe(404);
  });

  it('an unknown or malformed token is 401 unauthorized', async () => {
    t = await openApiSite({});
    for (const auth of ['Bearer swt_nope', 'Bearer nonsense', 'Basic YTpi', 'Bearer']) {
      const r = await t.app.request('/api/v1/status', { headers: { authorization: auth } });
      expect(r.status, auth).toBe(401);
      expect(await code(r)).toBe('unauthorized');
    }
  });

  it('records the last use, at most once a minute', async () => {
    t = await openApiSite({});
    const store = siteTokens(t.site);
    const { secret, token } = store.create({ name: 'u', scope: 'read' });
    expect(store.get(token.id)!.lastUsed).toBeNull();
    const use = (): Promise<Response> => Promise.resolve(t.app.request('/api/v1/status', { headers: { authorization: `Bearer ${secret}` } }));
    await use();
    const first = t.clock.now();
    expect(store.get(token.id)!.lastUsed).toBe(first);
    await t.clock.advance(LAST_USE_RESOLUTION_MS / 2);
    await use();
    expect(store.get(token.id)!.lastUsed).toBe(first);
    await t.clock.advance(LAST_USE_RESOLUTION_MS);
    await use();
    expect(store.get(token.id)!.lastUsed).toBe(t.clock.now());
  });

  it('refuses an unreadable expiry with the field path', async () => {
    t = await openApiSite({});
    const r = await t.call('POST', '/api/v1/tokens', { body: { name: 'x', scope: 'read', expires: 'someday' } });
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { issues: { path: string[] }[] } }).error.issues[0].path).toEqual(['expires']);
  });
});

describe('siteward-token command', () => {
  it('creates, lists and revokes tokens in the site database', () => {
    const d = tempDir('sw-token-');
    try {
      const config = writeSite(d.dir, {});
      const out: string[] = [];
      const err: string[] = [];
      const run = (...args: string[]): number =>
        tokenCli(
          [`--config=${config}`, ...args],
          (s) => out.push(s),
          (s) => err.push(s),
        );
      expect(run('create', '--name=ci', '--scope=operate', '--expires=30d')).toBe(0);
      const secret = out.pop()!;
      expect(secret).toMatch(/^swt_/);
      expect(run('list')).toBe(0);
      expect(out.join('\n')).toMatch(/^1\toperate\tci\tswt_/m);
      expect(out.join('\n')).not.toContain(secret);
      expect(run('create', '--name=x', '--scope=root')).toBe(2);
      expect(run('revoke', '1')).toBe(0);
      expect(run('revoke', '1')).toBe(1);
      out.length = 0;
      run('list');
      expect(out[1].split('\t')[7]).not.toBe('-');
    } finally {
      d.cleanup();
    }
  });
});
