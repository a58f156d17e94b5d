/**
 * "Exactly one notifier" (issue 23, docs/ha.md): the zone side of a check's
 * notifications. Only the owner notifies; before it queues a notification it
 * records (retained, QoS 1) the state and what it queued as undelivered; its
 * outbox tells it (the site bus's `delivered`) when each action delivered it,
 * and it records that. A node that takes a check over reads the record:
 * it does not resend a state the zone already notified, sends what the zone
 * still owes, and sends what a dead owner queued and never confirmed
 * delivered, marked possibly repeated (a duplicate is better than a missed
 * alert). The pure rules are in notified.ts; the MQTT connection and the
 * membership in service.ts, which hands this only what it needs.
 */
import type { Logger } from 'pino';
import type { ActionEntry, CheckEntry } from '../config/model.ts';
import type { Clock } from '../engine/clock.ts';
import type { SiteBus } from '../engine/events.ts';
import type { CheckState } from '../engine/state.ts';
import type { Notifier } from '../actions/dispatch.ts';
import type { Notification } from '../actions/types.ts';
import type { ZoneNotify } from './hook.ts';
import { isFailing } from '../engine/state.ts';
import { isVantageCheck } from './vantage.ts';
import {
  catchUp,
  decodeRecord,
  delivered,
  encodeRecord,
  MAX_UNDELIVERED,
  owed,
  possiblyRepeated,
  resentFor,
  sendTransition,
  unsureAfterTakeover,
  withNote,
  type Doubt,
  type NotifiedRecord,
} from './notified.ts';

/** What the notification side uses of the site (a part of ZoneDeps). */
export interface NotifySite {
  readonly clock: Clock;
  readonly bus: SiteBus;
  readonly readOnly: boolean;
  readonly notifier: Pick<Notifier, 'queue' | 'hold'>;
  readonly runtime: { notification(name: string, kind: Notification['kind']): Notification };
  entry(name: string): CheckEntry | undefined;
  action(name: string): ActionEntry | undefined;
  state(name: string): CheckState;
  warn(message: string, level?: 'info' | 'warn'): void;
}

/** What it asks of the zone service: ownership, membership, and the connection. */
export interface NotifyZone {
  readonly node: string;
  readonly zone: string;
  readonly heartbeatMs: number;
  log(): Logger | null;
  /** the check's owner (ownership.ts): this node, another, `"*"` for a local check, null when unknown */
  owner(check: string): string | null;
  /** this node has heard the zone since it started (its movable checks are placed) */
  ready(): boolean;
  /** the other nodes live now */
  peers(): string[];
  /** why this node cannot be sure it alone sends (its connection, the zone it hears), or null */
  doubt(): Exclude<Doubt, 'takeover' | 'restart'> | null;
  /** publishes the check's record, retained, QoS 1 */
  publish(check: string, payload: Buffer): void;
}

/** Late deliveries kept per check (a record lists at most MAX_UNDELIVERED), and checks with any (the oldest go first). */
const LATE_PER_CHECK = 4 * MAX_UNDELIVERED;
const LATE_CHECKS = 10_000;

export class ZoneNotifications {
  /** the zone's last notified state per check (retained records) */
  private readonly records = new Map<string, NotifiedRecord>();
  /** when this node last heard (or wrote) each check's record, its clock */
  private readonly heardAt = new Map<string, number>();
  /** the movable checks this node owns, and since when (a takeover, after ready; its clock) */
  private readonly ownedSince = new Map<string, number>();
  /** the dead owners' undelivered notifications already sent again here (node, time, state, check) */
  private readonly resent = new Set<string>();
  /** checks whose record this node wrote before its start (a kill -9 at commit) have been taken up: once per check */
  private readonly adopted = new Set<string>();
  /**
   * Deliveries of this node's own notifications confirmed while the record it
   * held was another node's (check → what was delivered): applied when its own
   * record comes back (onRecord), so that record does not stay owed forever.
   */
  private readonly late = new Map<string, { action: string; at: number; state: string }[]>();

  constructor(
    private readonly site: NotifySite,
    private readonly z: NotifyZone,
  ) {}

  start(): void {
    this.site.bus.on('run', this.onRun);
    this.site.bus.on('delivered', this.onDelivered);
  }

  stop(): void {
    this.site.bus.off('run', this.onRun);
    this.site.bus.off('delivered', this.onDelivered);
  }

  /** ZoneHook.notifies: at a notifying transition, does this node send it, with which line? */
  notifies(check: string, failing: boolean): ZoneNotify {
    if (this.z.owner(check) === '*') return { send: true, note: null }; // a local check: each node notifies its own
    if (isVantageCheck(this.site.entry(check)?.config.options)) return { send: false }; // decided by quorum: vantage-service.ts notifies
    if (!sendTransition(this.records.get(check), failing)) {
      this.z.log()?.info({ check, failing }, 'zone: transition already notified by the previous owner, not sent again');
      return { send: false };
    }
    const note = this.unsure(check);
    if (note) this.z.log()?.info({ check, failing }, 'zone: sent and marked possibly repeated');
    this.record(check, { failing, at: this.site.clock.now(), node: this.z.node, undelivered: this.mine(check) });
    return { send: true, note };
  }

