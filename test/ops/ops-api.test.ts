/**
 * The operations API (issue 19's fixed interface): POST /checks/<name>/ack
 * (operate scope, {"comment"}), maintenance now and its end, the `ack` and
 * `maintenance` fields of a check's view, and the decision trace.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { openApiSite, type ApiTestSite } from '../api/helpers.ts';

type Json = Record<string, unknown> & { error?: { code: string; message: string } };
const json = async (r: Response): Promise<Json> => (await r.json()) as Json;

const SITE = {
  actions: { sitelog: { type: 'log', options: {} } },
  checks: { peer: { type: 'remote', subType: 'https', options: {}, actions: ['sitelog'] } },
};
const down = (at: number) => ({
  failState: true,
  failCount: 1,
  threshold: 1,
  log: ['down'],
  softFail: null,
  level: null,
  lastCheck: at,
  lastFail: at,
  lastPass: null,
});
const up = (at: number) => ({ ...down(at), failState: false, failCount: 0, log: ['up'], lastFail: null, lastPass: at });

describe('operations API', () => {
  let t: ApiTestSite;
  afterEach(() => t.close());

  it('acknowledges a failing check (operate scope); the view carries the ack until recovery', async () => {
    t = await openApiSite(SITE);
    t.site.applyRemote('peer', down(t.site.clock.now()));
    expect((await t.call('POST', '/api/v1/checks/peer/ack', { scope: 'read', body: { comment: 'x' } })).status).toBe(403);
    const r = await t.call('POST', '/api/v1/checks/peer/ack', { scope: 'operate', body: { comment: 'disk swap in progress' } });
    expect(r.status).toBe(200);
    const body = await json(r);
    expect(body.ack).toEqual({ by: 'token test-operate', at: new Date(t.site.clock.now()).toISOString(), comment: 'disk swap in progress' });
    expect(body.maintenance).toBeNull();
    const list = await json(await t.call('GET', '/api/v1/checks', { scope: 'read' }));
    expect((list.checks as Json[])[0].ack).toMatchObject({ comment: 'disk swap in progress' });
    t.site.applyRemote('peer', up(t.site.clock.now()));
    expect((await json(await t.call('GET', '/api/v1/checks/peer', { scope: 'read' }))).ack).toBeNull();
    const again = await t.call('POST', '/api/v1/checks/peer/ack', { scope: 'operate', body: {} });
    expect(again.status).toBe(409);
    expect((await json(again)).error!.message).toMatch(/not failing/);
    expect((await t.call('POST', '/api/v1/checks/peer/ack', { scope: 'operate', body: { comment: 'x'.repeat(1001) } })).status).toBe(400);
    expect((await t.call('POST', '/api/v1/checks/ghost/ack', { scope: 'operate', body: {} })).status).toBe(404);
  });

  it('maintenance now for an hour: saved as a window with who and why, in the view, ended on request', async () => {
    t = await openApiSite(SITE);
    const r = await t.call('POST', '/api/v1/checks/peer/maintenance', { scope: 'operate', body: { minutes: 60, reason: 'router firmware' } });
    expect(r.status).toBe(200);
    const m = (await json(r)).maintenance as Json;
    expect(m).toMatchObject({ by: 'token test-operate', reason: 'router firmware', end: new Date(t.site.clock.now() + 3_600_000).toISOString() });
    const file = t.file() as { maintenance: Record<string, { checks: string[]; by: string }> };
    expect(Object.values(file.maintenance)).toEqual([expect.objectContaining({ checks: ['peer'], by: 'token test-operate' })]);
    expect(t.site.siteLog.all().some((l) => /peer in maintenance for 60 min by token test-operate: router firmware/.test(l))).toBe(true);
    // a transition now is marked and notifies nobody
    t.site.applyRemote('peer', up(t.site.clock.now()));
    const trace = await json(await t.call('GET', '/api/v1/checks/peer/trace', { scope: 'read' }));
    expect((trace.decisions as Json[])[0]).toMatchObject({ to: 'PASS', maintenance: m.window, notified: [], skipped: [{ action: 'sitelog' }] });
    const end = await t.call('POST', '/api/v1/checks/peer/maintenance/end', { scope: 'operate' });
    expect(end.status).toBe(200);
    expect((await json(end)).maintenance).toBeNull();
    expect((t.file() as { maintenance: object }).maintenance).toEqual({});
    expect((await t.call('POST', '/api/v1/checks/peer/maintenance/end', { scope: 'operate' })).status).toBe(409);
    expect((await t.call('POST', '/api/v1/checks/peer/maintenance', { scope: 'operate', body: { minutes: 0 } })).status).toBe(400);
  });
});
