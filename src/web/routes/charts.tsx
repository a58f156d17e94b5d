/** A check's charts: /check/<name>/charts?range=1h|24h|7d|30d|90d (issue 22). */
import { Hono } from 'hono';
import { need, type WebEnv } from '../context.ts';
import type { WebDeps } from '../deps.ts';
import { html, pageCtx } from '../render.tsx';
import { isRange, withLimits } from '../../charts/series.ts';
import { readChart } from '../../charts/read.ts';
import { MetricCodec } from '../../store/history.ts';
import { TierReader } from '../../store/tier-reader.ts';
import { notFound } from './checks.tsx';

export function chartRoutes(d: WebDeps): Hono<WebEnv> {
  const { ChartsPage } = d.pages;
  const r = new Hono<WebEnv>();
  const { site } = d;
  // ranges beyond the raw window read the hourly tier (src/charts/read.ts)
  const tiers = new TierReader(site.db, new MetricCodec(site.db));
  r.get('/check/:name/charts', need('viewer'), async (c) => {
    const name = c.req.param('name');
    if (!site.entry(name)) return notFound(c, d, `check named "${name}"`);
    const q = c.req.query('range');
    const range = isRange(q) ? q : '24h';
    // the bands: the thresholds of the check's last run
    const data = withLimits(readChart(site.store, tiers, name, range, site.clock.now()), site.state(name).metrics);
    return html(c, <ChartsPage ctx={pageCtx(c, d, null)} name={name} data={data} />);
  });
  return r;
}
