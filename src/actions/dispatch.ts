/**
 * Delivering notifications to actions. The `Notifier` seam is what the site
 * calls on a transition; `DirectNotifier` sends at once with fletchck's three
 * immediate tries (spec §5.2). The durable outbox replaces it.
 */
import type { Logger } from 'pino';
import type { ActionEntry } from '../config/model.ts';
import { actionType } from './registry.ts';
import { ActionError, type ActionContext, type Notification } from './types.ts';

export interface Notifier {
  /** Queues `n` for each named action. Never throws, never blocks the caller. */
  notify(actions: readonly string[], n: Notification): void;
  /** Sends one notification now and reports the result (the UI's "Test Action", spec §5.6). */
  test(action: string, n: Notification): Promise<{ ok: boolean; error?: string }>;
  start(): void;
  /** Waits for deliveries in progress (bounded by their timeouts). */
  stop(): Promise<void>;
}

export interface NotifierHost {
  action(name: string): ActionEntry | undefined;
  log: Logger;
  warn(message: string): void;
  now(): number;
}

export const ACTION_TRIES = 3;

/** One send under the action's timeout. Throws ActionError. */
export async function sendOnce(entry: ActionEntry, n: Notification, host: NotifierHost): Promise<void> {
  const t = actionType(entry.config.type);
  if (!t || !entry.opts || !entry.active) throw new ActionError(`action ${entry.config.name} is not configured correctly`, { permanent: true });
  const seconds = typeof entry.opts.timeout === 'number' ? entry.opts.timeout : t.defaultTimeout;
  const signal = AbortSignal.timeout(seconds * 1000);
  const ctx: ActionContext = { signal, log: host.log.child({ action: entry.config.name }), warn: (m) => host.warn(m), now: host.now };
  try {
    await t.send(n, entry.opts, ctx);
  } catch (e) {
    if (e instanceof ActionError) throw e;
    throw new ActionError(e instanceof Error ? e.message : String(e), { cause: e, permanent: false });
  }
}

export class DirectNotifier implements Notifier {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly host: NotifierHost) {}

  start(): void {}

  notify(actions: readonly string[], n: Notification): void {
    for (const name of actions) {
      const p = this.deliver(name, n).finally(() => this.pending.delete(p));
      this.pending.add(p);
    }
  }

  async test(action: string, n: Notification): Promise<{ ok: boolean; error?: string }> {
    const entry = this.host.action(action);
    if (!entry) return { ok: false, error: `unknown action ${action}` };
    try {
      await sendOnce(entry, n, this.host);
      return { ok: true };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  }

  private async deliver(name: string, n: Notification): Promise<void> {
    const entry = this.host.action(name);
    if (!entry) return;
    for (let i = 1; i <= ACTION_TRIES; i++) {
      try {
        await sendOnce(entry, n, this.host);
        return;
      } catch (e) {
        this.host.log.info({ action: name, err: (e as Error).message, attempt: i }, 'notification failed');
        if (e instanceof ActionError && e.permanent) break;
      }
    }
    this.host.log.error(`${name} (${entry.config.type}): Fail after ${ACTION_TRIES} tries`);
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }
}
