/**
 * A check's 90-day chart: 90 days of 1-minute runs (129,600) with a duration
 * and three metrics, like a disk check; the store query (StateStore.series, as
 * the route reads ranges longer than a day),
 * the bucketing and statistics (chartData) and the SVG (the Charts partial
 * rendered to HTML). Median of 10 after 2 warm-ups.
 * Run: node --import tsx bench/chart.ts
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Site } from '../src/site.ts';
import type { RunRecord } from '../src/store/state.ts';
import { chartData, RANGES } from '../src/charts/series.ts';
import { toHtml } from '../src/web/render.tsx';
import { Charts } from '../views/partials/chart.tsx';
import { tempDir } from '../test/servers/common.ts';
import { dist, emit, figure, median, note, round } from './lib/report.ts';

const now = Date.now();
const t = tempDir('sw-bench-chart-');
const configPath = join(t.dir, 'site.json');
writeFileSync(configPath, JSON.stringify({ webui: null, checks: { disk: { type: 'disk', options: { volume: '/' } } } }));
const site = await Site.open({ configPath });
let seed = 1;
const rand = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
const N = 90 * 1440;
for (let d = 0; d < 90; d++) {
  const runs: RunRecord[] = [];
  for (let k = d * 1440; k < (d + 1) * 1440; k++) {
    const p = 40 + rand() * 5;
    runs.push({
      t: now - (N - k) * 60_000, fail: rand() < 0.01, durationMs: Math.round(1 + rand() * 4), level: ` ${Math.round(p)}%`, softFail: null,
      metrics: [{ name: 'used_percent', value: p, unit: '%' }, { name: 'used_bytes', value: Math.round(p * 1e9), unit: 'B' }, { name: 'free_bytes', value: Math.round((100 - p) * 1e9), unit: 'B' }],
    });
  }
  site.store.appendRuns('disk', runs);
}
const ms: number[] = [];
let bytes = 0;
for (let i = -2; i < 10; i++) {
  const a = performance.now();
  // as the route reads a range longer than a day (src/web/routes/charts.tsx)
  const s = site.store.series('disk', now - RANGES['90d'], now, 260_000);
  const rows = s.rows.map((r) => ({ t: r.t, fail: r.fail, durationMs: r.durationMs, level: r.level, softFail: null, metrics: s.metric && r.value !== null ? [{ name: s.metric.name, value: r.value, unit: s.metric.unit }] : [] }));
  const html = await toHtml(Charts({ data: chartData(rows, '90d', now), words: '90 days' }));
  const dt = performance.now() - a;
  bytes = html.length;
  if (i >= 0) ms.push(dt);
}
note(`90-day chart: ${JSON.stringify(dist(ms))} ms, ${Math.round(bytes / 1024)} KiB`);
await site.stop();
t.cleanup();
emit('chart', [
  figure({ key: 'chart_90d_ms', figure: "a check's 90-day chart (129,600 runs, response time and the main metric: query + bucketing + SVG, median)", target: '< 50 ms', value: round(median(ms)), unit: 'ms', better: 'lower', limit: 50 }),
], { runs: N, ms: dist(ms), kib: round(bytes / 1024) });
