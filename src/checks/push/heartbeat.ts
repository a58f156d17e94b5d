/**
 * A heartbeat and where the last one is kept: the push endpoint hands the
 * heartbeat to the engine as an outcome (hub.ts, Site.deliver), so the
 * check's state holds it — its `heartbeat_*` metrics and its log. A scheduled
 * run (is it late?) and a restart read it back from there.
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

export const MAX_MESSAGE = 200;

/** One line, no control characters, at most MAX_MESSAGE characters (it goes into logs and SMS). */
export function cleanMessage(msg: string | null | undefined): string | null {
  if (msg === null || msg === undefined) return null;
  const one = msg.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  if (!one) return null;
  return one.length > MAX_MESSAGE ? `${one.slice(0, MAX_MESSAGE - 1)}…` : one;
}

/** The last heartbeat, as the check's state holds it (null before the first). */
export function latest(state: CheckState): Heartbeat | null {
  const t = state.metrics.find((m) => m.name === 'heartbeat_timestamp');
  if (!t) return null;
  const failed = state.metrics.find((m) => m.name === 'heartbeat_failed')?.value === 1;
  return { t: Math.round(t.value * 1000), fail: failed, msg: null, restored: true };
}
