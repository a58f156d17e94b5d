/**
 * Delivering notifications to actions. The `Notifier` seam is what the site
 * calls on a transition and what the UI reads delivery status from. The
 * default for a running site is the durable outbox (outbox/notifier.ts,
 * plugged in by wiring.ts); `DirectNotifier` sends at once with fletchck's
 * three immediate tries (spec §5.2) and keeps no record beyond memory — the
 * fallback for embedded sites and tests that pass no notifier.
 */
import type { Logger } from 'pino';
import type { ActionEntry } from '../config/model.ts';
import type { StoreReporter } from '../store/health.ts';
import { actionType } from './catalog.ts';
import { ActionError, type ActionContext, type Notification } from './types.ts';
import type { ActionDeliveryStatus, DeliveryQuery, DeliveryRecord } from './outbox/store.ts';

export type { ActionDeliveryStatus, DeliveryQuery, DeliveryRecord, DeliveryStatus } from './outbox/store.ts';

export interface Notifier {
  /**
   * Queues `n` for each named action in the caller's transaction (the site
   * commits a result and its notifications together). Never blocks; throws
   * when the store refuses it — the caller then hands it to hold().
   */
  queue(actions: readonly string[], n: Notification): void;
  /** Delivers `n` from memory: the store refused it (a full disk). Never throws, never blocks. */
  hold(actions: readonly string[], n: Notification, error?: unknown): void;
  /** Sends one notification now and reports the result (the UI's "Test Action", spec §5.6). */
  test(action: string, n: Notification): Promise<{ ok: boolean; error?: string }>;
  start(): void;
  /** Waits for deliveries in progress (bounded by their timeouts). */
  stop(): Promise<void>;
  /** Deliveries, newest first, filtered by check, action or status (the UI's lists). */
  deliveries(q?: DeliveryQuery): DeliveryRecord[];
  /** An action's last success, last error and queue size (the UI shows the last error). */
  actionStatus(name: string): ActionDeliveryStatus;
}

export interface NotifierHost {
  action(name: string): ActionEntry | undefined;
  log: Logger;
  warn(message: string, level?: 'info' | 'warn'): void;
  now(): number;
  /** hears when notifications cannot be stored and when they can again */
  storage?: StoreReporter;
  /** told when `action` has delivered `n` (`sent`) or given up on it: the HA zone's record of what is still undelivered (docs/ha.md) */
  delivered?(action: string, n: Notification, sent: boolean): void;
}

export const ACTION_TRIES = 3;

/** One send under the action's timeout. Throws ActionError. */
export async function sendOnce(entry: ActionEntry, n: Notification, host: NotifierHost): Promise<void> {
  const t = actionType(entry.config.type);
  if (!t || !entry.opts || !entry.active) throw new ActionError(`action ${entry.config.name} is not configured correctly`, { permanent: true });
  const seconds = typeof entry.opts.timeout === 'number' ? entry.opts.timeout : t.defaultTimeout;
  const signal = AbortSignal.timeout(seconds * 1000);
  const ctx: ActionContext = { signal, log: host.log.child({ action: entry.config.name }), warn: (m, level) => host.warn(m, level), now: host.now };
  try {
    await t.send(n, entry.opts, ctx);
  } catch (e) {
    if (e instanceof ActionError) throw e;
    throw new ActionError(e instanceof Error ? e.message : String(e), { cause: e, permanent: false });
  }
}

const KEEP = 200;

export class DirectNotifier implements Notifier {
  private readonly pending = new Set<Promise<void>>();
  private readonly records: DeliveryRecord[] = [];
  private readonly status = new Map<string, ActionDeliveryStatus>();
  private seq = 0;

  constructor(private readonly host: NotifierHost) {}

  start(): void {}

  /** Sends at once (this notifier stores nothing, so nothing here can be refused). */
  queue(actions: readonly string[], n: Notification): void {
    for (const name of actions) {
      const p = this.deliver(name, n).finally(() => this.pending.delete(p));
      this.pending.add(p);
    }
  }

  /** queue() has sent it already: the store that refused the result holds nothing of this notifier's. */
  hold(): void {}

  async test(action: string, n: Notification): Promise<{ ok: boolean; error?: string }> {
    const entry = this.host.action(action);
    if (!entry) return { ok: false, error: `unknown action ${action}` };
    try {
      await sendOnce(entry, n, this.host);
      this.remember(action, n, 1, null);
      return { ok: true };
    } catch (e) {
      this.remember(action, n, 1, (e as Error).message);
      return { ok: false, error: (e as Error).message };
    }
  }

  deliveries(q: DeliveryQuery = {}): DeliveryRecord[] {
    return this.records
      .filter(
        (r) =>
          (q.check === undefined || r.check === q.check) &&
          (q.action === undefined || r.action === q.action) &&
          (q.status === undefined || r.status === q.status) &&
          (q.before === undefined || r.id < q.before),
      )
      .reverse()
      .slice(0, q.limit ?? 100);
  }

  actionStatus(name: string): ActionDeliveryStatus {
    return this.status.get(name) ?? { action: name, lastSent: null, lastError: null, lastErrorAt: null, queued: 0, failed: 0 };
  }

  private async deliver(name: string, n: Notification): Promise<void> {
    // after the caller's own log lines (fletchck logs the transition, then notifies)
    await Promise.resolve();
    const entry = this.host.action(name);
    if (!entry) return;
    let error = '';
    for (let i = 1; i <= ACTION_TRIES; i++) {
      try {
        await sendOnce(entry, n, this.host);
        this.remember(name, n, i, null);
        return;
      } catch (e) {
        error = (e as Error).message;
        this.host.log.info({ action: name, err: error, attempt: i }, 'notification failed');
        if (e instanceof ActionError && e.permanent) break;
      }
    }
    this.remember(name, n, ACTION_TRIES, error);
    this.host.log.error(`${name} (${entry.config.type}): Fail after ${ACTION_TRIES} tries`);
  }

  private remember(action: string, n: Notification, attempts: number, error: string | null): void {
    const now = this.host.now();
    this.records.push({
      id: ++this.seq,
      uid: n.id ?? String(this.seq),
      action,
      check: n.kind === 'test' ? null : n.check.name,
      kind: n.kind,
      state: n.check.state,
      status: error === null ? 'sent' : 'failed',
      attempts,
      created: n.at,
      nextAt: null,
      lastAttempt: now,
      lastError: error,
      sentAt: error === null ? now : null,
      digestId: null,
    });
    if (this.records.length > KEEP) this.records.shift();
    if (n.kind !== 'test') this.host.delivered?.(action, n, error === null);
    const s = this.actionStatus(action);
    this.status.set(action, error === null ? { ...s, lastSent: now } : { ...s, lastError: error, lastErrorAt: now, failed: s.failed + 1 });
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}
