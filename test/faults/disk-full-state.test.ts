/**
 * Issue 16, "nothing acknowledged is lost": the site folder — site file and
 * site.db — on a real small tmpfs that fills up. A disk check watching that
 * volume goes FAIL while nothing can be stored: the FAIL notification still
 * reaches the webhook (from memory), and siteward says loudly that it cannot
 * store (site log, /healthz, /metrics, the UI banner); push and API writes
 * answer 503, token-authenticated reads keep working. Once space is back the
 * kept results and the delivery are stored, in order, and the recovery is
 * notified after the failure it follows. In CI the tmpfs must mount: a
 * refusal fails the suite instead of skipping.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { FakeClock } from '../../src/engine/clock.ts';
import { STORE_RETRY_MS } from '../../src/site-runtime.ts';
import { buildWebApp } from '../../src/web/app.ts';
import { siteTokens } from '../../src/api/tokens.ts';
import type { OutboxNotifier } from '../../src/actions/outbox/notifier.ts';
import * as wiring from '../../src/wiring.ts';
import { startReceiver } from '../servers/http-receiver.ts';
import { tempDir } from '../servers/common.ts';
import { Agent, PASSWORDS, fastHash, withApi } from '../web/helpers.ts';
import { mountTmpfs } from './tmpfs.ts';

const root = tempDir('sw-fullstate-');
const disk = join(root.dir, 'site');
mkdirSync(disk);
const fs = mountTmpfs(disk, '4m');
const refused = 'refused' in fs ? fs.refused : null;
afterAll(() => {
  if (!('refused' in fs)) fs.unmount();
  root.cleanup();
});

const PUSH = 'push-token-0123456789abcdef';

/** CI must run this for real; elsewhere a machine that refuses the mount shows the test as skipped, with the reason. */
const run = refused && process.env.CI !== 'true' ? it.skip : it;

