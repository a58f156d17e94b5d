/** A check's charts: /check/<name>/charts?range=1h|24h|7d|30d|90d (issue 22). */
import { Hono } from 'hono';
import { need, type WebEnv } from '../context.ts';
import type { WebDeps } from '../deps.ts';
import { html, pageCtx } from '../render.tsx';
import { chartData, isRange, RANGES } from '../../charts/series.ts';
import { notFound } from './checks.tsx';
import type { HistoryRow } from '../../store/state.ts';
import { ChartsPage } from '../../../views/pages/charts.tsx';

/** Most runs read for one chart: 90 days of one run every 30 s. */
const MAX_ROWS = 260_000;
/**
 * Up to this range every metric is charted (all runs decoded); longer
 * ranges chart the response time and the check's main metric through the
 * store's series query, which reads one value a run without decoding the
 * others (a 90-day range of 1-minute runs is 129,600 runs; docs/performance.md).
 */
const FULL_DECODE = RANGES['24h'];

export function chartRoutes(d: WebDeps): Hono<WebEnv> {
  const r = new Hono<WebEnv>();
  const { site } = d;
  r.get('/check/:name/charts', need('viewer'), async (c) => {
    const name = c.req.param('name');
    if (!site.entry(name)) return notFound(c, d, `check named "${name}"`);
    const q = c.req.query('range');
    const range = isRange(q) ? q : '24h';
    const to = site.clock.now();
    const from = to - RANGES[range];
    let rows: HistoryRow[];
    if (RANGES[range] <= FULL_DECODE) rows = site.store.history(name, from, to, MAX_ROWS).reverse();
    else {
      const s = site.store.series(name, from, to, MAX_ROWS);
      const m = s.metric;
      rows = s.rows.map((r) => ({
        t: r.t, fail: r.fail, durationMs: r.durationMs, level: r.level, softFail: null,
        metrics: m && r.value !== null ? [{ name: m.name, value: r.value, unit: m.unit }] : [],
      }));
    }
    return html(c, <ChartsPage ctx={pageCtx(c, d, null)} name={name} data={chartData(rows, range, to)} />);
  });
  return r;
}
