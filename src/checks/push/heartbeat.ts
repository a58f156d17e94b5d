/**
 * How a heartbeat reaches a push check's run: the push endpoint puts it in
 * the check's scratch and runs the check; the run reads it from there. After
 * a restart the scratch is empty, so the last heartbeat is recovered from the
 * check's persisted state (its `heartbeat_*` metrics and log).
 */
import type { CheckState } from '../../engine/state.ts';

export interface Heartbeat {
  /** when it arrived (ms) */
  t: number;
  /** `status=fail` */
  fail: boolean;
  /** `msg=`, sanitised */
  msg: string | null;
  /** recovered from the stored state (its log is reused as is) */
  restored?: boolean;
}

const INBOX = 'push.heartbeat';
const SEEN = 'push.seen';
export const MAX_MESSAGE = 200;

/** One line, no control characters, at most MAX_MESSAGE characters (it goes into logs and SMS). */
export function cleanMessage(msg: string | null | undefined): string | null {
  if (msg === null || msg === undefined) return null;
  const one = msg.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  if (!one) return null;
  return one.length > MAX_MESSAGE ? `${one.slice(0, MAX_MESSAGE - 1)}…` : one;
}

export function deliver(scratch: Record<string, unknown>, hb: Heartbeat): void {
  scratch[INBOX] = hb;
}

/** True once a run has read `hb` (a run already in flight when it arrived has not). */
export function consumed(scratch: Record<string, unknown>, hb: Heartbeat): boolean {
  return scratch[SEEN] === hb;
}

export function latest(scratch: Record<string, unknown>, state: CheckState): Heartbeat | null {
  const hb = scratch[INBOX] as Heartbeat | undefined;
  if (hb) {
    scratch[SEEN] = hb;
    return hb;
  }
  const t = state.metrics.find((m) => m.name === 'heartbeat_timestamp');
  if (!t) return null;
  const failed = state.metrics.find((m) => m.name === 'heartbeat_failed')?.value === 1;
  return { t: Math.round(t.value * 1000), fail: failed, msg: null, restored: true };
}
