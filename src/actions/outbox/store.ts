/**
 * The outbox tables (module `outbox`): one row per notification and action,
 * written before anything is sent, and each action's last result. Every
 * change is one committed statement or transaction, so the worker can be
 * killed at any point and resume from what is here.
 */
import type { Database as Db, Statement } from 'better-sqlite3';
import type { MigrationSet } from '../../store/db.ts';
import type { Notification } from '../types.ts';

export const OUTBOX_MIGRATIONS: MigrationSet = {
  module: 'outbox',
  steps: [
    `CREATE TABLE outbox (
       id INTEGER PRIMARY KEY,
       uid TEXT NOT NULL UNIQUE,
       action TEXT NOT NULL,
       check_name TEXT,
       kind TEXT NOT NULL,
       state TEXT NOT NULL,
       payload TEXT NOT NULL,
       status TEXT NOT NULL,
       created INTEGER NOT NULL,
       minute INTEGER NOT NULL,
       next_at INTEGER NOT NULL,
       attempts INTEGER NOT NULL DEFAULT 0,
       inflight INTEGER,
       last_attempt INTEGER,
       last_error TEXT,
       sent_at INTEGER,
       digest_id INTEGER
     );
     CREATE INDEX outbox_queue ON outbox (status, action, created, id);
     CREATE INDEX outbox_check ON outbox (check_name, id);
     CREATE INDEX outbox_minute ON outbox (action, minute);
     CREATE TABLE outbox_action (
       action TEXT PRIMARY KEY,
       last_sent INTEGER,
       last_error TEXT,
       last_error_at INTEGER
     );`,
  ],
};

/**
 * pending: waiting for its first or next attempt · sent: the receiver
 * accepted it · failed: a permanent error, or retries ran out · held: kept
 * back by storm control for its minute's digest · digested: went out inside
 * the digest `digestId`.
 */
export type DeliveryStatus = 'pending' | 'sent' | 'failed' | 'held' | 'digested';

export interface DeliveryRecord {
  id: number;
  uid: string;
  action: string;
  /** the check it is about (null for digests and action tests) */
  check: string | null;
  kind: Notification['kind'];
  /** the check's state in the notification (PASS, FAIL) */
  state: string;
  status: DeliveryStatus;
  attempts: number;
  created: number;
  /** when the next attempt is due (pending only) */
  nextAt: number | null;
  lastAttempt: number | null;
  lastError: string | null;
  sentAt: number | null;
  digestId: number | null;
}

export interface ActionDeliveryStatus {
  action: string;
  lastSent: number | null;
  lastError: string | null;
  lastErrorAt: number | null;
  /** notifications waiting (pending or held) */
  queued: number;
  /** notifications that were given up on */
  failed: number;
}

export interface DeliveryQuery {
  check?: string;
  action?: string;
  status?: DeliveryStatus;
  /** rows with an id below this (paging, newest first) */
  before?: number;
  limit?: number;
}

export interface OutboxRow {
  id: number;
  uid: string;
  action: string;
  check_name: string | null;
  kind: string;
  state: string;
  payload: string;
  status: DeliveryStatus;
  created: number;
  minute: number;
  next_at: number;
  attempts: number;
  inflight: number | null;
  last_attempt: number | null;
  last_error: string | null;
  sent_at: number | null;
  digest_id: number | null;
}

export interface NewRow {
  uid: string;
  action: string;
  check: string | null;
  n: Notification;
  status: 'pending' | 'held' | 'sent' | 'failed';
  created: number;
  minute: number;
}

/** The columns that name a delivery and hold its notification (an insert and a restore write the same). */
function deliveryColumns(r: Pick<NewRow, 'uid' | 'action' | 'check' | 'n'>) {
  return { uid: r.uid, action: r.action, check: r.check, kind: r.n.kind, state: r.n.check.state, payload: JSON.stringify(r.n) };
}

function record(r: OutboxRow): DeliveryRecord {
  return {
    id: r.id,
    uid: r.uid,
    action: r.action,
    check: r.check_name,
    kind: r.kind as Notification['kind'],
    state: r.state,
    status: r.status,
    attempts: r.attempts,
    created: r.created,
    nextAt: r.status === 'pending' ? r.next_at : null,
    lastAttempt: r.last_attempt,
    lastError: r.last_error,
    sentAt: r.sent_at,
    digestId: r.digest_id,
  };
}

export class OutboxStore {
  private readonly q: Record<string, Statement>;