describe('the disk under the site and its database fills up', () => {
  run(
    `nothing acknowledged is lost, and siteward says so loudly${refused ? ` (skipped: ${refused})` : ''}`,
    async () => {
      if ('refused' in fs) throw new Error(`CI needs a tmpfs for this test (run as root with mount allowed): ${fs.refused}`);
      const rx = await startReceiver();
      const clock = new FakeClock(Date.UTC(2026, 3, 1, 12));
      const path = join(disk, 'site.json');
      writeFileSync(
        path,
        JSON.stringify({
          webui: { name: 'Full', hostname: '127.0.0.1', port: 1, users: { admin: await fastHash(PASSWORDS.admin), '': await fastHash('x') } },
          scheduler: { jitter: 0 },
          actions: { hook: { type: 'webhook', options: { url: `${rx.url}/hook` } } },
          checks: {
            vol: { type: 'disk', options: { volume: disk, level: 90, hysteresis: 0 }, actions: ['hook'] },
            beat: { type: 'push', options: { token: PUSH, timeout: 3600 } },
          },
        }),
        { mode: 0o600 },
      );
      const site = await wiring.openSite({ configPath: path, clock, migrations: wiring.migrations(), notifier: wiring.notifierFactory() });
      const web = await buildWebApp(wiring.webSiteView(site), { secure: false, flushMs: 5, keyPath: join(root.dir, 'session-key'), ...withApi(site) });
      const outbox = site.notifier as OutboxNotifier;
      const settle = async (): Promise<void> => {
        await site.runtime.committed();
        await outbox.idle();
      };
      const token = siteTokens(site).create({ name: 'reader', scope: 'admin' }).secret;
      const api = (method: string, p: string, body?: unknown): Promise<Response> =>
        Promise.resolve(
          web.app.request(p, {
            method,
            headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
            body: body ? JSON.stringify(body) : undefined,
          }),
        );
      const states = (): string[] => rx.requests.map((r) => (JSON.parse(r.body) as { check: { state: string } }).check.state);
      try {
        await site.start();
        const a = new Agent(web);
        expect((await a.login('admin', PASSWORDS.admin)).status).toBe(303);
        // a new check starts FAIL: its first run is a PASS, notified
        expect((await site.runNow('vol'))!.failState).toBe(false);
        await settle();
        await rx.waitFor(1);

        fs.fill();
        const failed = (await site.runNow('vol'))!;
        await settle();
        // the state moved on, and so did its notification: delivered from memory
        expect(failed.failState).toBe(true);
        await rx.waitFor(2);
        expect(states()).toEqual(['PASS', 'FAIL']);
        expect(site.runtime.unstoredCount).toBeGreaterThan(0);
        // loud: the site log, /healthz, /metrics, the banner on every page
        expect(site.storage.problem?.message).toMatch(/^siteward cannot store results \(database or disk is full\)/);
        expect(site.siteLog.all().some((l) => / siteward cannot store results .*kept in memory and retried$/.test(l))).toBe(true);
        const health = await web.app.request('/healthz');
        expect(health.status).toBe(503);
        expect(await health.json()).toMatchObject({ status: 'degraded', problem: expect.stringMatching(/database or disk is full/) });
        const metrics = await (await web.app.request('/metrics')).text();
        expect(metrics).toMatch(/^siteward_storage_ok 0$/m);
        expect(metrics).toMatch(/^siteward_results_unstored [1-9]\d*$/m);
        const page = await (await a.get('/')).text();
        expect(page).toMatch(
          /<div class="errors banner" role="alert" id="storage-banner"><strong>Results are not being saved\.<\/strong> siteward cannot store results \(database or disk is full\)/,
        );
        // reads with a token work (verifying it writes "last used" only when it can)
        expect((await api('GET', '/api/v1/checks/vol')).status).toBe(200);
        // writes say that nothing could be stored: 503 with Retry-After
        const edit = await api('PATCH', '/api/v1/checks/vol', { threshold: 2 });
        expect(edit.status).toBe(503);
        expect(edit.headers.get('retry-after')).toBe('30');
        expect(((await edit.json()) as { error: { code: string } }).error.code).toBe('save_failed');
        const ranVia = await api('POST', '/api/v1/checks/vol/run');
        expect(ranVia.status).toBe(503);
        const beat = await web.app.request(`/push/${PUSH}`);
        expect(beat.status).toBe(503);
        expect(beat.headers.get('retry-after')).toBe('30');
        expect(await beat.text()).toMatch(/^heartbeat received but not stored: siteward cannot store results/);
        expect(site.state('beat').failState).toBe(false);

        // space comes back: the next retry stores what memory kept, and siteward says so
        fs.free();
        await clock.advance(STORE_RETRY_MS);
        await settle();
        expect(site.runtime.unstoredCount).toBe(0);
        await clock.advance(STORE_RETRY_MS);
        await settle();
        expect(site.storage.problem).toBeNull();
        expect((await web.app.request('/healthz')).status).toBe(200);
        expect(site.siteLog.all().some((l) => / Storing works again \(it had failed since /.test(l))).toBe(true);
        expect(await (await a.get('/')).text()).not.toContain('storage-banner');
        // the recovery is notified after the failure it follows
        expect((await site.runNow('vol'))!.failState).toBe(false);
        await settle();
        await rx.waitFor(3);
        expect(states()).toEqual(['PASS', 'FAIL', 'PASS']);
      } finally {
        await site.stop();
        await rx.close();
      }
      // what was kept in memory is in site.db now: the FAIL transition and its delivery, in order
      const db = new Database(join(disk, 'site.db'), { readonly: true });
      try {
        const transitions = db
          .prepare("SELECT t.to_state AS s FROM transitions t JOIN check_ids c ON c.id = t.check_id WHERE c.name = 'vol' ORDER BY t.id")
          .all() as { s: string }[];
        expect(transitions.map((r) => r.s)).toEqual(['PASS', 'FAIL', 'PASS']);
        const sent = db.prepare("SELECT state, status FROM outbox WHERE action = 'hook' ORDER BY created, id").all() as { state: string; status: string }[];
        expect(sent).toEqual([
          { state: 'PASS', status: 'sent' },
          { state: 'FAIL', status: 'sent' },
          { state: 'PASS', status: 'sent' },
        ]);
        const beats = db.prepare("SELECT count(*) AS n FROM runs r JOIN check_ids c ON c.id = r.check_id WHERE c.name = 'beat'").get() as { n: number };
        expect(
          beats.n,
          JSON.stringify(db.prepare('SELECT c.name, count(*) AS n FROM runs r JOIN check_ids c ON c.id = r.check_id GROUP BY c.name').all()),
        ).toBeGreaterThanOrEqual(1);
      } finally {
        db.close();
      }
    },
    120_000,
  );
});
