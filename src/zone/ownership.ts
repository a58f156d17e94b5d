/**
 * Who runs a check in a zone (docs/ha.md), pure and table-tested:
 * - a check with a `node` key runs on that node only (pinned);
 * - a local check type (it reads this host: disk, memory, …) without `node`
 *   runs on every node, each watching itself;
 * - every other check runs on the rendezvous winner (hrw.ts) among the live
 *   nodes. During the cold-start grace the nodes known from their retained
 *   status count as candidates too, so a lone first node does not take all
 *   checks and hand most of them back a few seconds later.
 */
import { rendezvous } from './hrw.ts';

/** Check types that observe the host they run on: never moved to another node. */
export const LOCAL_TYPES: ReadonlySet<string> = new Set(['disk', 'memory', 'cpu', 'temp', 'ups', 'exec', 'truenas']);

export interface Placement {
  /** the check's name (the hash key) */
  name: string;
  type: string;
  /** the `node` key, when set */
  node: string | null;
}

export interface ZoneView {
  self: string;
  /** nodes whose status is live (self included when connected) */
  live: readonly string[];
  /** every node heard of, live or not */
  known: readonly string[];
  inGrace: boolean;
}

/** The candidates for owning a movable check. This node always counts: it is alive by definition. */
export function candidates(v: ZoneView): string[] {
  const s = new Set<string>(v.live);
  s.add(v.self);
  if (v.inGrace) for (const n of v.known) s.add(n);
  return [...s].sort();
}

/** The owner of a check: a node name, or `"*"` for a local check that runs on every node. */
export function ownerOf(p: Placement, v: ZoneView, cands = candidates(v)): string {
  if (p.node) return p.node;
  if (LOCAL_TYPES.has(p.type)) return '*';
  return rendezvous(p.name, cands) ?? v.self;
}

export function runsHere(p: Placement, v: ZoneView, cands = candidates(v)): boolean {
  const o = ownerOf(p, v, cands);
  return o === '*' || o === v.self;
}
