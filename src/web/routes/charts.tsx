/** A check's charts: /check/<name>/charts?range=1h|24h|7d|30d|90d (issue 22). */
import { Hono } from 'hono';
import { need, type WebEnv } from '../context.ts';
import type { WebDeps } from '../deps.ts';
import { html, pageCtx } from '../render.tsx';
import { chartData, isRange, RANGES } from '../../charts/series.ts';
import { notFound } from './checks.tsx';
import { ChartsPage } from '../../../views/pages/charts.tsx';

/** Most runs read for one chart: 90 days of one run every 30 s. */
const MAX_ROWS = 260_000;

export function chartRoutes(d: WebDeps): Hono<WebEnv> {
  const r = new Hono<WebEnv>();
  const { site } = d;
  r.get('/check/:name/charts', need('viewer'), async (c) => {
    const name = c.req.param('name');
    if (!site.entry(name)) return notFound(c, d, `check named "${name}"`);
    const q = c.req.query('range');
    const range = isRange(q) ? q : '24h';
    const to = site.clock.now();
    const rows = site.store.history(name, to - RANGES[range], to, MAX_ROWS).reverse();
    return html(c, <ChartsPage ctx={pageCtx(c, d, null)} name={name} data={chartData(rows, range, to)} />);
  });
  return r;
}
