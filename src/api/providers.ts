/**
 * Optional interfaces other subsystems implement so the API and /metrics can
 * show them. Each is optional: when absent, the matching metrics are simply
 * not exported and the notifications endpoint says it has no record.
 *
 * - the notifier (the durable outbox) gives delivery records and per-action
 *   totals: `checkNotifications`, `outboxStats`;
 * - the MQTT federation's counters fill `FederationStats` (src/wiring.ts).
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

/** The remote-write export's counters (src/export/remote-write/, docs/metrics.md). */
export interface RemoteWriteStats {
  /** samples waiting to be sent */
  queued(): number;
  /** samples the receiver accepted since start */
  sent(): number;
  /** samples dropped since start: the queue was full, or the receiver refused them (HTTP 4xx) */
  dropped(reason: 'queue_full' | 'rejected'): number;
  /** failed requests (each retried with backoff) since start */
  failures(): number;
  /** ms since the epoch of the last accepted batch, 0 before */
  lastSuccess(): number;
  /** while requests fail: since when (ms) and the last error, for /healthz; null while it works */
  problem(): { since: number; error: string } | null;
}

/** One delivery record, as the API shows it. */
export interface NotificationRecord {
  id: string | number;
  check: string | null;
  action: string;
  /** transition, reminder, digest, test */
  kind: string;
  /** pending, sent, failed, held, digested */
  status: string;
  attempts: number;
  /** ms since the epoch */
  created: number;
  /** ms since the epoch, when delivered */
  delivered: number | null;
  lastError: string | null;
}

/** The notifier's delivery record for a check (the outbox keeps it durably). */
export function checkNotifications(n: Notifier, check: string, limit: number): NotificationRecord[] {
  return n.deliveries({ check, limit }).map((d) => ({
    id: d.uid,
    check: d.check,
    action: d.action,
    kind: d.kind,
    status: d.status,
    attempts: d.attempts,
    created: d.created,
    delivered: d.sentAt,
    lastError: d.lastError,
  }));
}

/** Outbox totals from the notifier's per-action status (for /metrics). */
export function outboxStats(n: Notifier, actions: () => Iterable<string>): OutboxStats {
  const sum = (k: 'queued' | 'failed'): number => {
    let total = 0;
    for (const a of actions()) total += n.actionStatus(a)[k];
    return total;
  };
  return { pending: () => sum('queued'), failed: () => sum('failed') };
}
