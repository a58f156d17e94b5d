/**
 * "Exactly one notifier" (issue 23, docs/ha.md). The zone keeps, per check,
 * a retained record of the last state that was notified:
 * `<prefix>/<zone>/notified/<check>` = {"failing", "at", "node",
 * "undelivered"}. The owner records it before it sends. A node that takes a
 * check over reads it:
 * - its own transition to a state the record already holds is not sent
 *   again (the previous owner sent it);
 * - a state that differs from the record without a local transition (its
 *   own copy of the state was stale) is sent, because the zone never told
 *   anyone;
 * - with no record at all it cannot know (a failing check's FAIL, or a
 *   passing check's first PASS), so it sends and marks the message as
 *   possibly repeated (Alertmanager's rule: a duplicate is better than a
 *   missed alert).
 * - in the first heartbeats after a takeover, a record heard before it may
 *   be stale (unsureAfterTakeover): a notification is sent and marked.
 * - `undelivered` lists what the recording node queued and has not yet
 *   delivered (each with the actions still to deliver): the owner records
 *   it before sending and removes it once its outbox delivered it (or gave
 *   up). When that node is gone, the node that takes the check over sends
 *   what is left (owed()), marked possibly repeated: it cannot know whether
 *   the dead node delivered it in the moment before it died.
 * Pure decisions here; notify.ts does the zone part.
 */
import { z } from 'zod';
import type { Notification } from '../actions/types.ts';

/** A notification its node queued and has not confirmed delivered, with the actions it still has to go to. */
export interface Undelivered {
  actions: string[];
  n: Notification;
}

export interface NotifiedRecord {
  failing: boolean;
  /** ms, the recording node's clock (informational) */
  at: number;
  node: string;
  /** queued by `node`, not yet delivered, oldest first (absent in records of older versions: all delivered) */
  undelivered?: Undelivered[];
}

/** Largest record sent or accepted (bytes): far below NATS's 1 MB max_payload; a record over it loses log lines, then its oldest entries. */
export const MAX_RECORD_BYTES = 64 * 1024;
/** Most undelivered notifications a record carries (the oldest go first). */
export const MAX_UNDELIVERED = 16;

const nullable = <T extends z.ZodType>(t: T) => t.nullable();
/** A recorded notification, checked field by field: it came over the broker and goes to the actions' templates. */
const NotificationSchema = z.object({
  site: z.string().max(1024),
  kind: z.enum(['transition', 'reminder', 'escalation']),
  id: z.string().max(200).optional(),
  check: z.object({
    name: z.string().max(1024),
    type: z.string().max(200),
    state: z.string().max(64),
    failState: z.union([z.boolean(), z.string().max(1024)]),
    softFail: nullable(z.string().max(4096)),
    level: nullable(z.string().max(4096)),
    log: z.array(z.string().max(8192)).max(1000),
    summary: z.string().max(8192),
    lastFail: nullable(z.number()),
    lastPass: nullable(z.number()),
    lastCheck: nullable(z.number()),
    zone: nullable(z.string().max(200)),
    vantages: z.string().max(8192).optional(),
  }),
  at: z.number(),
  template: z.object({ subject: z.string().max(8192).optional(), body: z.string().max(65536).optional() }).optional(),
  url: z.string().max(2048).optional(),
});
const UndeliveredSchema = z.object({ actions: z.array(z.string().min(1).max(256)).min(1).max(64), n: NotificationSchema });

/** The record as sent: at most MAX_RECORD_BYTES (long check logs are cut to their last lines first, then the oldest entries go). */
export function encodeRecord(r: NotifiedRecord): Buffer {
  let rec: NotifiedRecord = r.undelivered ? { ...r, undelivered: r.undelivered.slice(-MAX_UNDELIVERED) } : r;
  let buf = Buffer.from(JSON.stringify(rec));
  if (buf.length <= MAX_RECORD_BYTES || !rec.undelivered) return buf;
  const short = (u: Undelivered): Undelivered => ({ ...u, n: { ...u.n, check: { ...u.n.check, log: u.n.check.log.slice(-5).map((l) => l.slice(0, 1000)) } } });
  rec = { ...rec, undelivered: rec.undelivered.map(short) };
  for (;;) {
    buf = Buffer.from(JSON.stringify(rec));
    if (buf.length <= MAX_RECORD_BYTES || !rec.undelivered?.length) return buf;
    rec = { ...rec, undelivered: rec.undelivered.slice(1) };
  }
}