  constructor(readonly db: Db) {
    this.q = {
      // a delivery already in the outbox (the same notification for the same action: delivery-id.ts) is kept once
      insert: db.prepare(`INSERT INTO outbox (uid, action, check_name, kind, state, payload, status, created, minute, next_at)
                          VALUES (@uid, @action, @check, @kind, @state, @payload, @status, @created, @minute, @created)
                          ON CONFLICT(uid) DO NOTHING`),
      actions: db.prepare("SELECT DISTINCT action FROM outbox WHERE status = 'pending'"),
      head: db.prepare("SELECT * FROM outbox WHERE status = 'pending' AND action = ? ORDER BY created, id LIMIT ?"),
      restore:
        db.prepare(`INSERT INTO outbox (uid, action, check_name, kind, state, payload, status, created, minute, next_at, attempts, last_error, last_attempt, sent_at)
                           VALUES (@uid, @action, @check, @kind, @state, @payload, @status, @created, @minute, @nextAt, @attempts, @error, @lastAttempt, @sentAt)`),
      get: db.prepare('SELECT * FROM outbox WHERE id = ?'),
      byUid: db.prepare('SELECT * FROM outbox WHERE uid = ?'),
      inflight: db.prepare('UPDATE outbox SET inflight = ? WHERE id = ?'),
      sent: db.prepare("UPDATE outbox SET status = 'sent', attempts = attempts + 1, inflight = NULL, last_attempt = @now, sent_at = @now WHERE id = @id"),
      retry: db.prepare(
        'UPDATE outbox SET attempts = attempts + 1, inflight = NULL, last_attempt = @now, last_error = @error, next_at = @nextAt WHERE id = @id',
      ),
      failed: db.prepare(
        "UPDATE outbox SET status = 'failed', attempts = attempts + 1, inflight = NULL, last_attempt = @now, last_error = @error WHERE id = @id",
      ),
      okAction: db.prepare('INSERT INTO outbox_action (action, last_sent) VALUES (?, ?) ON CONFLICT(action) DO UPDATE SET last_sent = excluded.last_sent'),
      errAction: db.prepare(
        'INSERT INTO outbox_action (action, last_error, last_error_at) VALUES (?, ?, ?) ON CONFLICT(action) DO UPDATE SET last_error = excluded.last_error, last_error_at = excluded.last_error_at',
      ),
      inMinute: db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE action = ? AND minute = ? AND kind NOT IN ('digest', 'test')"),
      heldMinutes: db.prepare("SELECT DISTINCT action, minute FROM outbox WHERE status = 'held' AND minute < ?"),
      heldIn: db.prepare("SELECT * FROM outbox WHERE status = 'held' AND action = ? AND minute = ? ORDER BY created, id"),
      fold: db.prepare("UPDATE outbox SET status = 'digested', digest_id = ? WHERE status = 'held' AND action = ? AND minute = ?"),
      release: db.prepare("UPDATE outbox SET status = 'pending' WHERE id = ?"),
      firstHeld: db.prepare("SELECT MIN(minute) AS m FROM outbox WHERE status = 'held'"),
      wasInflight: db.prepare("SELECT * FROM outbox WHERE status = 'pending' AND inflight IS NOT NULL"),
      clearInflight: db.prepare("UPDATE outbox SET inflight = NULL WHERE status = 'pending' AND inflight IS NOT NULL"),
      lastAnnounced: db.prepare("SELECT * FROM outbox WHERE check_name = ? AND kind IN ('transition', 'reminder') ORDER BY id DESC LIMIT 1"),
      rename: db.prepare('UPDATE outbox SET check_name = ? WHERE check_name = ?'),
      prune: db.prepare("DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE status IN ('sent', 'failed', 'digested') AND created < ? LIMIT 5000)"),
      status: db.prepare('SELECT * FROM outbox_action WHERE action = ?'),
      counts: db.prepare("SELECT SUM(status IN ('pending', 'held')) AS queued, SUM(status = 'failed') AS failed FROM outbox WHERE action = ?"),
    };
  }

  /** The new row's id, or 0 when the outbox holds this delivery (its uid) already: kept once. */
  insert(r: NewRow): number {
    const res = this.q.insert.run({
      ...deliveryColumns(r),
      status: r.status,
      created: r.created,
      minute: r.minute,
    });
    return res.changes ? Number(res.lastInsertRowid) : 0;
  }

  /** The row of a delivery (its uid: delivery-id.ts). */
  byUid(uid: string): OutboxRow | undefined {
    return this.q.byUid.get(uid) as OutboxRow | undefined;
  }

  /** Actions with something pending. */
  pendingActions(): string[] {
    return (this.q.actions.all() as { action: string }[]).map((r) => r.action);
  }

  /** The oldest pending row of an action: actions deliver in order. */
  head(action: string): OutboxRow | undefined {
    return this.q.head.get(action, 1) as OutboxRow | undefined;
  }

  /** The `limit` oldest pending rows of an action. */
  heads(action: string, limit: number): OutboxRow[] {
    return this.q.head.all(action, limit) as OutboxRow[];
  }

  /**
   * Stores a notification that was kept in memory while the database refused
   * it, as it is now: still pending (with its tries so far), or already sent.
   */
  restore(
    r: { uid: string; action: string; check: string | null; n: Notification; created: number; attempts: number; nextAt: number; lastError: string | null },
    sentAt: number | null,
  ): void {
    this.q.restore.run({
      ...deliveryColumns(r),
      status: sentAt === null ? 'pending' : 'sent',
      created: r.created,
      minute: Math.floor(r.created / 60_000),
      nextAt: r.nextAt,
      attempts: r.attempts,
      error: r.lastError,
      lastAttempt: sentAt,
      sentAt,
    });
    if (sentAt !== null) this.q.okAction.run(r.action, sentAt);
  }

