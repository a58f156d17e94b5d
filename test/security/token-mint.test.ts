/**
 * Issue 15: a token that expires cannot mint a token that outlives it (nor
 * one without expiry). (Only admin tokens reach POST /tokens, so the rule
 * that a token mints no wider scope than its own is a second lock there.)
 */
import { describe, it, expect, afterEach } from 'vitest';
import { openApiSite, type ApiTestSite } from '../api/helpers.ts';
import { siteTokens } from '../../src/api/tokens.ts';

const body = async (r: Response): Promise<{ error?: { code: string; message: string }; token?: string; info?: { expires: string | null } }> =>
  r.json() as never;

describe('tokens minted by tokens', () => {
  let t: ApiTestSite;
  afterEach(() => t.close());

  it('an expiring admin token mints only tokens that expire no later than itself', async () => {
    t = await openApiSite({});
    const tokens = siteTokens(t.site);
    const short = tokens.create({ name: 'short', scope: 'admin', expires: t.clock.now() + 3_600_000 }).secret;
    const mint = (b: Record<string, unknown>): Promise<Response> =>
      Promise.resolve(
        t.app.request('/api/v1/tokens', {
          method: 'POST',
          headers: { authorization: `Bearer ${short}`, 'content-type': 'application/json' },
          body: JSON.stringify(b),
        }),
      );
    for (const b of [
      { name: 'forever', scope: 'admin' },
      { name: 'longer', scope: 'read', expires: '2h' },
      { name: 'date', scope: 'read', expires: '2030-01-01T00:00:00Z' },
    ]) {
      const r = await mint(b);
      expect(r.status, b.name).toBe(403);
      const e = await body(r);
      expect(e.error?.code).toBe('forbidden');
      expect(e.error?.message).toMatch(/must expire no later/);
    }
    const ok = await mint({ name: 'shorter', scope: 'operate', expires: '30m' });
    expect(ok.status).toBe(201);
    expect(Date.parse((await body(ok)).info!.expires!)).toBe(t.clock.now() + 1_800_000);
    expect((await mint({ name: 'same', scope: 'read', expires: '1h' })).status).toBe(201);
    expect(tokens.list().map((x) => x.name)).toEqual(['test-read', 'test-operate', 'test-admin', 'short', 'shorter', 'same']);
  });

  it('a token without expiry mints any token; the minted secret works', async () => {
    t = await openApiSite({});
    const r = await t.call('POST', '/api/v1/tokens', { body: { name: 'ci', scope: 'read' } });
    expect(r.status).toBe(201);
    const secret = (await body(r)).token!;
    expect((await t.app.request('/api/v1/status', { headers: { authorization: `Bearer ${secret}` } })).status).toBe(200);
  });
});
