/**
 * /metrics scrape cost with 10,000 checks, each with three reported metrics
 * (a quarter of them failing): server time of the Prometheus exposition
 * through the API app (median of 5 after a warm-up) and its size.
 * Run: node --import tsx bench/metrics.ts
 */
import { performance } from 'node:perf_hooks';
import { openTestSite } from '../test/helpers/site.ts';
import { API_MIGRATIONS } from '../src/api/tokens.ts';
import { apiRoutes, createApiContext } from '../src/api/app.ts';
import { initialState } from '../src/engine/state.ts';
import { dist, emit, figure, median, round } from './lib/report.ts';
import { apiSiteView } from '../src/wiring.ts';

const N = Number(process.env.CHECKS ?? 10_000);
const checks: Record<string, unknown> = {};
for (let i = 0; i < N; i++) checks[`check-${i}`] = { type: 'disk', options: { volume: '/' } };
const t = await openTestSite({ checks }, { dbPath: ':memory:', migrations: [API_MIGRATIONS] });
for (let i = 0; i < N; i++) {
  t.site.runtime.setState(`check-${i}`, {
    ...initialState(),
    failState: i % 4 === 0,
    failCount: i % 4 === 0 ? 2 : 0,
    lastCheck: t.clock.now(),
    lastPass: t.clock.now(),
    metrics: [
      { name: 'used_percent', value: i % 100, unit: '%' },
      { name: 'used_bytes', value: i * 1000, unit: 'B' },
      { name: 'free_bytes', value: i, unit: 'B' },
    ],
  });
}
const app = apiRoutes(createApiContext(apiSiteView(t.site)));
const times: number[] = [];
let bytes = 0;
for (let i = -1; i < 5; i++) {
  const t0 = performance.now();
  const r = await app.request('/metrics');
  bytes = (await r.text()).length;
  if (i >= 0) times.push(performance.now() - t0);
}
await t.close();
emit(
  'metrics',
  [
    figure({
      key: 'metrics_ms',
      figure: `/metrics scrape, ${N.toLocaleString('en')} checks × 3 metrics, server time (median)`,
      target: 'report',
      value: round(median(times)),
      unit: 'ms',
      better: 'lower',
      limit: null,
    }),
  ],
  { checks: N, scrapeMs: dist(times), bytes },
);