/** A record, or null for anything that is not one (logged and dropped by the caller). */
export function decodeRecord(buf: Buffer): NotifiedRecord | null {
  if (buf.length === 0 || buf.length > MAX_RECORD_BYTES) return null;
  try {
    const o = JSON.parse(buf.toString()) as Record<string, unknown>;
    if (!o || typeof o !== 'object' || typeof o.failing !== 'boolean' || typeof o.node !== 'string' || typeof o.at !== 'number') return null;
    const rec: NotifiedRecord = { failing: o.failing, at: o.at, node: o.node.slice(0, 128) };
    if (o.undelivered === undefined) return rec;
    const u = z.array(UndeliveredSchema).max(MAX_UNDELIVERED).safeParse(o.undelivered);
    return u.success ? { ...rec, undelivered: u.data as Undelivered[] } : null;
  } catch {
    return null;
  }
}

/**
 * What a node owes that took over a check whose record is `rec`: the
 * notifications its recording node queued and never confirmed delivered,
 * when that node is not live any more (a live one keeps delivering them
 * from its own outbox). Nothing for this node's own record: its outbox
 * delivers them.
 */
export function owed(rec: NotifiedRecord | undefined, self: string, live: readonly string[]): Undelivered[] {
  if (!rec?.undelivered?.length || rec.node === self || live.includes(rec.node)) return [];
  return rec.undelivered;
}

/**
 * The record after `action` delivered (or gave up on) the notification
 * created at `at` in state `state`; the same record when it holds no such
 * entry (another node's, or a notification it does not list).
 */
export function delivered(rec: NotifiedRecord, action: string, at: number, state: string): NotifiedRecord {
  const list = rec.undelivered ?? [];
  const i = list.findIndex((u) => u.n.at === at && u.n.check.state === state && u.actions.includes(action));
  if (i < 0) return rec;
  const left = list[i].actions.filter((a) => a !== action);
  const undelivered = left.length ? list.map((u, j) => (j === i ? { ...u, actions: left } : u)) : list.filter((_, j) => j !== i);
  return { ...rec, undelivered };
}

/** At a transition of an owned check: send it? (false: the zone already sent this state) */
export function sendTransition(rec: NotifiedRecord | undefined, failing: boolean): boolean {
  return !rec || rec.failing !== failing;
}

export type Catchup = { send: false } | { send: true; repeated: boolean };

/**
 * After a run of an owned check that caused no notification: does the zone
 * still owe one? When the state differs from what was last notified, or
 * when nothing was ever recorded (possibly repeated). A passing check with
 * no record is owed too: a new check starts as FAIL (fletchck's rule), so
 * its first PASS was a transition, and every node that notifies records
 * first; no record means nobody may have sent it. Example: the PASS reached
 * this node as a replicated state before it was ready to notify, from a
 * node that had stopped owning the check (the chaos run, seed 12345).
 */
export function catchUp(rec: NotifiedRecord | undefined, failing: boolean): Catchup {
  if (!rec) return { send: true, repeated: true };
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

/** Why a node cannot be sure it is the only one to send a notification. */
export type Doubt = 'takeover' | 'cut-off' | 'alone' | 'restart';

/** The line a possibly repeated notification carries (its check log; webhook, mail and chat show it). */
export function possiblyRepeated(node: string, why: Doubt = 'takeover'): string {
  if (why === 'cut-off') return `possibly repeated: node ${node} has lost its connection to the zone and cannot tell whether another node sent it`;
  if (why === 'restart') return `possibly repeated: node ${node} recorded this notification before it restarted and cannot tell whether it sent it`;
  if (why === 'alone') return `possibly repeated: node ${node} hears no other node of the zone and cannot tell whether another node sent it`;
  return `possibly repeated: node ${node} took this check over a moment ago and cannot tell whether it was already sent`;
}

/** The line of a notification a dead node queued and never confirmed delivered, sent again by its check's new owner. */
export const resentFor = (dead: string, node: string): string =>
  `possibly repeated: node ${dead} queued this notification and stopped before confirming its delivery; node ${node} took the check over and sent it`;

/** A notification with one more line in its check log (why it was sent, or that it may be a repeat). */
export function withNote(n: Notification, note: string): Notification {
  return { ...n, check: { ...n.check, log: [...n.check.log, note] } };
}