  get(id: number): OutboxRow | undefined {
    return this.q.get.get(id) as OutboxRow | undefined;
  }

  markInflight(id: number, now: number): void {
    this.q.inflight.run(now, id);
  }

  markSent(row: OutboxRow, now: number): void {
    this.db.transaction(() => {
      this.q.sent.run({ id: row.id, now });
      this.q.okAction.run(row.action, now);
    })();
  }

  markRetry(row: OutboxRow, now: number, error: string, nextAt: number): void {
    this.db.transaction(() => {
      this.q.retry.run({ id: row.id, now, error, nextAt });
      this.q.errAction.run(row.action, error, now);
    })();
  }

  markFailed(row: OutboxRow, now: number, error: string): void {
    this.db.transaction(() => {
      this.q.failed.run({ id: row.id, now, error });
      this.q.errAction.run(row.action, error, now);
    })();
  }

  /** A result outside the queue (an action test). */
  recordResult(action: string, now: number, error: string | null): void {
    if (error === null) this.q.okAction.run(action, now);
    else this.q.errAction.run(action, error, now);
  }

  /** Notifications of `action` created in clock minute `minute` (storm control counts these). */
  countInMinute(action: string, minute: number): number {
    return (this.q.inMinute.get(action, minute) as { n: number }).n;
  }

  /** (action, minute) pairs with held rows of a minute before `minute`. */
  heldBefore(minute: number): { action: string; minute: number }[] {
    return this.q.heldMinutes.all(minute) as { action: string; minute: number }[];
  }

  /**
   * Turns the held rows of one action and minute into one pending digest row
   * (one held row is simply released). One transaction: a crash leaves
   * either the held rows or the digest.
   */
  fold(action: string, minute: number, digest: (held: Notification[]) => NewRow): number | null {
    return this.db.transaction(() => {
      const rows = this.q.heldIn.all(action, minute) as OutboxRow[];
      if (rows.length === 0) return null;
      if (rows.length === 1) {
        this.q.release.run(rows[0].id);
        return rows[0].id;
      }
      const id = this.insert(digest(rows.map((r) => JSON.parse(r.payload) as Notification)));
      this.q.fold.run(id, action, minute);
      return id;
    })();
  }

  /** When the earliest minute with held rows ends (its digest is due), or null. */
  nextHeldEnd(): number | null {
    const held = (this.q.firstHeld.get() as { m: number | null }).m;
    return held === null ? null : (held + 1) * 60_000;
  }

  /** Rows whose last attempt was cut off by the end of the process (they may have arrived). */
  takeInterrupted(): OutboxRow[] {
    return this.db.transaction(() => {
      const rows = this.q.wasInflight.all() as OutboxRow[];
      this.q.clearInflight.run();
      return rows;
    })();
  }

  /** The latest transition or reminder queued for a check (reminders resume from it). */
  lastAnnounced(check: string): { created: number; n: Notification } | undefined {
    const r = this.q.lastAnnounced.get(check) as OutboxRow | undefined;
    return r ? { created: r.created, n: JSON.parse(r.payload) as Notification } : undefined;
  }

  renameCheck(from: string, to: string): void {
    this.q.rename.run(to, from);
  }

  /** Deletes finished rows created before `before`, in batches; returns rows removed. */
  prune(before: number): number {
    return this.q.prune.run(before).changes;
  }

  list(q: DeliveryQuery = {}): DeliveryRecord[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    if (q.check !== undefined) {
      where.push('check_name = ?');
      args.push(q.check);
    }
    if (q.action !== undefined) {
      where.push('action = ?');
      args.push(q.action);
    }
    if (q.status !== undefined) {
      where.push('status = ?');
      args.push(q.status);
    }
    if (q.before !== undefined) {
      where.push('id < ?');
      args.push(q.before);
    }
    const sql = `SELECT * FROM outbox${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    args.push(Math.max(1, Math.min(q.limit ?? 100, 1000)));
    return (this.db.prepare(sql).all(...args) as OutboxRow[]).map(record);
  }

  /** One delivery with the notification it carries. */
  detail(id: number): (DeliveryRecord & { notification: Notification }) | undefined {
    const r = this.get(id);
    return r ? { ...record(r), notification: JSON.parse(r.payload) as Notification } : undefined;
  }

  actionStatus(action: string): ActionDeliveryStatus {
    const s = this.q.status.get(action) as { last_sent: number | null; last_error: string | null; last_error_at: number | null } | undefined;
    const c = this.q.counts.get(action) as { queued: number | null; failed: number | null };
    return {
      action,
      lastSent: s?.last_sent ?? null,
      lastError: s?.last_error ?? null,
      lastErrorAt: s?.last_error_at ?? null,
      queued: c.queued ?? 0,
      failed: c.failed ?? 0,
    };
  }
}
