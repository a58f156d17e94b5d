/**
 * Federation counters, for /metrics and the UI. Every received message ends
 * in exactly one of: applied (a remote check update), statuses (an instance's
 * online/offline status), ignored (this instance's own echo, or a cleared
 * retained message) or rejected (with a reason), so
 * `received = applied + statuses + ignored.own + ignored.cleared + rejectedTotal`.
 */
import type { RejectReason } from './payload.ts';

/** Why a message was refused: the payload's own faults, or the receiver's rules. */
export type RejectCode = RejectReason | 'unknown-check' | 'not-remote' | 'autoadd-failed' | 'status-invalid';

export interface FederationStats {
  connected: boolean;
  /** successful connections since start (the first one included) */
  connects: number;
  /** lost connections */
  disconnects: number;
  received: number;
  applied: number;
  /** remote checks created by autoadd */
  autoadded: number;
  statuses: number;
  ignored: { own: number; cleared: number };
  rejected: Partial<Record<RejectCode, number>>;
  rejectedTotal: number;
  published: number;
  publishErrors: number;
  /** messages waiting for the broker */
  queued: number;
  /** messages dropped because the queue was full */
  dropped: number;
  /** remote checks failed by the staleness timer */
  stale: number;
  /** remote checks failed because their instance went offline */
  offline: number;
}

export function emptyStats(): FederationStats {
  return {
    connected: false,
    connects: 0,
    disconnects: 0,
    received: 0,
    applied: 0,
    autoadded: 0,
    statuses: 0,
    ignored: { own: 0, cleared: 0 },
    rejected: {},
    rejectedTotal: 0,
    published: 0,
    publishErrors: 0,
    queued: 0,
    dropped: 0,
    stale: 0,
    offline: 0,
  };
}
