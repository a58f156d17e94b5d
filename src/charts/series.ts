/**
 * A check's chart data for a range (issue 22, per check): its response time
 * (each run's duration) and every numeric metric it reports, bucketed to
 * the chart's width (min, average and max per bucket), with min / avg /
 * max / p95 over the range, and a state strip (a bucket is failing when
 * any run in it failed; no runs is "no data").
 */
import type { HistoryRow } from '../store/state.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const RANGES = { '1h': HOUR, '24h': DAY, '7d': 7 * DAY, '30d': 30 * DAY, '90d': 90 * DAY } as const;
export type RangeKey = keyof typeof RANGES;
export const RANGE_WORDS: Record<RangeKey, string> = { '1h': '1 hour', '24h': '24 hours', '7d': '7 days', '30d': '30 days', '90d': '90 days' };
export const isRange = (v: string | undefined): v is RangeKey => v !== undefined && Object.hasOwn(RANGES, v);

export interface Stats { count: number; min: number; avg: number; max: number; p95: number }
export interface Bucket { i: number; min: number; avg: number; max: number }
export interface Series { name: string; unit: string; stats: Stats | null; buckets: Bucket[] }
export interface StripPart { from: number; to: number; cls: 'pass' | 'fail' | 'none' }
export interface ChartData { range: RangeKey; from: number; to: number; width: number; runs: number; fails: number; series: Series[]; strip: StripPart[] }

/** Nearest-rank p95 and the rest, of a list of values (not sorted in place). */
export function stats(values: readonly number[]): Stats | null {
  if (values.length === 0) return null;
  const s = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of s) sum += v;
  return { count: s.length, min: s[0], max: s[s.length - 1], avg: sum / s.length, p95: s[Math.max(0, Math.ceil(0.95 * s.length) - 1)] };
}

/** rows oldest first, all within [from, to]. */
export function chartData(rows: readonly HistoryRow[], range: RangeKey, to: number, width = 300): ChartData {
  const from = to - RANGES[range];
  const span = to - from;
  const at = (t: number): number => Math.min(width - 1, Math.max(0, Math.floor(((t - from) / span) * width)));
  const named = new Map<string, { unit: string; values: number[]; b: Map<number, { min: number; max: number; sum: number; n: number }> }>();
  const add = (name: string, unit: string, i: number, v: number): void => {
    let s = named.get(name);
    if (!s) named.set(name, (s = { unit, values: [], b: new Map() }));
    s.values.push(v);
    const x = s.b.get(i);
    if (!x) s.b.set(i, { min: v, max: v, sum: v, n: 1 });
    else {
      if (v < x.min) x.min = v;
      if (v > x.max) x.max = v;
      x.sum += v;
      x.n++;
    }
  };
  const state = new Array<'pass' | 'fail' | 'none'>(width).fill('none');
  let fails = 0;
  for (const r of rows) {
    const i = at(r.t);
    if (r.fail) fails++;
    state[i] = r.fail || state[i] === 'fail' ? 'fail' : 'pass';
    if (r.durationMs !== null) add('response time', 'ms', i, r.durationMs);
    for (const m of r.metrics) if (Number.isFinite(m.value)) add(m.name, typeof m.unit === 'string' ? m.unit : '', i, m.value);
  }
  const series = [...named].map(([name, s]) => ({
    name, unit: s.unit, stats: stats(s.values),
    buckets: [...s.b].sort((a, b) => a[0] - b[0]).map(([i, x]) => ({ i, min: x.min, max: x.max, avg: x.sum / x.n })),
  }));
  const strip: StripPart[] = [];
  for (let i = 0; i < width; i++) {
    const last = strip[strip.length - 1];
    if (last && last.cls === state[i]) last.to = i + 1;
    else strip.push({ from: i, to: i + 1, cls: state[i] });
  }
  return { range, from, to, width, runs: rows.length, fails, series, strip };
}
