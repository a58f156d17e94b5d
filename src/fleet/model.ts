/**
 * What a fleet instance knows (issue 23, docs/fleet.md): per zone, its nodes
 * (their retained status, src/zone/members.ts) and its checks (each zone's
 * published state, src/zone/state.ts). Pure, clock passed in.
 * A check whose publishing node is no longer live, and every check of a zone
 * with no live node, is shown as **silent** — never as its last PASS.
 * Queries walk the checks in a cached order (zone, then check name) without
 * sorting on each page, so a page of 100,000 checks costs one pass.
 */
import { Members, type MemberView, type NodeStatus } from '../zone/members.ts';
import type { VantageView } from '../zone/vantage.ts';

export type FleetState = 'fail' | 'pass' | 'silent' | 'other';
export const FLEET_STATES: readonly FleetState[] = ['fail', 'pass', 'silent', 'other'];

export interface FleetCheckRow {
  zone: string;
  check: string;
  /** FAIL, PASS, … as the zone published it; "silent" when nobody vouches for it now */
  state: FleetState;
  shown: string;
  summary: string;
  node: string;
  /** local time the view was received */
  heardAt: number;
}

export interface FleetZoneRow {
  name: string;
  up: number;
  nodes: number;
  checks: number;
  failing: number;
  silent: boolean;
}

export interface FleetQuery {
  state?: FleetState | null;
  zone?: string | null;
  page: number;
  perPage: number;
}

export interface FleetPage {
  rows: FleetCheckRow[];
  /** checks matching the filter */
  total: number;
  page: number;
  pages: number;
}

interface Held {
  view: VantageView;
  heardAt: number;
}

interface Zone {
  members: Members;
  last: Map<string, { version?: string; checks?: number }>;
  checks: Map<string, Held>;
  order: string[] | null;
}

/** Names in a person's order: "vm 2" before "vm 10". The collator is made at the first sort (ICU's set-up costs 15–75 ms of start-up). */
let collator: Intl.Collator | null = null;
const byName = (a: string, b: string): number => (collator ??= new Intl.Collator('en', { numeric: true })).compare(a, b);

export class FleetModel {
  private readonly zones = new Map<string, Zone>();
  private zoneOrder: string[] | null = null;
  private count = 0;
  /** views dropped because maxChecks was reached */
  dropped = 0;

  constructor(
    private readonly misses = 3,
    readonly maxChecks = 200_000,
  ) {}

  private zone(name: string): Zone {
    let z = this.zones.get(name);
    if (!z) {
      this.zones.set(name, (z = { members: new Members(this.misses), last: new Map(), checks: new Map(), order: null }));
      this.zoneOrder = null;
    }
    return z;
  }

  /**
   * A node's status. A "down" (its last will) keeps the version and checks of
   * its last "up". Returns true when the zone's live nodes may have changed.
   */
  onStatus(zone: string, s: NodeStatus, now: number): boolean {
    const z = this.zone(zone);
    const last = z.last.get(s.node);
    const full = { ...s, version: s.version ?? last?.version, checks: s.checks ?? last?.checks };
    z.last.set(s.node, { version: full.version, checks: full.checks });
    return z.members.onStatus(full, now);
  }

  forgetNode(zone: string, node: string): void {
    this.zones.get(zone)?.members.forget(node);
    this.zones.get(zone)?.last.delete(node);
  }

  /**
   * A zone's view of a check (null: the retained state was cleared). Says what
   * it did, for the live page (src/fleet/changes.ts): a periodic re-publish of
   * the same state is "same".
   */
  onView(zone: string, check: string, v: VantageView | null, now: number): 'added' | 'removed' | 'changed' | 'same' | 'dropped' {
    const z = this.zone(zone);
    if (!v) {
      if (!z.checks.delete(check)) return 'same';
      z.order = null;
      this.count--;
      return 'removed';
    }
    const old = z.checks.get(check);
    if (!old) {
      if (this.count >= this.maxChecks) {
        this.dropped++;
        return 'dropped';
      }
      this.count++;
      z.order = null;
    }
    z.checks.set(check, { view: v, heardAt: now });
    if (!old) return 'added';
    const o = old.view;
    return o.state === v.state && o.failing === v.failing && o.summary === v.summary && o.node === v.node ? 'same' : 'changed';
  }

  get checkCount(): number {
    return this.count;
  }

  private order(): string[] {
    return (this.zoneOrder ??= [...this.zones.keys()].sort(byName));
  }

  private checkOrder(z: Zone): string[] {
    return (z.order ??= [...z.checks.keys()].sort(byName));
  }

  private static stateOf(h: Held, live: ReadonlySet<string>): FleetState {
    if (!live.has(h.view.node)) return 'silent';
    if (h.view.failing) return 'fail';
    return h.view.state === 'PASS' ? 'pass' : 'other';
  }

  zoneRows(now: number): FleetZoneRow[] {
    return this.order().map((name) => {
      const z = this.zones.get(name)!;
      const live = new Set(z.members.live(now));
      let failing = 0;
      for (const h of z.checks.values()) if (FleetModel.stateOf(h, live) === 'fail') failing++;
      return { name, up: live.size, nodes: z.members.all().length, checks: z.checks.size, failing, silent: live.size === 0 };
    });
  }

  nodeRows(now: number): (MemberView & { zone: string })[] {
    return this.order().flatMap((zone) =>
      this.zones
        .get(zone)!
        .members.view(now)
        .map((m) => ({ ...m, zone })),
    );
  }

  /** One page of checks, filtered by state and zone, in zone then name order. */
  query(q: FleetQuery, now: number): FleetPage {
    const perPage = Math.max(1, Math.min(500, Math.floor(q.perPage)));
    const page = Math.max(1, Math.floor(q.page));
    const from = (page - 1) * perPage;
    const rows: FleetCheckRow[] = [];
    let total = 0;
    for (const zone of q.zone ? [q.zone] : this.order()) {
      const z = this.zones.get(zone);
      if (!z) continue;
      const live = new Set(z.members.live(now));
      for (const check of this.checkOrder(z)) {
        const h = z.checks.get(check)!;
        const state = FleetModel.stateOf(h, live);
        if (q.state && state !== q.state) continue;
        if (total >= from && rows.length < perPage)
          rows.push({
            zone,
            check,
            state,
            shown: state === 'silent' ? 'silent' : h.view.state,
            summary: h.view.summary,
            node: h.view.node,
            heardAt: h.heardAt,
          });
        total++;
      }
    }
    return { rows, total, page, pages: Math.max(1, Math.ceil(total / perPage)) };
  }

  /** When the next live node goes silent (to refresh a live page), or null. */
  nextExpiry(now: number): number | null {
    let t: number | null = null;
    for (const z of this.zones.values()) {
      const e = z.members.nextExpiry(now);
      if (e !== null) t = t === null ? e : Math.min(t, e);
    }
    return t;
  }
}

/** What /fleet draws (views/pages/fleet.tsx). */
export interface FleetData {
  zones: FleetZoneRow[];
  nodes: (MemberView & { zone: string })[];
  page: FleetPage;
  state: FleetState | null;
  zone: string | null;
  now: number;
  problem: string | null;
  dropped: number;
  max: number;
}
