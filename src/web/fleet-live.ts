/**
 * /fleet's data and its live fragments (issue 22/23 "Live: SSE pushes only
 * the changed fragments; no page polls"): the page and the live stream read
 * the same FleetData. On a fleet change (src/fleet/changes.ts) an open page
 * gets the zones and nodes when they changed, and its checks list only when
 * something on it (or its filter's count and pages) may have changed.
 */
import { FLEET_STATES, FleetModel, type FleetData, type FleetPage, type FleetState } from '../fleet/model.ts';
import type { FleetSource } from '../fleet/service.ts';
import { fleetKey, type FleetChange } from '../fleet/changes.ts';

export const FLEET_PAGE_SIZE = 100;

export interface FleetFilter {
  state: FleetState | null;
  zone: string | null;
  page: number;
}

/** A page's filter from its query (size-limited; anything unknown is ignored). */
export function fleetFilter(get: (k: string) => string | undefined): FleetFilter {
  const s = get('state');
  return {
    state: FLEET_STATES.includes(s as FleetState) ? (s as FleetState) : null,
    zone: get('zone')?.slice(0, 128) || null,
    page: Math.min(1_000_000, Math.max(1, Number.parseInt(get('page')?.slice(0, 8) ?? '1', 10) || 1)),
  };
}

export function fleetData(f: FleetSource, q: FleetFilter): FleetData {
  const now = f.now();
  const m = f.model;
  return {
    zones: m.zoneRows(now),
    nodes: m.nodeRows(now),
    page: m.query({ state: q.state, zone: q.zone, page: q.page, perPage: FLEET_PAGE_SIZE }, now),
    state: q.state,
    zone: q.zone,
    now,
    problem: f.problem(),
    dropped: m.dropped,
    max: m.maxChecks,
  };
}

/** Without a `fleet` key: an empty fleet that says how to turn it on. */
export function noFleet(now: () => number): FleetSource {
  return {
    model: new FleetModel(),
    now,
    problem: () => 'This instance watches no zones. Add "fleet": true and an mqtt section to the site file (docs/fleet.md).',
    onChange: () => () => undefined,
  };
}

/** Whether a change may alter the checks list of a page with this filter showing `page`. */
export function listTouched(q: FleetFilter, page: FleetPage, c: FleetChange): boolean {
  if (c.all) return true;
  const inScope = (zone: string): boolean => !q.zone || q.zone === zone;
  // a check came or went, or a zone's nodes went silent or came back: counts, pages, states
  for (const z of c.added) if (inScope(z)) return true;
  for (const z of c.nodes) if (inScope(z)) return true;
  // with a state filter, a changed check may join or leave the list
  if (q.state) for (const k of c.checks) if (inScope(k.slice(0, k.indexOf('\u0000')))) return true;
  return page.rows.some((r) => c.checks.has(fleetKey(r.zone, r.check)));
}

/** What an open /fleet page (its query) gets for a change: the head (zones, nodes), its checks list, or neither (src/web/render.tsx draws them). */
export function fleetLive(f: FleetSource, query: string, c: FleetChange): { d: FleetData; head: boolean; list: boolean } {
  const q = new URLSearchParams(query);
  const filter = fleetFilter((k) => q.get(k) ?? undefined);
  const d = fleetData(f, filter);
  // the zones table counts failing checks: any change may alter it
  const head = c.all || c.heard || c.nodes.size > 0 || c.added.size > 0 || c.checks.size > 0;
  return { d, head, list: listTouched(filter, d.page, c) };
}
