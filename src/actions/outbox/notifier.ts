/**
 * The durable outbox (replaces fletchck's three immediate tries, spec §5.2).
 *
 * notify() writes one row per action into SQLite and returns; a worker on
 * the site clock delivers. Each action delivers its rows in order: a
 * transient failure blocks that action's queue until the retry (exponential
 * back-off with jitter, capped, for up to `retryHours`); a permanent one
 * marks the row failed and the queue moves on. A row is marked sent only
 * after the receiver accepted it, so a crash between the two repeats that
 * delivery after restart (at-least-once, same id) — never loses it.
 * Storm control: past `stormLimit` notifications in one clock minute, an
 * action's further notifications are held and go out as one digest when
 * the minute ends.
 */
import { randomUUID } from 'node:crypto';
import type { Database as Db } from 'better-sqlite3';
import type { Clock, TimerHandle } from '../../engine/clock.ts';
import { sendOnce, type Notifier, type NotifierHost } from '../dispatch.ts';
import { ActionError, type Notification } from '../types.ts';
import { OutboxStore, type ActionDeliveryStatus, type DeliveryQuery, type DeliveryRecord, type OutboxRow } from './store.ts';
import { retryDelay } from './backoff.ts';
import { buildDigest } from './digest.ts';
import { Reminders, type ReminderSource } from './reminders.ts';

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
}

const MINUTE = 60_000;
type Result = 'next' | 'blocked';

