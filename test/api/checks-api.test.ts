/**
 * The REST API's behaviour beyond authorisation: writes go through
 * Site.mutate (validated, saved atomically, applied live), errors carry a
 * stable code and the JSON path of each invalid field, secrets are masked
 * below admin, filters, history, notifications and the all-metrics listing.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { openApiSite, type ApiTestSite } from './helpers.ts';

type Json = Record<string, unknown> & { error?: { code: string; issues?: { path: unknown[]; at: string }[] } };
const json = async (r: Response): Promise<Json> => (await r.json()) as Json;

const SITE = {
  actions: { sitelog: { type: 'log', options: {} } },
  checks: {
    root: { type: 'disk', options: { volume: '/', level: 100 }, actions: ['sitelog'] },
    mem: { type: 'memory', trigger: { interval: { minutes: 5 } }, depends: ['root'] },
    hb: { type: 'push', trigger: { interval: { minutes: 1 } }, options: { token: 'abcdefghijklmnop0123' } },
    peer: { type: 'remote', subType: 'https', options: {} },
  },
};

describe('REST API', () => {
  let t: ApiTestSite;
  afterEach(() => t.close());

  it('creates a check: validated, saved in the site file and scheduled at once', async () => {
    t = await openApiSite(SITE);
    await t.site.start();
    const r = await t.call('POST', '/api/v1/checks', {
      body: { name: 'var', type: 'disk', trigger: { interval: { minutes: 10 } }, options: { volume: '/var' } },
    });
    expect(r.status).toBe(201);
    const body = await json(r);
    expect(body.name).toBe('var');
    expect(body.nextRun).not.toBeNull();
    const file = t.file() as { checks: Record<string, { options: unknown }> };
    expect(file.checks.var.options).toEqual({ volume: '/var' });
    expect(t.site.nextRun('var')).not.toBeNull();
  });

  it('refuses an invalid option with 400 and the field path; nothing is saved', async () => {
    t = await openApiSite(SITE);
    const before = JSON.stringify(t.file().checks);
    const r = await t.call('POST', '/api/v1/checks', { body: { name: 'bad', type: 'disk', options: { level: 200 } } });
    expect(r.status).toBe(400);
    const e = (await json(r)).error!;
    expect(e.code).toBe('invalid_request');
    expect(e.issues![0].path).toEqual(['options', 'level']);
    expect(JSON.stringify(t.file().checks)).toBe(before);
  });

  it('refuses an unknown type with the path of `type`', async () => {
    t = await openApiSite(SITE);
    const r = await t.call('PUT', '/api/v1/checks/x', { body: { type: 'nope' } });
    expect(r.status).toBe(400);
    expect((await json(r)).error!.issues![0].path).toEqual(['type']);
  });

  it('refuses a change that breaks the site with 422 invalid_config and site-file paths', async () => {
    t = await openApiSite(SITE);
    const r = await t.call('POST', '/api/v1/checks', { body: { name: 'b', type: 'disk', depends: ['ghost'] } });
    expect(r.status).toBe(422);
    const e = (await json(r)).error!;
    expect(e.code).toBe('invalid_config');
    expect(e.issues![0]).toMatchObject({ path: ['depends', 0], at: 'checks["b"].depends[0]' });
    expect(t.site.entry('b')).toBeUndefined();
  });

  it('409 for a name that exists; 404 JSON for unknown checks and endpoints; 400 for malformed JSON', async () => {
    t = await openApiSite(SITE);
    expect((await json(await t.call('POST', '/api/v1/checks', { body: { name: 'root', type: 'disk' } }))).error!.code).toBe('conflict');
    const missing = await t.call('GET', '/api/v1/checks/nope');
    expect(missing.status).toBe(404);
    expect((await json(missing)).error!.code).toBe('not_found');
    expect((await json(await t.call('GET', '/api/v1/nothing-here'))).error!.code).toBe('not_found');
    const bad = await t.app.request('/api/v1/checks/x', {
      method: 'PUT',
      headers: { authorization: `Bearer ${t.token.admin}`, 'content-type': 'application/json' },
      body: '{"type": ',
    });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error!.code).toBe('invalid_request');
  });

  it('PATCH merges keys and renames a check with every reference', async () => {
    t = await openApiSite(SITE);
    const r = await t.call('PATCH', '/api/v1/checks/root', { body: { name: 'slash', threshold: 3, options: { level: 95 } } });
    expect(r.status).toBe(200);
    const file = t.file() as { checks: Record<string, { threshold?: number; options?: Record<string, unknown>; depends?: string[] }> };
    expect(file.checks.root).toBeUndefined();
    expect(file.checks.slash).toMatchObject({ threshold: 3, options: { volume: '/', level: 95 } });
    expect(file.checks.mem.depends).toEqual(['slash']);
  });

  it('DELETE removes a check and its references', async () => {
    t = await openApiSite(SITE);
    expect((await t.call('DELETE', '/api/v1/checks/root')).status).toBe(204);
    const file = t.file() as { checks: Record<string, { depends?: string[] }> };
    expect(file.checks.root).toBeUndefined();
    expect(file.checks.mem.depends).toEqual([]);
  });

  it('pause and resume are saved in the file; run returns the state after the run; history records it', async () => {
    t = await openApiSite(SITE);
    const paused = await json(await t.call('POST', '/api/v1/checks/root/pause', { scope: 'operate' }));
    expect(paused.state).toBe('PAUSED');
    expect((t.file() as { checks: { root: { paused: boolean } } }).checks.root.paused).toBe(true);
    await t.call('POST', '/api/v1/checks/root/resume', { scope: 'operate' });
    expect((t.file() as { checks: { root: { paused: boolean } } }).checks.root.paused).toBe(false);
    const ran = await json(await t.call('POST', '/api/v1/checks/root/run', { scope: 'operate' }));
    expect(ran.state).toBe('PASS');
    expect((ran.metrics as { name: string }[]).map((m) => m.name)).toContain('used_percent');
    const h = await json(await t.call('GET', '/api/v1/checks/root/history', { scope: 'read' }));
    expect((h.runs as { fail: boolean }[]).length).toBe(1);
    expect((h.transitions as { to: string }[])[0].to).toBe('PASS');
  });

  it('filters the list by name, type and state', async () => {
    t = await openApiSite(SITE);
    await t.call('POST', '/api/v1/checks/root/run');
    const names = async (q: string): Promise<string[]> =>
      ((await json(await t.call('GET', `/api/v1/checks${q}`, { scope: 'read' }))).checks as { name: string }[]).map((c) => c.name);
    expect(await names('?name=OO')).toEqual(['root']);
    expect(await names('?type=remote.https')).toEqual(['peer']);
    expect(await names('?type=disk,memory')).toEqual(['root', 'mem']);
    expect(await names('?state=PASS')).toEqual(['root']);
    expect((await t.call('GET', '/api/v1/checks?state=GREEN')).status).toBe(400);
  });

  it('masks secret options below admin; a merge patch keeps them', async () => {
    t = await openApiSite(SITE);
    const read = await json(await t.call('GET', '/api/v1/checks/hb', { scope: 'read' }));
    expect((read.config as { options: { token: string } }).options.token).toBe('(secret: inline)');
    const admin = await json(await t.call('GET', '/api/v1/checks/hb'));
    expect((admin.config as { options: { token: string } }).options.token).toBe('abcdefghijklmnop0123');
    const patch = await t.call('PATCH', '/api/v1/checks/hb', { body: { options: { timeout: 60 } } });
    expect(patch.status).toBe(200);
    expect((t.file() as { checks: { hb: { options: unknown } } }).checks.hb.options).toEqual({ token: 'abcdefghijklmnop0123', timeout: 60 });
  });

  it('lists every check with state, level and metrics in one call, remote checks included', async () => {
    t = await openApiSite(SITE);
    await t.call('POST', '/api/v1/checks/root/run');
    t.site.applyRemote('peer', {
      failState: false,
      failCount: 0,
      threshold: 1,
      log: ['ok'],
      softFail: null,
      level: '12 ms',
      lastCheck: t.clock.now(),
      lastFail: null,
      lastPass: null,
    });
    const all = await json(await t.call('GET', '/api/v1/metrics/all', { scope: 'read' }));
    const checks = all.checks as { name: string; remote: boolean; state: string; level: string | null; metrics: { name: string }[] }[];
    expect(checks.map((c) => c.name)).toEqual(['root', 'mem', 'hb', 'peer']);
    expect(checks.find((c) => c.name === 'peer')).toMatchObject({ remote: true, state: 'PASS', level: '12 ms' });
    expect(checks.find((c) => c.name === 'root')!.metrics.length).toBeGreaterThan(0);
  });

  it('notifications: lists the deliveries the notifier recorded for the check', async () => {
    t = await openApiSite(SITE);
    await t.site.runNow('root'); // a new check's first pass is a PASS transition, notified to sitelog
    await t.site.notifier.stop();
    const body = await json(await t.call('GET', '/api/v1/checks/root/notifications?limit=5', { scope: 'read' }));
    expect(body.available).toBe(true);
    expect(body.notifications).toEqual([
      expect.objectContaining({ check: 'root', action: 'sitelog', kind: 'transition', status: 'sent', attempts: 1, lastError: null }),
    ]);
    expect(Date.parse((body.notifications as { created: string }[])[0].created)).toBe(t.clock.now());
  });

  it('actions: create, rename (checks follow), test and delete', async () => {
    t = await openApiSite(SITE);
    expect((await t.call('POST', '/api/v1/actions', { body: { name: 'ops', type: 'log' } })).status).toBe(201);
    expect((await t.call('PATCH', '/api/v1/actions/sitelog', { body: { name: 'journal' } })).status).toBe(200);
    expect((t.file() as { checks: { root: { actions: string[] } } }).checks.root.actions).toEqual(['journal']);
    const test = await json(await t.call('POST', '/api/v1/actions/journal/test', { scope: 'operate' }));
    expect(test).toEqual({ ok: true });
    expect((await json(await t.call('GET', '/api/v1/actions/journal'))).checks).toEqual(['root']);
    expect((await t.call('DELETE', '/api/v1/actions/journal')).status).toBe(204);
    expect((t.file() as { checks: { root: { actions: string[] } } }).checks.root.actions).toEqual([]);
    const bad = await t.call('PUT', '/api/v1/actions/x', { body: { type: 'carrier-pigeon' } });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error!.issues![0].path).toEqual(['type']);
  });
});
