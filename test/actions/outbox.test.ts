/**
 * The outbox worker on a fake clock against a real HTTP receiver: the
 * back-off schedule, giving up, permanent errors, per-action order,
 * Retry-After, the action test, and what survives a restart.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { join } from 'node:path';
import type { Database as Db } from 'better-sqlite3';
import { openDatabase, CORE_MIGRATIONS } from '../../src/store/db.ts';
import { FakeClock } from '../../src/engine/clock.ts';
import { OUTBOX_MIGRATIONS } from '../../src/actions/outbox/store.ts';
import { OutboxNotifier, type OutboxSettings } from '../../src/actions/outbox/notifier.ts';
import { retryDelay, retrySchedule } from '../../src/actions/outbox/backoff.ts';
import { deliveryId } from '../../src/actions/outbox/delivery-id.ts';
import { testNotification } from '../../src/actions/test-notification.ts';
import { startReceiver, type Receiver } from '../servers/http-receiver.ts';
import { tempDir } from '../servers/common.ts';
import { entry, failNote, host, passNote, type TestHost } from './helpers.ts';

const T0 = Date.UTC(2026, 0, 14, 5, 4, 10);
let clock: FakeClock;
let rx: Receiver;
let db: Db;
let h: TestHost;
let settings: OutboxSettings;
let outbox: OutboxNotifier;

function make(d: Db = db): OutboxNotifier {
  return new OutboxNotifier({ host: h, db: d, clock, settings: () => settings, random: () => 0 });
}

/** Runs the clock to `t` and waits for the deliveries it started. */
async function at(t: number, o: OutboxNotifier = outbox): Promise<void> {
  await clock.advanceTo(t);
  await o.idle();
}

beforeEach(async () => {
  clock = new FakeClock(T0);
  rx = await startReceiver({ now: () => clock.now() });
  db = openDatabase(':memory:', [CORE_MIGRATIONS, OUTBOX_MIGRATIONS]);
  h = host([entry('webhook', { url: `${rx.url}/a` }, 'hook'), entry('webhook', { url: `${rx.url}/b` }, 'other')], () => clock.now());
  settings = { retryHours: 24, backoff: 30, backoffMax: 300, stormLimit: 0 };
  outbox = make();
  outbox.start();
});

afterEach(async () => {
  await outbox.stop();
  db.close();
  await rx.close();
});

describe('retry delays', () => {
  it('double from the base up to the cap', () => {
    expect(retrySchedule(7, 30_000, 300_000)).toEqual([30_000, 60_000, 120_000, 240_000, 300_000, 300_000, 300_000]);
  });

  it('jitter only shortens a wait, by at most 20 %', () => {
    expect(retryDelay(1, 30_000, 300_000, () => 0.5)).toBe(27_000);
    expect(retryDelay(9, 30_000, 300_000, () => 0.999_999)).toBe(240_000);
    for (let i = 0; i < 200; i++) {
      const d = retryDelay(3, 30_000, 300_000);
      expect(d).toBeGreaterThan(0.8 * 120_000 - 1);
      expect(d).toBeLessThanOrEqual(120_000);
    }
  });
});