  /** ZoneHook.queued: the notification just answered "send" is queued for `actions`: undelivered until the outbox says so. */
  queued(check: string, actions: readonly string[], n: Notification): void {
    const rec = this.records.get(check);
    if (this.site.readOnly || !actions.length || !rec || rec.node !== this.z.node || this.z.owner(check) === '*') return;
    this.record(check, { ...rec, undelivered: [...(rec.undelivered ?? []), { actions: [...actions], n }] });
  }

  /** A retained record heard from the broker (the topic's last level is the check's name). */
  onRecord(check: string, payload: Buffer): void {
    if (payload.length === 0) {
      this.records.delete(check);
      return;
    }
    const rec = decodeRecord(payload);
    if (!rec) {
      this.z.log()?.warn({ check, bytes: payload.length }, 'zone: malformed notified record dropped');
      return;
    }
    // our own record replayed (a reconnect): what memory holds is newer
    if (rec.node === this.z.node && this.records.get(check)?.node === this.z.node) return;
    this.records.set(check, rec);
    this.heardAt.set(check, this.site.clock.now());
    if (rec.node === this.z.node) {
      const held = this.applyLate(check, rec);
      if (!this.adopted.has(check)) {
        this.adopted.add(check);
        this.requeue(check, held);
      }
    }
    this.sendOwed(check);
  }

  /**
   * Our own record came back after another node's had replaced it here (two
   * nodes recorded the check at once: a flap of the membership on a loaded
   * machine; the broker kept ours, the last it took). A delivery this node's
   * outbox confirmed in between found the other node's record and could not
   * drop its entry: it is dropped now, else the zone's record would list it
   * as undelivered until this node dies, and the next owner would send it again.
   * Returns the record this node now holds.
   */
  private applyLate(check: string, rec: NotifiedRecord): NotifiedRecord {
    const late = this.late.get(check);
    if (!late) return rec;
    this.late.delete(check);
    // only while this node owns the check: a stale copy of its record (a broker that redelivers out of
    // order) after another node took the check must not be republished over that node's newer one
    if (this.z.owner(check) !== this.z.node) return rec;
    const next = late.reduce((r, d) => delivered(r, d.action, d.at, d.state), rec);
    if (next !== rec) this.record(check, next);
    return next;
  }

  /**
   * This node's own record from before its start (docs/ha.md "Exactly one
   * notifier", the loss window at commit): the record is published at commit, the outbox row in the flush
   * at the end of that event-loop turn, so a kill -9 in between leaves a
   * record whose undelivered entries no outbox holds. The other nodes leave
   * them to this node (it is live), so it queues them again. Nothing repeats:
   * each delivery's id derives from the notification's own id
   * (outbox/delivery-id.ts), and a delivery the outbox already holds is kept
   * once (a finished one is reported delivered, and the record drops it).
   */
  private requeue(check: string, rec: NotifiedRecord): void {
    if (this.site.readOnly || !rec.undelivered?.length) return;
    const keep = rec.undelivered.flatMap((u) => {
      const actions = this.active(u.actions);
      return actions.length ? [{ ...u, actions }] : [];
    });
    // an action removed or disabled since: nothing to deliver there
    if (keep.length !== rec.undelivered.length || keep.some((u, i) => u.actions.length !== rec.undelivered![i]?.actions.length))
      this.record(check, { ...rec, undelivered: keep });
    if (!keep.length) return;
    this.z.log()?.info({ check, count: keep.length }, 'zone: this node recorded notifications before its start and may not have stored them: queued again');
    for (const u of keep) {
      // an entry of an older version has no id of its own: a repeat could not be recognised, so it says it may be one
      const n = u.n.id ? u.n : withNote(u.n, possiblyRepeated(this.z.node, 'restart'));
      try {
        this.site.notifier.queue(u.actions, n);
      } catch (e) {
        this.site.notifier.hold(u.actions, n, e);
      }
    }
  }

  /** Membership changed (or this node became ready): the movable checks that became this node's are taken over now. */
  takeOver(checks: Iterable<string>): void {
    if (!this.z.ready()) return;
    const now = this.site.clock.now();
    for (const c of checks) {
      if (this.z.owner(c) !== this.z.node) this.ownedSince.delete(c);
      else if (!this.ownedSince.has(c)) this.ownedSince.set(c, now);
      this.sendOwed(c);
    }
  }

