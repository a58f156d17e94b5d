/**
 * The narrow hook between a zone and the engine (docs/ha.md): the site asks
 * it before a scheduled run and before a notification; it knows nothing else
 * of the engine. A site without a zone has no hook: everything runs here.
 */
import type { MemberView } from './members.ts';
import type { Notification } from '../actions/types.ts';
import type { ZoneGuard, ZoneTrust } from './guard.ts';
import type { ConfigProblem } from './config-hearing.ts';

/** A zone's answer at a transition: send it here or not, and a line for the message. */
export type ZoneNotify = { send: false } | { send: true; note: string | null };

export interface ZoneHook {
  /** the zone's name and this node's name */
  readonly zone: string;
  readonly node: string;
  /** does this node run this check's scheduled runs? */
  runsHere(check: string): boolean;
  /**
   * At a notifying transition to `failing`: does this node send it? Only the
   * owner does, and not when the zone already notified that state
   * (notified.ts). A "send" answer records the state for the zone first; its
   * `note` is a line the notification carries (e.g. "possibly repeated").
   */
  notifies(check: string, failing: boolean): ZoneNotify;
  /**
   * After a "send" answer: the notification and the actions it is queued
   * for. The zone records them as undelivered until the outbox delivered
   * them, so that a node taking the check over sends what a dead owner left.
   */
  queued(check: string, actions: readonly string[], n: Notification): void;
  /** the node that owns the check, `"*"` for a local check on every node, null when unknown */
  owner(check: string): string | null;
  /** the zone's nodes as this node sees them */
  members(): MemberView[];
  /** the zone config revision this node runs (config-sync.ts), null before the first */
  readonly configRevision?: { rev: number; hash: string; node: string } | null;
  /** the zone's message authentication (guard.ts): the API and /healthz show it */
  trust?(): ZoneTrust | null;
  /** while no config message reaches this node (config-hearing.ts): the API and /healthz show it */
  configProblem?(): ConfigProblem | null;
  /** the guard other zone-side clients of this node seal and open with (vantage-service.ts) */
  readonly guard?: ZoneGuard | null;
}