describe('outbox delivery', () => {
  it('retries transient failures with exponential back-off until the receiver accepts', async () => {
    rx.replies.push({ status: 500 }, { status: 503 }, { status: 500 }, { status: 502 }, { status: 500 }, { status: 500 });
    outbox.notify(['hook'], failNote());
    await outbox.idle();
    for (let i = 0; i < 6; i++) {
      const [row] = outbox.deliveries({ action: 'hook' });
      expect(row.status).toBe('pending');
      await at(row.nextAt!);
    }
    expect(rx.requests.map((r) => (r.at - T0) / 1000)).toEqual([0, 30, 90, 210, 450, 750, 1050]);
    const [row] = outbox.deliveries({ action: 'hook' });
    expect(row).toMatchObject({ status: 'sent', attempts: 7, sentAt: T0 + 1_050_000, lastError: `127.0.0.1:${rx.port}: HTTP 500` });
    expect(outbox.actionStatus('hook')).toMatchObject({ lastSent: T0 + 1_050_000, queued: 0, failed: 0 });
    // the first failure is reported once on the site log, not every retry
    expect(h.warnings).toEqual([`hook (webhook): notification of web failed, will retry: 127.0.0.1:${rx.port}: HTTP 500`]);
  });

  it('every request of a retried notification carries the same id', async () => {
    rx.replies.push({ status: 500 });
    outbox.notify(['hook'], failNote());
    await outbox.idle();
    await at(T0 + 30_000);
    const ids = rx.requests.map((r) => (JSON.parse(r.body) as { id: string }).id);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toBe(ids[1]);
    // derived from the notification's own id and the action (outbox/delivery-id.ts)
    expect(ids[0]).toBe(deliveryId('n-fail-1', 'hook'));
  });

  it('gives up when retryHours have passed, with a last try at the deadline', async () => {
    settings.retryHours = 0.1; // 6 minutes
    rx.fallback = { status: 500 };
    outbox.notify(['hook'], failNote());
    await outbox.idle();
    await at(T0 + 3_600_000);
    expect(rx.requests.map((r) => (r.at - T0) / 1000)).toEqual([0, 30, 90, 210, 360]);
    expect(outbox.deliveries()[0]).toMatchObject({ status: 'failed', attempts: 5, nextAt: null });
    expect(outbox.actionStatus('hook')).toMatchObject({ failed: 1, queued: 0, lastError: `127.0.0.1:${rx.port}: HTTP 500` });
    expect(h.warnings.at(-1)).toBe(`hook (webhook): Fail after 5 tries: 127.0.0.1:${rx.port}: HTTP 500`);
  });

  it('a permanent error (401) stops at once and the queue moves on', async () => {
    rx.replies.push({ status: 401, body: 'no' });
    outbox.notify(['hook'], failNote());
    outbox.notify(['hook'], passNote());
    await outbox.idle();
    await at(T0 + 3_600_000);
    expect(rx.requests).toHaveLength(2);
    const [pass, fail] = outbox.deliveries({ action: 'hook' });
    expect(fail).toMatchObject({ status: 'failed', attempts: 1, state: 'FAIL' });
    expect(pass).toMatchObject({ status: 'sent', attempts: 1, state: 'PASS' });
  });

  it('an action delivers in order: a later notification waits for the retried one; other actions do not wait', async () => {
    rx.replies.push({ status: 500 });
    outbox.notify(['hook'], failNote());
    outbox.notify(['hook', 'other'], passNote());
    await outbox.idle();
    expect(rx.requests.map((r) => `${r.path} ${(JSON.parse(r.body) as { check: { state: string } }).check.state}`)).toEqual(['/a FAIL', '/b PASS']);
    await at(T0 + 30_000);
    expect(rx.requests.map((r) => `${r.path} ${(JSON.parse(r.body) as { check: { state: string } }).check.state}`)).toEqual([
      '/a FAIL',
      '/b PASS',
      '/a FAIL',
      '/a PASS',
    ]);
  });

  it('honours Retry-After when it asks for longer than the back-off', async () => {
    rx.replies.push({ status: 429, headers: { 'Retry-After': '120' } });
    outbox.notify(['hook'], failNote());
    await outbox.idle();
    expect(outbox.deliveries()[0].nextAt).toBe(T0 + 120_000);
    await at(T0 + 119_000);
    expect(rx.requests).toHaveLength(1);
    await at(T0 + 120_000);
    expect(rx.requests).toHaveLength(2);
  });

  it('an action that was deleted fails permanently', async () => {
    outbox.notify(['gone'], failNote());
    await outbox.idle();
    expect(outbox.deliveries()[0]).toMatchObject({ action: 'gone', status: 'failed', lastError: 'there is no action gone any more' });
  });

  it('the action test sends at once and is recorded', async () => {
    rx.replies.push({ status: 200 }, { status: 403, body: 'forbidden' });
    const n = testNotification('HQ', null, clock.now(), () => 0.5);
    expect(await outbox.test('hook', n)).toEqual({ ok: true });
    expect(await outbox.test('hook', n)).toEqual({ ok: false, error: `127.0.0.1:${rx.port}: HTTP 403 forbidden` });
    expect(await outbox.test('nope', n)).toEqual({ ok: false, error: 'unknown action nope' });
    expect(outbox.deliveries({ action: 'hook' }).map((r) => [r.kind, r.status, r.check])).toEqual([
      ['test', 'failed', null],
      ['test', 'sent', null],
    ]);
    expect(JSON.parse(rx.requests[0].body)).toMatchObject({ kind: 'test', check: { name: 'Test Notification', type: 'action-test' } });
    expect(outbox.actionStatus('hook')).toMatchObject({ lastError: `127.0.0.1:${rx.port}: HTTP 403 forbidden`, lastErrorAt: T0 });
  });

  it('lists deliveries per check, newest first', async () => {
    outbox.notify(['hook'], failNote());
    outbox.notify(['hook'], { ...failNote({ name: 'mail', type: 'smtp' }), id: 'n-fail-mail' });
    outbox.notify(['hook', 'other'], passNote());
    await outbox.idle();
    expect(outbox.deliveries({ check: 'web' }).map((r) => [r.action, r.state])).toEqual([
      ['other', 'PASS'],
      ['hook', 'PASS'],
      ['hook', 'FAIL'],
    ]);
    expect(outbox.deliveries({ check: 'mail' })).toHaveLength(1);
    expect(outbox.deliveries({ status: 'sent', limit: 2 })).toHaveLength(2);
  });
});

