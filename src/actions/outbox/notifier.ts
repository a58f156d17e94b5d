/**
 * The durable outbox (replaces fletchck's three immediate tries, spec §5.2).
 *
 * queue() writes one row per action into SQLite and returns; a worker on
 * the site clock delivers. Each action is its own lane: it delivers its rows
 * in order, and a slow or hung receiver (an SMTP server that never greets)
 * delays only its own lane, never another action's (docs/actions.md). A
 * transient failure blocks that lane until the retry (exponential back-off
 * with jitter, capped, for up to `retryHours`); a permanent one marks the
 * row failed and the lane moves on. A row is marked sent only after the
 * receiver accepted it, so a crash between the two repeats that delivery
 * after restart (at-least-once, same id) — never loses it.
 * Storm control: past `stormLimit` notifications in one clock minute, an
 * action's further notifications are held and go out as one digest when
 * the minute ends.
 * When the database refuses writes (a full disk), notifications and
 * delivery outcomes are kept in memory and delivered from there
 * (volatile.ts), and stored as soon as the database takes them again.
 */
import { randomUUID } from 'node:crypto';
import type { Database as Db } from 'better-sqlite3';
import type { Clock, TimerHandle } from '../../engine/clock.ts';
import { sendOnce, type Notifier, type NotifierHost } from '../dispatch.ts';
import { ActionError, type Notification } from '../types.ts';
import { OutboxStore, type ActionDeliveryStatus, type DeliveryQuery, type DeliveryRecord, type OutboxRow } from './store.ts';
import { retryDelay } from './backoff.ts';
import { foldDigests } from './digest.ts';
import { Reminders, type ReminderSource } from './reminders.ts';
import { HeldQueue, Unrecorded, holdEach, persistMemory, sendHeld, type HeldDelivery, type HeldRow } from './volatile.ts';

export interface OutboxSettings {
  /** hours a notification is retried after transient failures */
  retryHours: number;
  /** seconds before the first retry */
  backoff: number;
  /** longest wait between retries, seconds */
  backoffMax: number;
  /** notifications per action and clock minute before the rest is digested (0: no limit) */
  stormLimit: number;
}

export const OUTBOX_DEFAULTS: OutboxSettings = { retryHours: 24, backoff: 30, backoffMax: 3600, stormLimit: 10 };

export interface OutboxOptions {
  host: NotifierHost;
  db: Db;
  clock: Clock;
  settings?: () => OutboxSettings;
  random?: () => number;
  reminders?: ReminderSource;
  /** finished rows older than this many days are deleted (default 30) */
  keepDays?: () => number;
  /** what one action's copy carries besides, made as it is sent (a signed ack link, src/ops/ack-link.ts) */
  forAction?: (action: string, n: Notification) => Notification;
}

const MINUTE = 60_000;
/** How often notifications kept in memory are offered to the database again (site clock). */
const STORE_RETRY_MS = 5_000;
type Result = 'next' | 'blocked';
/** A lane's next notification: a stored row (as the worker must see it) or one kept in memory. */
type Head = { kind: 'stored'; row: OutboxRow; attempts: number; nextAt: number } | { kind: 'held'; row: HeldRow; nextAt: number };

export class OutboxNotifier implements Notifier {
  readonly store: OutboxStore;
  readonly reminders: Reminders | null;
  private readonly host: NotifierHost;
  private readonly clock: Clock;
  private readonly settings: () => OutboxSettings;
  private readonly random: () => number;
  private readonly keepDays: () => number;
  private readonly forAction: (action: string, n: Notification) => Notification;
  private readonly inTransaction: (fn: () => void) => void;
  /** the running lane of each action: one delivery at a time per action, all actions at once */
  private readonly lanes = new Map<string, Promise<void>>();
  private readonly held = new HeldQueue();
  private readonly unrecorded = new Unrecorded();
  private timer: TimerHandle | null = null;
  private pruneTimer: TimerHandle | null = null;
  private kickQueued = false;
  private started = false;
  private stopping = false;

