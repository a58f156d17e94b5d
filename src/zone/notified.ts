/**
 * "Exactly one notifier" (issue 23, docs/ha.md). The zone keeps, per check,
 * a retained record of the last state that was notified:
 * `<prefix>/<zone>/notified/<check>` = {"failing", "at", "node"}. The owner
 * records it before it sends. A node that takes a check over reads it:
 * - its own transition to a state the record already holds is not sent
 *   again (the previous owner sent it);
 * - a state that differs from the record without a local transition (its
 *   own copy of the state was stale) is sent, because the zone never told
 *   anyone;
 * - with no record at all for a failing check it cannot know, so it sends
 *   and marks the message as possibly repeated (Alertmanager's rule: a
 *   duplicate is better than a missed alert).
 * - in the first heartbeats after a takeover, a record heard before it may
 *   be stale (unsureAfterTakeover): a notification is sent and marked.
 * Pure decisions here; service.ts does the MQTT part.
 */
import type { Notification } from '../actions/types.ts';

export interface NotifiedRecord {
  failing: boolean;
  /** ms, the recording node's clock (informational) */
  at: number;
  node: string;
}

export function encodeRecord(r: NotifiedRecord): Buffer {
  return Buffer.from(JSON.stringify(r));
}

export function decodeRecord(buf: Buffer): NotifiedRecord | null {
  if (buf.length === 0 || buf.length > 1024) return null;
  try {
    const o = JSON.parse(buf.toString()) as Record<string, unknown>;
    if (!o || typeof o !== 'object' || typeof o.failing !== 'boolean' || typeof o.node !== 'string' || typeof o.at !== 'number') return null;
    return { failing: o.failing, at: o.at, node: o.node.slice(0, 128) };
  } catch {
    return null;
  }
}

/** At a transition of an owned check: send it? (false: the zone already sent this state) */
export function sendTransition(rec: NotifiedRecord | undefined, failing: boolean): boolean {
  return !rec || rec.failing !== failing;
}

export type Catchup = { send: false } | { send: true; repeated: boolean };

/**
 * After a run of an owned check that caused no notification: does the zone
 * still owe one? Only when the state differs from what was last notified,
 * or when nothing was ever recorded for a failing check (possibly repeated).
 */
export function catchUp(rec: NotifiedRecord | undefined, failing: boolean): Catchup {
  if (!rec) return failing ? { send: true, repeated: true } : { send: false };
  return rec.failing === failing ? { send: false } : { send: true, repeated: false };
}

/** Heartbeats after taking a check over during which a record heard before the takeover may be stale. */
export const TAKEOVER_HEARTBEATS = 2;

/**
 * At a notification of a check this node took over (a membership change
 * moved it here, or this node started) at `takenAt`: can it be sure the
 * record it holds is the zone's last? Not within TAKEOVER_HEARTBEATS of the
 * takeover when the record was heard before it (or never): the previous
 * owner may have notified a moment ago, its record still on its way through
 * the cluster. Then the node sends, and marks the message as possibly
 * repeated (issue 23: a duplicate is better than a miss, and it is marked).
 * All times are this node's clock (ms).
 */
export function unsureAfterTakeover(takenAt: number | undefined, heardAt: number | undefined, now: number, heartbeatMs: number): boolean {
  if (takenAt === undefined || now - takenAt > TAKEOVER_HEARTBEATS * heartbeatMs) return false;
  return heardAt === undefined || heardAt <= takenAt;
}

/** The line a possibly repeated notification carries (its check log; webhook, mail and chat show it). */
export const possiblyRepeated = (node: string, cutOff = false): string =>
  cutOff
    ? `possibly repeated: node ${node} has lost its connection to the zone and cannot tell whether another node sent it`
    : `possibly repeated: node ${node} took this check over a moment ago and cannot tell whether it was already sent`;

/** A notification with one more line in its check log (why it was sent, or that it may be a repeat). */
export function withNote(n: Notification, note: string): Notification {
  return { ...n, check: { ...n.check, log: [...n.check.log, note] } };
}
