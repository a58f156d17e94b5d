/**
 * Optional interfaces other subsystems implement so the API and /metrics can
 * show them. Each is optional: when absent, the matching metrics are simply
 * not exported and the notifications endpoint says it has no record.
 *
 * - the durable outbox (another branch) implements `OutboxStats` and adds
 *   `listNotifications` to its Notifier;
 * - the MQTT federation (another branch) implements `FederationStats`.
 */
import type { Notifier } from '../actions/dispatch.ts';

export interface OutboxStats {
  /** notifications waiting to be delivered (including those waiting for a retry) */
  pending(): number;
  /** notifications that gave up (permanent error or retries exhausted) */
  failed(): number;
}

export interface FederationStats {
  /** true while connected to the broker */
  connected(): boolean;
  /** messages received on the remote-check subscription since start */
  received(): number;
  /** received messages that were rejected (bad payload, unknown check, …) since start */
  rejected(): number;
}

/** One delivery record of the outbox, as the API shows it. */
export interface NotificationRecord {
  id: string | number;
  check: string;
  action: string;
  /** transition, reminder, test */
  kind: string;
  /** e.g. pending, sent, failed */
  status: string;
  attempts: number;
  /** ms since the epoch */
  created: number;
  /** ms since the epoch, when delivered */
  delivered: number | null;
  lastError: string | null;
}

/** A Notifier that keeps a record of deliveries (the outbox) implements this too. */
export interface NotificationHistory {
  listNotifications(query: { check: string; limit: number }): NotificationRecord[] | Promise<NotificationRecord[]>;
}

export function notificationHistory(n: Notifier): NotificationHistory | null {
  const m = (n as Partial<NotificationHistory>).listNotifications;
  return typeof m === 'function' ? { listNotifications: (q) => m.call(n, q) } : null;
}