  constructor(o: OutboxOptions) {
    this.store = new OutboxStore(o.db);
    this.host = o.host;
    this.clock = o.clock;
    this.settings = o.settings ?? ((): OutboxSettings => OUTBOX_DEFAULTS);
    this.random = o.random ?? Math.random;
    this.keepDays = o.keepDays ?? ((): number => 30);
    this.forAction = o.forAction ?? ((_a, n): Notification => n);
    const src = o.reminders;
    this.reminders = src
      ? new Reminders(
          {
            checks: () => src.checks(),
            intervalMs: (c) => src.intervalMs(c),
            failingSince: (c) => src.failingSince(c),
            remind: (c) => {
              const r = src.reminder(c);
              if (r && r.actions.length) this.notify(r.actions, r.n);
            },
            lastAnnounced: (c) => this.store.lastAnnounced(c),
          },
          o.clock,
        )
      : null;
    this.inTransaction = o.db.transaction((fn: () => void) => fn());
  }

  /** Writes one row per action in the caller's transaction (the site's commit); throws when the database refuses. */
  queue(actions: readonly string[], n: Notification): void {
    const now = this.clock.now();
    const minute = Math.floor(now / MINUTE);
    const limit = this.settings().stormLimit;
    this.inTransaction(() => {
      for (const action of actions) {
        const held = limit > 0 && this.store.countInMinute(action, minute) >= limit;
        const uid = randomUUID();
        const check = n.kind === 'digest' || n.kind === 'test' ? null : n.check.name;
        this.store.insert({ uid, action, check, n: { ...n, id: uid }, status: held ? 'held' : 'pending', created: now, minute });
      }
    });
    this.reminders?.queued(n);
    this.kick();
  }

  /** queue(), or memory when the database refuses (reminders). Never throws. */
  notify(actions: readonly string[], n: Notification): void {
    try {
      this.queue(actions, n);
    } catch (e) {
      this.hold(actions, n, e);
    }
  }

  /**
   * Keeps `n` for each action in memory and delivers it from there: the
   * database refused it (the caller's commit failed). It moves into the
   * database as soon as that accepts it. Never throws.
   */
  hold(actions: readonly string[], n: Notification, error: unknown = new Error('the database refused it')): void {
    holdEach(this.held, actions, n, this.clock.now(), randomUUID, (m) => this.host.warn(m));
    this.host.storage?.failed('notifications', error);
    this.host.log.error({ err: error, check: n.check.name, actions }, 'notification kept in memory: the database refused it');
    this.reminders?.queued(n);
    this.kick();
  }

  async test(action: string, n: Notification): Promise<{ ok: boolean; error?: string }> {
    const entry = this.host.action(action);
    if (!entry) return { ok: false, error: `unknown action ${action}` };
    const uid = randomUUID();
    const sent = { ...n, id: uid };
    let error: string | null = null;
    try {
      await sendOnce(entry, sent, this.host);
    } catch (e) {
      error = (e as Error).message;
      this.host.warn(`${action} (${entry.config.type}): action test failed: ${error}`);
    }
    const now = this.clock.now();
    try {
      const id = this.store.insert({ uid, action, check: null, n: sent, status: 'pending', created: now, minute: Math.floor(now / MINUTE) });
      const row = this.store.get(id)!;
      if (error === null) this.store.markSent(row, now);
      else this.store.markFailed(row, now, error);
    } catch (e) {
      // the test was sent (or not) all the same: its record is what the database refused
      this.host.log.error({ err: e, action }, 'could not record an action test');
    }
    return error === null ? { ok: true } : { ok: false, error };
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    for (const r of this.store.takeInterrupted()) {
      // killed while sending: the receiver may have it already; it goes again (at-least-once)
      this.host.warn(`${r.action}: notification ${r.uid} was being sent when siteward stopped; sending it again (it may arrive twice)`);
    }
    this.reminders?.resume();
    this.prune();
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.timer?.cancel();
    this.pruneTimer?.cancel();
    this.reminders?.stop();
    await this.idle();
    this.persist();
    const lost = this.held.count();
    if (lost) this.host.warn(`${lost} notification${lost === 1 ? '' : 's'} could not be stored or delivered before siteward stopped; they are lost`);
    this.started = false;
  }