  /**
   * The "possibly repeated" line, or null when this node can be sure: it is
   * unsure while its zone connection is down or it hears no other node
   * while it knows of some (others may run its checks and notify them),
   * and just after a takeover while its record may be stale
   * (notified.ts unsureAfterTakeover).
   */
  private unsure(check: string): string | null {
    const why = this.z.doubt();
    if (why) return possiblyRepeated(this.z.node, why);
    const takeover = unsureAfterTakeover(this.ownedSince.get(check), this.heardAt.get(check), this.site.clock.now(), this.z.heartbeatMs);
    return takeover ? possiblyRepeated(this.z.node) : null;
  }

  /** What this node's own record of the check still lists as undelivered (its outbox is delivering it). */
  private mine(check: string): NotifiedRecord['undelivered'] {
    const rec = this.records.get(check);
    return rec?.node === this.z.node ? rec.undelivered : undefined;
  }

  /** Records (retained, QoS 1) the check's record: the state notified, and what is queued and not yet delivered. */
  private record(check: string, rec: NotifiedRecord): void {
    if (!rec.undelivered?.length) delete rec.undelivered;
    this.records.set(check, rec);
    this.heardAt.set(check, this.site.clock.now());
    this.z.publish(check, encodeRecord(rec));
  }

  /** Queues `n` for `actions` in this node's outbox and records it as undelivered. */
  private send(check: string, failing: boolean, actions: string[], n: Notification): void {
    const undelivered = [...(this.mine(check) ?? []), { actions, n }];
    this.record(check, { failing, at: this.site.clock.now(), node: this.z.node, undelivered });
    try {
      this.site.notifier.queue(actions, n);
    } catch (e) {
      this.site.notifier.hold(actions, n, e); // the store refused it (a full disk): delivered from memory
    }
  }

  /** The check's active actions among `names` (an action removed or disabled since is skipped). */
  private active(names: readonly string[]): string[] {
    return names.filter((a) => this.site.action(a)?.active);
  }

  private owns(check: string): CheckEntry | null {
    if (!this.z.ready() || this.site.readOnly || this.z.owner(check) !== this.z.node) return null;
    const e = this.site.entry(check);
    return e && !isVantageCheck(e.config.options) ? e : null;
  }

  /** A dead owner's undelivered notifications of a check this node now owns: sent again, marked (issue 23). */
  private sendOwed(check: string): void {
    const rec = this.records.get(check);
    if (!rec || !this.owns(check)) return;
    for (const u of owed(rec, this.z.node, this.z.peers())) {
      const key = `${rec.node}\n${u.n.at}\n${u.n.check.state}\n${check}`;
      if (this.resent.has(key)) continue;
      this.resent.add(key);
      if (this.resent.size > 1000) this.resent.delete(this.resent.values().next().value!); // bounded: the oldest were sent long ago
      const actions = this.active(u.actions);
      if (!actions.length) continue;
      const note = resentFor(rec.node, this.z.node);
      this.site.warn(`zone ${this.z.zone}: ${check}: ${note}`, 'info');
      this.z.log()?.info({ check, from: rec.node, actions }, 'zone: a dead owner left a notification undelivered: sent again, marked possibly repeated');
      this.send(check, isFailing(u.n.check.failState), actions, withNote(u.n, note));
    }
  }

  /** An action of this node delivered (or gave up on) a notification: the record no longer lists it. */
  private readonly onDelivered = ({ action, n }: { action: string; n: Notification }): void => {
    if (n.kind !== 'transition') return;
    const check = n.check.name;
    const rec = this.records.get(check);
    if (rec?.node === this.z.node) {
      const next = delivered(rec, action, n.at, n.check.state);
      if (next !== rec) this.record(check, next);
      return;
    }
    // another node's record is held now: ours may come back (applyLate); bounded, the oldest go first
    if (this.site.readOnly || this.z.owner(check) === '*') return;
    const late = [...(this.late.get(check) ?? []), { action, at: n.at, state: n.check.state }].slice(-LATE_PER_CHECK);
    this.late.delete(check);
    this.late.set(check, late);
    if (this.late.size > LATE_CHECKS) this.late.delete(this.late.keys().next().value!);
  };

  /**
   * After a run of an owned check: a notification the zone still owes (the
   * previous owner died before it, or this node's copy of the state was stale).
   */
  private readonly onRun = ({ name }: { name: string }): void => {
    const e = this.owns(name);
    if (!e || e.config.paused) return;
    const failing = isFailing(this.site.state(name).failState);
    const c = catchUp(this.records.get(name), failing);
    if (!c.send) return;
    const unsure = this.unsure(name) ?? (c.repeated ? possiblyRepeated(this.z.node) : null);
    const actions = failing === true ? e.config.failAction : e.config.passAction;
    const to = actions ? this.active(e.config.actions) : [];
    if (!to.length) {
      this.record(name, { failing, at: this.site.clock.now(), node: this.z.node, undelivered: this.mine(name) });
      return;
    }
    const note = unsure ?? `sent by node ${this.z.node}, which took this check over`;
    this.site.warn(`zone ${this.z.zone}: ${name}: ${note}`, 'info');
    this.send(name, failing, to, withNote(this.site.runtime.notification(name, 'transition'), note));
  };
}
