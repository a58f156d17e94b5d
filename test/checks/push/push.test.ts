/**
 * Push checks on a fake clock: heartbeats on time keep PASS, a late one
 * fails the check at its next scheduled run, `status=fail` fails it with the
 * message; unknown tokens get a bare 404; guessing runs into 429; an empty
 * token is generated and saved; the last heartbeat survives a restart.
 */
import { openSite, apiSiteView } from '../../../src/wiring.ts';
import { describe, it, expect, afterEach } from 'vitest';
import { join } from 'node:path';
import { openApiSite, type ApiTestSite } from '../../api/helpers.ts';
import { API_MIGRATIONS } from '../../../src/api/tokens.ts';
import { apiRoutes, createApiContext } from '../../../src/api/app.ts';
import { PUSH_TOKEN } from '../../../src/checks/push/index.ts';
import { stateText } from '../../../src/engine/state.ts';

const TOKEN = 'job-token-0123456789abcdef';
const site = (token = TOKEN): Record<string, unknown> => ({
  checks: { job: { type: 'push', trigger: { interval: { minutes: 1 } }, options: { token, timeout: 600, grace: 60 } } },
});

describe('push check', () => {
  let t: ApiTestSite;
  afterEach(() => t.close());
  const state = (): string => stateText(t.site.state('job'), false);
  const push = async (path: string, init?: RequestInit): Promise<Response> => t.app.request(path, init);

  it('passes while heartbeats arrive within timeout + grace', async () => {
    t = await openApiSite(site());
    await t.site.start();
    const r = await push(`/push/${TOKEN}`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('OK\n');
    expect(state()).toBe('PASS');
    expect(t.site.state('job').log[0]).toMatch(/^Heartbeat at 01 Jan 2026 00:00/);
    for (let i = 0; i < 3; i++) {
      await t.clock.advance(500_000);
      expect((await push(`/push/${TOKEN}`, { method: 'POST' })).status).toBe(200);
      await t.clock.advance(60_000);
      expect(state()).toBe('PASS');
    }
  });

  it('fails at the next scheduled run once the heartbeat is late', async () => {
    t = await openApiSite(site());
    await t.site.start();
    await push(`/push/${TOKEN}`);
    await t.clock.advance(659_000);
    expect(state()).toBe('PASS');
    await t.clock.advance(61_000);
    expect(state()).toBe('FAIL');
    expect(t.site.state('job').log[0]).toMatch(/^No heartbeat for 11 min \(timeout 600 s \+ grace 60 s\), last at 01 Jan 2026 00:00/);
    const age = t.site.state('job').metrics.find((m) => m.name === 'heartbeat_age')!;
    expect(age.value).toBeGreaterThan(660);
    expect(t.site.store.transitions('job')[0].to).toBe('FAIL');
    // a heartbeat brings it back at once
    await push(`/push/${TOKEN}`);
    expect(state()).toBe('PASS');
  });

  it('status=fail reports FAIL with the message until the next good heartbeat', async () => {
    t = await openApiSite(site());
    await t.site.start();
    await push(`/push/${TOKEN}`);
    expect((await push(`/push/${TOKEN}?status=fail&msg=${encodeURIComponent('backup: disk full\nretrying')}`)).status).toBe(200);
    expect(state()).toBe('FAIL');
    expect(t.site.state('job').log).toEqual(['Failure reported at 01 Jan 2026 00:00 UTC: backup: disk full retrying']);
    await t.clock.advance(120_000);
    expect(state()).toBe('FAIL');
    await push(`/push/${TOKEN}`, { method: 'POST', body: 'all good', headers: { 'content-type': 'text/plain' } });
    expect(state()).toBe('PASS');
    expect(t.site.state('job').log[0]).toMatch(/: all good$/);
    await push(`/push/${TOKEN}/fail`, { method: 'POST', body: 'msg=from+form', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(t.site.state('job').log[0]).toMatch(/: from form$/);
    expect(state()).toBe('FAIL');
    expect((await push(`/push/${TOKEN}?status=maybe`)).status).toBe(400);
  });

  it('unknown tokens get 404 with an empty body; repeated guessing gets 429', async () => {
    t = await openApiSite(site());
    let last: Response | null = null;
    for (let i = 0; i < 10; i++) {
      last = await push(`/push/guess-${i}-0123456789abcdef`);
      expect(last.status).toBe(404);
      expect(await last.text()).toBe('');
    }
    last = await push('/push/guess-x-0123456789abcdef');
    expect(last.status).toBe(429);
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
    // the miss bucket refills on the site clock
    await t.clock.advance(10_000);
    expect((await push('/push/guess-y-0123456789abcdef')).status).toBe(404);
  });

  it('rate limits each client', async () => {
    t = await openApiSite(site());
    const codes: number[] = [];
    for (let i = 0; i < 61; i++) codes.push((await push(`/push/${TOKEN}`)).status);
    expect(codes.slice(0, 60).every((c) => c === 200)).toBe(true);
    expect(codes[60]).toBe(429);
  });

  it('generates a token for a push check that has none and saves it in the site file', async () => {
    t = await openApiSite(site(''));
    const token = (t.file() as { checks: { job: { options: { token: string } } } }).checks.job.options.token;
    expect(token).toMatch(PUSH_TOKEN);
    expect((await push(`/push/${token}`)).status).toBe(200);
    expect(state()).toBe('PASS');
    // one created later through the API gets one too
    await t.call('POST', '/api/v1/checks', { body: { name: 'later', type: 'push' } });
    await t.api.push.settled();
    expect((t.file() as { checks: { later: { options: { token: string } } } }).checks.later.options.token).toMatch(PUSH_TOKEN);
  });

  it('refuses a short token in the site file', async () => {
    t = await openApiSite(site('short'));
    expect(t.site.issuesFor('job').map((i) => i.path.join('.'))).toEqual(['checks.job.options.token']);
    expect((await push('/push/short')).status).toBe(404);
  });

  it('keeps the last heartbeat across a restart', async () => {
    t = await openApiSite(site(), { dbPath: undefined });
    const dbPath = join(t.dir, 'site.db');
    await t.site.start();
    await push(`/push/${TOKEN}?status=fail&msg=nightly+job+crashed`);
    const log = t.site.state('job').log;
    await t.site.stop();
    const again = await openSite({ configPath: t.path, clock: t.clock, dbPath, migrations: [API_MIGRATIONS] });
    apiRoutes(createApiContext(apiSiteView(again)));
    await again.start();
    await t.clock.advance(61_000);
    expect(stateText(again.state('job'), false)).toBe('FAIL');
    expect(again.state('job').log).toEqual(log);
    await again.stop();
    // afterEach closes t: give it an open site again
    t.site = await openSite({ configPath: t.path, clock: t.clock, dbPath, migrations: [API_MIGRATIONS] });
  });
});