export class OutboxNotifier implements Notifier {
  readonly store: OutboxStore;
  readonly reminders: Reminders | null;
  private readonly host: NotifierHost;
  private readonly clock: Clock;
  private readonly settings: () => OutboxSettings;
  private readonly random: () => number;
  private readonly keepDays: () => number;
  private timer: TimerHandle | null = null;
  private pruneTimer: TimerHandle | null = null;
  private running: Promise<void> | null = null;
  private again = false;
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
    const src = o.reminders;
    this.reminders = src ? new Reminders({
      checks: () => src.checks(),
      intervalMs: (c) => src.intervalMs(c),
      failingSince: (c) => src.failingSince(c),
      remind: (c) => {
        const r = src.reminder(c);
        if (r && r.actions.length) this.notify(r.actions, r.n);
      },
      lastAnnounced: (c) => this.store.lastAnnounced(c),
    }, o.clock) : null;
  }

  notify(actions: readonly string[], n: Notification): void {
    try {
      const now = this.clock.now();
      const minute = Math.floor(now / MINUTE);
      const limit = this.settings().stormLimit;
      this.store.db.transaction(() => {
        for (const action of actions) {
          const held = limit > 0 && this.store.countInMinute(action, minute) >= limit;
          const uid = randomUUID();
          const check = n.kind === 'digest' || n.kind === 'test' ? null : n.check.name;
          this.store.insert({ uid, action, check, n: { ...n, id: uid }, status: held ? 'held' : 'pending', created: now, minute });
        }
      })();
      this.reminders?.queued(n);
    } catch (e) {
      // the caller is the engine: a full disk must not stop the checks
      this.host.log.error({ err: e, check: n.check.name }, 'could not queue a notification');
    }
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
    const id = this.store.insert({ uid, action, check: null, n: sent, status: 'pending', created: now, minute: Math.floor(now / MINUTE) });
    const row = this.store.get(id)!;
    if (error === null) this.store.markSent(row, now);
    else this.store.markFailed(row, now, error);
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
    this.started = false;
  }

  deliveries(q?: DeliveryQuery): DeliveryRecord[] {
    return this.store.list(q);
  }

  actionStatus(name: string): ActionDeliveryStatus {
    return this.store.actionStatus(name);
  }

  /** Resolves when no delivery pass is running or about to (tests; shutdown). */
  async idle(): Promise<void> {
    while (this.running || this.kickQueued) {
      if (this.running) await this.running;
      else await new Promise<void>((r) => setImmediate(r));
    }
  }

  private kick(): void {
    if (!this.started || this.stopping || this.kickQueued) return;
    this.kickQueued = true;
    setImmediate(() => {
      this.kickQueued = false;
      void this.drain();
    });
  }

  private drain(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const run = async (): Promise<void> => {
      try {
        do {
          this.again = false;
          await this.pass();
        } while (this.again && !this.stopping);
      } catch (e) {
        this.host.log.error({ err: e }, 'outbox pass failed');
      } finally {
        this.running = null;
        this.arm();
      }
    };
    this.running = run();
    return this.running;
  }

  private async pass(): Promise<void> {
    this.foldDigests();
    await Promise.all(this.store.pendingActions().map((a) => this.runAction(a)));
  }

  /** Folds every held minute that has ended into its digest. */
  private foldDigests(): void {
    const now = this.clock.now();
    for (const { action, minute } of this.store.heldBefore(Math.floor(now / MINUTE))) {
      // the digest sorts just before anything created after its minute
      const at = (minute + 1) * MINUTE - 1;
      this.store.fold(action, minute, (held) => {
        const uid = randomUUID();
        return { uid, action, check: null, n: { ...buildDigest(held, at), id: uid }, status: 'pending', created: at, minute: minute + 1 };
      });
    }
  }

  private async runAction(action: string): Promise<void> {
    for (;;) {
      const row = this.store.head(action);
      if (!row || row.next_at > this.clock.now() || this.stopping) return;
      if ((await this.attempt(row)) === 'blocked') return;
    }
  }

  private async attempt(row: OutboxRow): Promise<Result> {
    const entry = this.host.action(row.action);
    const n = JSON.parse(row.payload) as Notification;
    const label = `${row.action} (${entry?.config.type ?? 'unknown'})`;
    this.store.markInflight(row.id, this.clock.now());
    try {
      if (!entry) throw new ActionError(`there is no action ${row.action} any more`, { permanent: true });
      await sendOnce(entry, n, this.host);
      this.store.markSent(row, this.clock.now());
      if (row.attempts > 0) this.host.log.info({ action: row.action, attempts: row.attempts + 1 }, 'notification delivered after retries');
      return 'next';
    } catch (e) {
      const err = e instanceof ActionError ? e : new ActionError(String(e));
      const now = this.clock.now();
      const attempts = row.attempts + 1;
      const s = this.settings();
      const deadline = row.created + s.retryHours * 3_600_000;
      this.host.log.info({ action: row.action, attempt: attempts, permanent: err.permanent, err: err.message }, 'notification failed');
      if (err.permanent || now >= deadline) {
        this.store.markFailed(row, now, err.message);
        // fletchck's ERROR line (spec §5.2), with the reason
        this.host.warn(`${label}: Fail after ${attempts} tries: ${err.message}`);
        return 'next';
      }
      const wait = Math.max(retryDelay(attempts, s.backoff * 1000, s.backoffMax * 1000, this.random), err.retryAfterMs ?? 0);
      this.store.markRetry(row, now, err.message, Math.min(deadline, now + wait));
      if (attempts === 1) this.host.warn(`${label}: notification of ${n.check.name} failed, will retry: ${err.message}`);
      return 'blocked';
    }
  }

  /** Sets the one timer for the next due head row or held minute. */
  private arm(): void {
    this.timer?.cancel();
    this.timer = null;
    if (this.stopping || !this.started) return;
    const heads = this.store.pendingActions().map((a) => this.store.head(a)?.next_at ?? Infinity);
    const held = this.store.nextHeldEnd();
    const next = Math.min(...heads, held ?? Infinity);
    if (!Number.isFinite(next)) return;
    // already due (the clock moved on while sending): go again now
    if (next <= this.clock.now()) this.kick();
    else this.timer = this.clock.setTimer(() => void this.drain(), next - this.clock.now());
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