  deliveries(q?: DeliveryQuery): DeliveryRecord[] {
    return this.store.list(q);
  }

  actionStatus(name: string): ActionDeliveryStatus {
    const s = this.store.actionStatus(name);
    return { ...s, queued: s.queued + this.held.count(name) };
  }

  /** Notifications kept in memory because the database refused them (for /metrics). */
  get heldCount(): number {
    return this.held.count();
  }

  /** Resolves when no delivery is running or about to (tests; shutdown). */
  async idle(): Promise<void> {
    while (this.lanes.size || this.kickQueued) {
      if (this.lanes.size) await Promise.all(this.lanes.values());
      else await new Promise<void>((r) => setImmediate(r));
    }
  }

  private kick(): void {
    if (!this.started || this.stopping || this.kickQueued) return;
    this.kickQueued = true;
    setImmediate(() => {
      this.kickQueued = false;
      this.dispatch();
    });
  }

  /** Stores what memory holds if the database takes it, folds digests, and starts a lane for every action with work and none running. */
  private dispatch(): void {
    if (this.stopping) return;
    try {
      this.persist();
      foldDigests(this.store, this.clock.now());
      for (const action of new Set([...this.store.pendingActions(), ...this.held.actions()])) {
        if (!this.lanes.has(action)) this.startLane(action);
      }
    } catch (e) {
      this.host.log.error({ err: e }, 'outbox pass failed');
    }
    this.arm();
  }

  private startLane(action: string): void {
    const lane = this.runLane(action)
      .catch((e: unknown) => this.host.log.error({ err: e, action }, 'outbox lane failed'))
      .finally(() => {
        this.lanes.delete(action);
        this.arm();
      });
    this.lanes.set(action, lane);
  }

  /** Delivers one action's due notifications in order until its queue is empty, blocked, or not due. */
  private async runLane(action: string): Promise<void> {
    for (;;) {
      if (this.stopping) return;
      const head = this.head(action);
      if (!head || head.nextAt > this.clock.now()) return;
      const r = head.kind === 'stored' ? await this.attempt(head.row, head.attempts) : await sendHeld(head.row, this.heldDelivery);
      if (r === 'blocked') return;
    }
  }

  /** The action's oldest notification, stored or kept in memory (earliest first; stored first at a tie). */
  private head(action: string): Head | null {
    let stored: Head | null = null;
    for (const row of this.store.heads(action, 1 + this.unrecorded.countFor(action))) {
      const v = this.unrecorded.view(row);
      if (v.done) continue;
      stored = { kind: 'stored', row, attempts: v.attempts, nextAt: v.nextAt };
      break;
    }
    const h = this.held.head(action);
    if (h && (!stored || h.created < stored.row.created)) return { kind: 'held', row: h, nextAt: h.nextAt };
    return stored;
  }

  /** Sends `n` once through `action`: null when delivered, the error otherwise. */
  private async send(action: string, n: Notification): Promise<ActionError | null> {
    const entry = this.host.action(action);
    try {
      if (!entry) throw new ActionError(`there is no action ${action} any more`, { permanent: true });
      await sendOnce(entry, this.forAction(action, n), this.host);
      this.host.delivered?.(action, n, true);
      return null;
    } catch (e) {
      return e instanceof ActionError ? e : new ActionError(String(e));
    }
  }

  private readonly heldDelivery: HeldDelivery = {
    held: this.held,
    now: () => this.clock.now(),
    send: (action, n) => this.send(action, n),
    afterFailure: (row, err) => this.afterFailure(this.label(row.action), row.action, row.n, row.created, row.attempts, err),
    persist: () => this.persist(),
  };

  private label(action: string): string {
    return `${action} (${this.host.action(action)?.config.type ?? 'unknown'})`;
  }

