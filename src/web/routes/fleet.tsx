/**
 * /fleet (issue 23, docs/fleet.md): the zones this instance watches
 * (src/fleet/), for viewers and up. Read-only: GET with a filter and a page
 * in the query. The open page follows the fleet over the live stream
 * (/events?view=fleet, src/web/fleet-live.tsx): no polling.
 * Without a `fleet` key the page is empty and says how to turn it on.
 */
import { Hono } from 'hono';
import { need, type WebEnv } from '../context.ts';
import type { WebDeps } from '../deps.ts';
import { html, pageCtx } from '../render.tsx';
import { fleetData, fleetFilter, noFleet } from '../fleet-live.ts';

export function fleetRoutes(d: WebDeps): Hono<WebEnv> {
  const { FleetPage } = d.pages;
  const r = new Hono<WebEnv>();
  const none = noFleet(() => d.site.clock.now());
  r.get('/fleet', need('viewer'), (c) => {
    const q = fleetFilter((k) => c.req.query(k));
    const p = new URLSearchParams();
    if (q.state) p.set('state', q.state);
    if (q.zone) p.set('zone', q.zone);
    if (q.page > 1) p.set('page', String(q.page));
    return html(c, <FleetPage ctx={pageCtx(c, d, { kind: 'fleet', query: p.toString() })} d={fleetData(d.fleet ?? none, q)} />);
  });
  return r;
}
