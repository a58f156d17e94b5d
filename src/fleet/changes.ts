/**
 * What changed in the fleet (issue 22/23 "Live: SSE pushes only the changed
 * fragments; no page polls"): the fleet service gathers the checks and zones
 * its messages touched and tells its listeners once per short window
 * (FLEET_CHANGE_MS), so 100,000 retained states arriving at start-up make a
 * handful of events, not 100,000. The web UI's live hub (src/web/live.ts)
 * turns them into the fragments an open /fleet page shows.
 */

/** Changed check states, keyed `zone\u0000check`, beyond which a change counts as "everything". */
export const MAX_CHANGED_CHECKS = 10_000;
export const FLEET_CHANGE_MS = 100;

export interface FleetChange {
  /** `fleetKey(zone, check)` of checks whose state changed (not added or removed) */
  checks: Set<string>;
  /** zones where a check came or went (totals, pages) */
  added: Set<string>;
  /** zones whose live nodes changed (a node came, went down or went silent): their checks' states follow */
  nodes: Set<string>;
  /** a node status was heard (the zones and nodes tables) */
  heard: boolean;
  /** too many to list, or the connection's health changed: redraw everything */
  all: boolean;
}

export const fleetKey = (zone: string, check: string): string => `${zone}\u0000${check}`;

export function emptyChange(): FleetChange {
  return { checks: new Set(), added: new Set(), nodes: new Set(), heard: false, all: false };
}

/** Adds `b` into `a` (the live hub merges the service's events into one batch). */
export function mergeChange(a: FleetChange, b: FleetChange): void {
  if (b.all || a.all || a.checks.size + b.checks.size > MAX_CHANGED_CHECKS) {
    a.all = true;
    a.checks.clear();
    a.added.clear();
    a.nodes.clear();
    return;
  }
  for (const k of b.checks) a.checks.add(k);
  for (const z of b.added) a.added.add(z);
  for (const z of b.nodes) a.nodes.add(z);
  a.heard ||= b.heard;
}

export type FleetListener = (c: FleetChange) => void;

/** Gathers changes and hands them to the listeners at most once per `ms` (real timers: it paces sockets, not check time). */
export class ChangeGate {
  private pending: FleetChange | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<FleetListener>();

  constructor(private readonly ms = FLEET_CHANGE_MS) {}

  on(fn: FleetListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Records a change; nobody listening, nothing is kept. */
  mark(fn: (c: FleetChange) => void): void {
    if (this.listeners.size === 0) return;
    const c = (this.pending ??= emptyChange());
    if (!c.all) {
      fn(c);
      if (c.checks.size > MAX_CHANGED_CHECKS) mergeChange(c, { ...emptyChange(), all: true });
    }
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.ms);
      this.timer.unref();
    }
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const c = this.pending;
    this.pending = null;
    if (c) for (const fn of this.listeners) fn(c);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
    this.listeners.clear();
  }
}