  private async attempt(row: OutboxRow, attempts: number): Promise<Result> {
    const n = JSON.parse(row.payload) as Notification;
    this.write(null, () => this.store.markInflight(row.id, this.clock.now()));
    const err = await this.send(row.action, n);
    const now = this.clock.now();
    if (err === null) {
      this.write({ row, done: true }, () => this.store.markSent(row, now));
      if (attempts > 0) this.host.log.info({ action: row.action, attempts: attempts + 1 }, 'notification delivered after retries');
      return 'next';
    }
    const next = this.afterFailure(this.label(row.action), row.action, n, row.created, attempts + 1, err);
    if (next === null) {
      this.write({ row, done: true }, () => this.store.markFailed(row, now, err.message));
      return 'next';
    }
    this.write({ row, done: false, nextAt: next }, () => this.store.markRetry(row, now, err.message, next));
    return 'blocked';
  }

  /** Logs a failed try and says when to try again, or null when given up (logged as fletchck's ERROR line, spec §5.2). */
  private afterFailure(label: string, action: string, n: Notification, created: number, attempts: number, err: ActionError): number | null {
    const now = this.clock.now();
    const s = this.settings();
    const deadline = created + s.retryHours * 3_600_000;
    this.host.log.info({ action, attempt: attempts, permanent: err.permanent, err: err.message }, 'notification failed');
    if (err.permanent || now >= deadline) {
      this.host.warn(`${label}: Fail after ${attempts} tries: ${err.message}`);
      this.host.delivered?.(action, n, false);
      return null;
    }
    const wait = Math.max(retryDelay(attempts, s.backoff * 1000, s.backoffMax * 1000, this.random), err.retryAfterMs ?? 0);
    if (attempts === 1) this.host.warn(`${label}: notification of ${n.check.name} failed, will retry: ${err.message}`);
    return Math.min(deadline, now + wait);
  }

  /**
   * A change to a stored row. When the database refuses it (a full disk),
   * the worker remembers it (`u`: the row is done, or due again at nextAt)
   * and writes it later; a lost inflight mark (`u` null) only costs the
   * "was being sent" warning after a crash.
   */
  private write(u: { row: OutboxRow; done: boolean; nextAt?: number } | null, fn: () => void): void {
    try {
      if (this.unrecorded.size && u) throw new Error('earlier updates wait to be written');
      fn();
    } catch (e) {
      if (!u) return;
      this.unrecorded.add(u.row, u, fn);
      this.host.storage?.failed('notifications', e);
    }
  }

  /** Moves what memory holds into the database, if it takes writes again (each dispatch and at stop). */
  private persist(): void {
    if (this.unrecorded.size === 0 && this.held.empty) return;
    try {
      persistMemory(this.held, this.unrecorded, this.store, this.inTransaction);
    } catch (e) {
      this.host.storage?.failed('notifications', e);
      return;
    }
    if (this.held.count() === 0) this.host.storage?.worked('notifications');
  }

  /** Sets the one timer for the next due lane head, held minute, or try at storing what memory holds. */
  private arm(): void {
    this.timer?.cancel();
    this.timer = null;
    if (this.stopping || !this.started) return;
    let next = Infinity;
    try {
      next = this.store.nextHeldEnd() ?? Infinity;
      for (const action of new Set([...this.store.pendingActions(), ...this.held.actions()])) {
        if (this.lanes.has(action)) continue;
        next = Math.min(next, this.head(action)?.nextAt ?? Infinity);
      }
    } catch (e) {
      // a database that cannot be read now: look again later rather than never
      this.host.log.error({ err: e }, 'outbox: could not read the queue');
      next = this.clock.now() + STORE_RETRY_MS;
    }
    if (!this.held.empty || this.unrecorded.size) next = Math.min(next, this.clock.now() + STORE_RETRY_MS);
    if (!Number.isFinite(next)) return;
    // already due (the clock moved on while sending): go again now
    if (next <= this.clock.now()) this.kick();
    else this.timer = this.clock.setTimer(() => this.dispatch(), next - this.clock.now());
  }

  private prune(): void {
    try {
      this.store.prune(this.clock.now() - this.keepDays() * 86_400_000);
    } catch (e) {
      this.host.log.error({ err: e }, 'outbox prune failed');
    }
    if (!this.stopping) this.pruneTimer = this.clock.setTimer(() => this.prune(), 3_600_000);
  }
}
