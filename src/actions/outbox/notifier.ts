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
import { deliveryOf } from './delivery-id.ts';
import type { Database as Db } from 'better-sqlite3';
import type { Clock, TimerHandle } from '../../engine/clock.ts';
import { sendOnce, type Notifier, type NotifierHost } from '../dispatch.ts';
import type { Notification } from '../types.ts';
import { OutboxStore, type ActionDeliveryStatus, type DeliveryQuery, type DeliveryRecord, type OutboxRow } from './store.ts';
import { foldDigests } from './digest.ts';
import { Reminders, type ReminderSource } from './reminders.ts';
import { HeldQueue, Unrecorded, holdEach, persistMemory } from './volatile.ts';
import { LaneWorker, type RetrySettings } from './lanes.ts';

export interface OutboxSettings extends RetrySettings {
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

export class OutboxNotifier implements Notifier {
  readonly store: OutboxStore;
  readonly reminders: Reminders | null;
  private readonly host: NotifierHost;
  private readonly clock: Clock;
  private readonly settings: () => OutboxSettings;
  private readonly keepDays: () => number;
  private readonly inTransaction: (fn: () => void) => void;
  /** the running lane of each action: one delivery at a time per action, all actions at once */
  private readonly lanes = new Map<string, Promise<void>>();
  private readonly held = new HeldQueue();
  private readonly unrecorded = new Unrecorded();
  /** each action's deliveries, in order (lanes.ts) */
  private readonly worker: LaneWorker;
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
    this.keepDays = o.keepDays ?? ((): number => 30);
    this.worker = new LaneWorker({
      host: o.host,
      clock: o.clock,
      store: this.store,
      held: this.held,
      unrecorded: this.unrecorded,
      settings: this.settings,
      random: o.random ?? Math.random,
      forAction: o.forAction ?? ((_a, n): Notification => n),
      stopping: () => this.stopping,
      persist: () => this.persist(),
    });
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
    /** deliveries this outbox already finished (queued again by a zone node after a restart): reported as done */
    const done: OutboxRow[] = [];
    this.inTransaction(() => {
      for (const action of actions) {
        const held = limit > 0 && this.store.countInMinute(action, minute) >= limit;
        // the delivery's id: the row's key and what the receiver sees (derived from the notification's own id: delivery-id.ts)
        const uid = deliveryOf(n, action, randomUUID);
        const check = n.kind === 'digest' || n.kind === 'test' ? null : n.check.name;
        const id = this.store.insert({
          uid,
          action,
          check,
          n: { ...n, id: uid },
          status: held ? 'held' : 'pending',
          created: now,
          minute,
        });
        if (id !== 0) continue;
        // kept once; a finished one is said delivered again, so the HA zone's record drops it (docs/ha.md)
        const row = this.store.byUid(uid);
        if (row && (row.status === 'sent' || row.status === 'failed' || row.status === 'digested')) done.push(row);
      }
    });
    for (const r of done) this.host.delivered?.(r.action, JSON.parse(r.payload) as Notification, r.status !== 'failed');
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
    const lane = this.worker
      .run(action)
      .catch((e: unknown) => this.host.log.error({ err: e, action }, 'outbox lane failed'))
      .finally(() => {
        this.lanes.delete(action);
        this.arm();
      });
    this.lanes.set(action, lane);
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
        next = Math.min(next, this.worker.head(action)?.nextAt ?? Infinity);
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
