/**
 * The outbox's lanes (notifier.ts): each action delivers its notifications
 * in order, one at a time, stored rows and the ones kept in memory
 * (volatile.ts) alike. A transient failure blocks the lane until the retry
 * (exponential back-off with jitter, capped, for up to `retryHours`); a
 * permanent one marks the row failed and the lane moves on (spec §5.2).
 */
import type { Clock } from '../../engine/clock.ts';
import { sendOnce, type NotifierHost } from '../dispatch.ts';
import { ActionError, type Notification } from '../types.ts';
import type { OutboxRow, OutboxStore } from './store.ts';
import { retryDelay } from './backoff.ts';
import { sendHeld, type HeldDelivery, type HeldQueue, type HeldRow, type Unrecorded } from './volatile.ts';

/** The retry part of the outbox's settings (OutboxSettings). */
export interface RetrySettings {
  /** hours a notification is retried after transient failures */
  retryHours: number;
  /** seconds before the first retry */
  backoff: number;
  /** longest wait between retries, seconds */
  backoffMax: number;
}

/** What the lanes use of the outbox (notifier.ts). */
export interface LaneDeps {
  host: NotifierHost;
  clock: Clock;
  store: OutboxStore;
  held: HeldQueue;
  unrecorded: Unrecorded;
  settings: () => RetrySettings;
  random: () => number;
  forAction: (action: string, n: Notification) => Notification;
  /** true once the outbox stops: a lane ends before its next delivery */
  stopping: () => boolean;
  /** moves what memory holds into the database, if it takes writes again */
  persist: () => void;
}

type Result = 'next' | 'blocked';
/** A lane's next notification: a stored row (as the worker must see it) or one kept in memory. */
type Head = { kind: 'stored'; row: OutboxRow; attempts: number; nextAt: number } | { kind: 'held'; row: HeldRow; nextAt: number };

export class LaneWorker {
  private readonly d: LaneDeps;
  /** how a notification kept in memory is delivered (volatile.ts) */
  private readonly heldDelivery: HeldDelivery;

  constructor(d: LaneDeps) {
    this.d = d;
    this.heldDelivery = {
      held: d.held,
      now: () => d.clock.now(),
      send: (action, n) => this.send(action, n),
      afterFailure: (row, err) => this.afterFailure(this.label(row.action), row.action, row.n, row.created, row.attempts, err),
      persist: () => d.persist(),
    };
  }

  /** Delivers one action's due notifications in order until its queue is empty, blocked, or not due. */
  async run(action: string): Promise<void> {
    for (;;) {
      if (this.d.stopping()) return;
      const head = this.head(action);
      if (!head || head.nextAt > this.d.clock.now()) return;
      const r = head.kind === 'stored' ? await this.attempt(head.row, head.attempts) : await sendHeld(head.row, this.heldDelivery);
      if (r === 'blocked') return;
    }
  }

  /** The action's oldest notification, stored or kept in memory (earliest first; stored first at a tie). */
  head(action: string): Head | null {
    let stored: Head | null = null;
    for (const row of this.d.store.heads(action, 1 + this.d.unrecorded.countFor(action))) {
      const v = this.d.unrecorded.view(row);
      if (v.done) continue;
      stored = { kind: 'stored', row, attempts: v.attempts, nextAt: v.nextAt };
      break;
    }
    const h = this.d.held.head(action);
    if (h && (!stored || h.created < stored.row.created)) return { kind: 'held', row: h, nextAt: h.nextAt };
    return stored;
  }

  /** Sends `n` once through `action`: null when delivered, the error otherwise. */
  private async send(action: string, n: Notification): Promise<ActionError | null> {
    const entry = this.d.host.action(action);
    try {
      if (!entry) throw new ActionError(`there is no action ${action} any more`, { permanent: true });
      await sendOnce(entry, this.d.forAction(action, n), this.d.host);
      this.d.host.delivered?.(action, n, true);
      return null;
    } catch (e) {
      return e instanceof ActionError ? e : new ActionError(String(e));
    }
  }

  private label(action: string): string {
    return `${action} (${this.d.host.action(action)?.config.type ?? 'unknown'})`;
  }

  private async attempt(row: OutboxRow, attempts: number): Promise<Result> {
    const { store, clock } = this.d;
    const n = JSON.parse(row.payload) as Notification;
    this.write(null, () => store.markInflight(row.id, clock.now()));
    const err = await this.send(row.action, n);
    const now = clock.now();
    if (err === null) {
      this.write({ row, done: true }, () => store.markSent(row, now));
      if (attempts > 0) this.d.host.log.info({ action: row.action, attempts: attempts + 1 }, 'notification delivered after retries');
      return 'next';
    }
    const next = this.afterFailure(this.label(row.action), row.action, n, row.created, attempts + 1, err);
    if (next === null) {
      this.write({ row, done: true }, () => store.markFailed(row, now, err.message));
      return 'next';
    }
    this.write({ row, done: false, nextAt: next }, () => store.markRetry(row, now, err.message, next));
    return 'blocked';
  }

  /** Logs a failed try and says when to try again, or null when given up (logged as fletchck's ERROR line, spec §5.2). */
  private afterFailure(label: string, action: string, n: Notification, created: number, attempts: number, err: ActionError): number | null {
    const { host } = this.d;
    const now = this.d.clock.now();
    const s = this.d.settings();
    const deadline = created + s.retryHours * 3_600_000;
    host.log.info({ action, attempt: attempts, permanent: err.permanent, err: err.message }, 'notification failed');
    if (err.permanent || now >= deadline) {
      host.warn(`${label}: Fail after ${attempts} tries: ${err.message}`);
      host.delivered?.(action, n, false);
      return null;
    }
    const wait = Math.max(retryDelay(attempts, s.backoff * 1000, s.backoffMax * 1000, this.d.random), err.retryAfterMs ?? 0);
    if (attempts === 1) host.warn(`${label}: notification of ${n.check.name} failed, will retry: ${err.message}`);
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
      if (this.d.unrecorded.size && u) throw new Error('earlier updates wait to be written');
      fn();
    } catch (e) {
      if (!u) return;
      this.d.unrecorded.add(u.row, u, fn);
      this.d.host.storage?.failed('notifications', e);
    }
  }
}
