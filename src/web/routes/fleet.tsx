/**
 * /fleet (issue 23, docs/fleet.md): the zones this instance watches
 * (src/fleet/), for viewers and up. Read-only: GET with a filter and a page
 * in the query; /fleet/live is the page's body alone, which the page polls.
 * Without a `fleet` key the page is empty and says how to turn it on.
 */
import { Hono } from 'hono';
import { need, type WebContext, type WebEnv } from '../context.ts';
import type { WebDeps } from '../deps.ts';
import { html, pageCtx } from '../render.tsx';
import { FLEET_STATES, FleetModel, type FleetData, type FleetState } from '../../fleet/model.ts';
import type { FleetSource } from '../../fleet/service.ts';

export const FLEET_PAGE_SIZE = 100;

function fleetData(f: FleetSource, c: WebContext): FleetData {
  const s = c.req.query('state');
  const state = FLEET_STATES.includes(s as FleetState) ? (s as FleetState) : null;
  const zone = c.req.query('zone')?.slice(0, 128) || null;
  const page = Math.min(1_000_000, Math.max(1, Number.parseInt(c.req.query('page')?.slice(0, 8) ?? '1', 10) || 1));
  const now = f.now();
  const m = f.model;
  return {
    zones: m.zoneRows(now),
    nodes: m.nodeRows(now),
    page: m.query({ state, zone, page, perPage: FLEET_PAGE_SIZE }, now),
    state,
    zone,
    now,
    problem: f.problem(),
    dropped: m.dropped,
    max: m.maxChecks,
  };
}

export function fleetRoutes(d: WebDeps): Hono<WebEnv> {
  const { FleetBody, FleetPage } = d.pages;
  const r = new Hono<WebEnv>();
  // without a `fleet` key: an empty page that says how to turn it on
  const none: FleetSource = {
    model: new FleetModel(),
    now: () => d.site.clock.now(),
    problem: () => 'This instance watches no zones. Add "fleet": true and an mqtt section to the site file (docs/fleet.md).',
  };
  r.get('/fleet', need('viewer'), (c) => html(c, <FleetPage ctx={pageCtx(c, d, null)} d={fleetData(d.fleet ?? none, c)} />));
  // the page's self-refreshing body (views/pages/fleet.tsx FleetBody)
  r.get('/fleet/live', need('viewer'), (c) => html(c, <FleetBody d={fleetData(d.fleet ?? none, c)} />));
  return r;
}
