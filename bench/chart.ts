/**
 * A check's 90-day chart: 90 days of 1-minute runs (129,600) with a duration
 * and three metrics, like a disk check, rolled up into the history tiers and
 * the raw runs pruned to the default raw window (24 hours), as a running
 * site keeps them; what the route reads (readChart: the hourly tier before
 * the watermark, StateStore.series after it), the bucketing and statistics
 * and the SVG (the Charts partial rendered to HTML). Median of 10 after 2
 * warm-ups. RAW=1: without roll-up (every run read raw, the old path).
 * Run: node --import tsx bench/chart.ts
 */
import { openSite } from '../src/wiring.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { RunRecord } from '../src/store/state.ts';
import { chartData, RANGES } from '../src/charts/series.ts';
import { readChart } from '../src/charts/read.ts';
import { MetricCodec } from '../src/store/history.ts';
import { TierReader } from '../src/store/tier-reader.ts';
import { toHtml } from '../src/web/render.tsx';
import { Charts } from '../views/partials/chart.tsx';
import { tempDir } from '../test/servers/common.ts';
import { dist, emit, figure, median, note, round } from './lib/report.ts';

const now = Date.now();
const t = tempDir('sw-bench-chart-');
const configPath = join(t.dir, 'site.json');
writeFileSync(configPath, JSON.stringify({ webui: null, checks: { disk: { type: 'disk', options: { volume: '/' } } } }));
const site = await openSite({ configPath });
let seed = 1;
const rand = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
const N = 90 * 1440;
for (let d = 0; d < 90; d++) {
  const runs: RunRecord[] = [];
  for (let k = d * 1440; k < (d + 1) * 1440; k++) {
    const p = 40 + rand() * 5;
    runs.push({
      t: now - (N - k) * 60_000,
      fail: rand() < 0.01,
      durationMs: Math.round(1 + rand() * 4),
      level: ` ${Math.round(p)}%`,
      softFail: null,
      metrics: [
        { name: 'used_percent', value: p, unit: '%' },
        { name: 'used_bytes', value: Math.round(p * 1e9), unit: 'B' },
        { name: 'free_bytes', value: Math.round((100 - p) * 1e9), unit: 'B' },
      ],
    });
  }
  site.store.appendRuns('disk', runs);
}
const RAW = process.env.RAW === '1';
if (!RAW) {
  const a = performance.now();
  for (let i = 0; i < 100_000 && site.store.rollupStep(now); i++);
  const cut = now - 24 * 3_600_000;
  while (site.store.pruneBatch({ raw: cut, fiveMinute: now - 3 * 86_400_000, hourly: now - 91 * 86_400_000 }).more);
  note(`rolled up and pruned in ${Math.round(performance.now() - a)} ms; raw runs kept: ${site.store.history('disk', 0, now, 1e6).length}`);
}
const tiers = new TierReader(site.db, new MetricCodec(site.db));
const ms: number[] = [];
let bytes = 0;
for (let i = -2; i < 10; i++) {
  const a = performance.now();
  const data = RAW ? rawChart() : readChart(site.store, tiers, 'disk', '90d', now);
  const html = await toHtml(Charts({ data, words: '90 days' }));
  const dt = performance.now() - a;
  bytes = html.length;
  if (i >= 0) ms.push(dt);
}
/** The path before the tiers: every run of the range from the raw table. */
function rawChart() {
  const s = site.store.series('disk', now - RANGES['90d'], now, 260_000);
  const rows = s.rows.map((r) => ({
    t: r.t,
    fail: r.fail,
    durationMs: r.durationMs,
    level: r.level,
    softFail: null,
    metrics: s.metric && r.value !== null ? [{ name: s.metric.name, value: r.value, unit: s.metric.unit }] : [],
  }));
  return chartData(rows, '90d', now);
}
note(`90-day chart: ${JSON.stringify(dist(ms))} ms, ${Math.round(bytes / 1024)} KiB`);
await site.stop();
t.cleanup();
emit(
  'chart',
  [
    figure({
      key: 'chart_90d_ms',
      figure: `a check's 90-day chart (129,600 runs, ${RAW ? 'all read raw' : 'the last 24 h raw, older hours from the hourly tier'}; response time and the main metric: query + bucketing + SVG, median)`,
      target: '< 50 ms',
      value: round(median(ms)),
      unit: 'ms',
      better: 'lower',
      limit: 50,
    }),
  ],
  { runs: N, ms: dist(ms), kib: round(bytes / 1024) },
);