describe('outbox across restarts', () => {
  it("a notification with its own id: each action's delivery id derives from it, the same from another node's outbox", async () => {
    const n = { ...failNote(), id: 'b7d1c9e2-made-on-node-a' };
    outbox.notify(['hook', 'other'], n);
    await outbox.idle();
    // another node's outbox (its own database) sends the same notification again (a zone takeover, docs/ha.md)
    const db2 = openDatabase(':memory:', [CORE_MIGRATIONS, OUTBOX_MIGRATIONS]);
    const o2 = make(db2);
    o2.start();
    try {
      o2.notify(['hook'], n);
      await o2.idle();
    } finally {
      await o2.stop();
      db2.close();
    }
    const ids = (path: string): string[] => rx.requests.filter((r) => r.path === path).map((r) => (JSON.parse(r.body) as { id: string }).id);
    const [hook, again] = ids('/a');
    const [other] = ids('/b');
    expect(rx.requests).toHaveLength(3);
    expect(again).toBe(hook);
    expect(other).not.toBe(hook);
    expect(hook).toBe(deliveryId(n.id, 'hook'));
    expect(other).toBe(deliveryId(n.id, 'other'));
    expect(hook).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // the row keys stay unique per outbox
    expect(new Set(outbox.deliveries().map((d) => d.uid)).size).toBe(2);
  });

  it('the same notification queued again (a zone node after a restart): a pending delivery is kept once, a finished one is reported delivered', async () => {
    const said: [string, string, boolean][] = [];
    h.delivered = (action, n, sent) => void said.push([action, n.id ?? '', sent]);
    const n = { ...failNote(), id: 'c0ffee00-recorded-before-a-restart' };
    rx.fallback = { status: 503, body: 'not now' };
    outbox.notify(['hook'], n);
    await outbox.idle();
    // still pending (its retry not due): queued again, it is the same row, and nothing is reported
    outbox.notify(['hook'], n);
    expect(outbox.deliveries().map((d) => d.status)).toEqual(['pending']);
    expect(said).toEqual([]);
    rx.fallback = { status: 200, body: 'ok' };
    await at(T0 + 31_000);
    expect(said).toEqual([['hook', deliveryId(n.id, 'hook'), true]]);
    // delivered: queued again, nothing is sent, one row, and it is reported delivered again (the zone's record drops it)
    const sent = rx.requests.length;
    outbox.notify(['hook', 'other'], n);
    await outbox.idle();
    expect(said).toEqual([
      ['hook', deliveryId(n.id, 'hook'), true],
      ['hook', deliveryId(n.id, 'hook'), true],
      ['other', deliveryId(n.id, 'other'), true],
    ]);
    expect(rx.requests.length - sent, 'only the new delivery, to "other"').toBe(1);
    expect(
      outbox
        .deliveries()
        .map((d) => `${d.action} ${d.status}`)
        .sort(),
    ).toEqual(['hook sent', 'other sent']);
  });

  it('a notification still pending at stop is delivered by the next process, once', async () => {
    const { dir, cleanup } = tempDir('sw-outbox-');
    try {
      const path = join(dir, 'site.db');
      const db1 = openDatabase(path, [CORE_MIGRATIONS, OUTBOX_MIGRATIONS]);
      const o1 = make(db1);
      o1.start();
      rx.replies.push({ status: 500 });
      o1.notify(['hook'], failNote());
      await o1.idle();
      await o1.stop();
      db1.close();
      expect(rx.requests).toHaveLength(1);

      const db2 = openDatabase(path, [CORE_MIGRATIONS, OUTBOX_MIGRATIONS]);
      const o2 = make(db2);
      o2.start();
      await at(T0 + 30_000, o2);
      expect(rx.requests).toHaveLength(2);
      await at(T0 + 3_600_000, o2);
      expect(rx.requests).toHaveLength(2);
      expect(o2.deliveries()[0]).toMatchObject({ status: 'sent', attempts: 2 });
      await o2.stop();
      db2.close();
    } finally {
      cleanup();
    }
  });

  it('a send cut off by the end of the process is sent again, with a warning that it may arrive twice', async () => {
    await outbox.stop();
    const o1 = make();
    o1.notify(['hook'], failNote()); // not started: queued only
    const row = o1.store.head('hook')!;
    o1.store.markInflight(row.id, clock.now()); // as if the process died mid-send
    const o2 = make();
    o2.start();
    await o2.idle();
    expect(rx.requests).toHaveLength(1);
    expect(h.warnings[0]).toMatch(new RegExp(`^hook: notification ${row.uid} was being sent when siteward stopped`));
    await o2.stop();
  });
});
