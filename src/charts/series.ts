/**
 * A check's chart data for a range (issue 22, per check): its response time
 * (each run's duration) and every numeric metric it reports, bucketed to
 * the chart's width (min, average and max per bucket), with min / avg /
 * max / p95 over the range, and a state strip (a bucket is failing when
 * any run in it failed; no runs is "no data"). Ranges beyond the raw
 * window read the hourly tier (src/store/rollup.ts) for their older part.
 */
import type { HistoryRow } from '../store/state.ts';
import type { TierBucket, TierStats } from '../store/tier-reader.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const RANGES = { '1h': HOUR, '24h': DAY, '7d': 7 * DAY, '30d': 30 * DAY, '90d': 90 * DAY } as const;
export type RangeKey = keyof typeof RANGES;
export const RANGE_WORDS: Record<RangeKey, string> = { '1h': '1 hour', '24h': '24 hours', '7d': '7 days', '30d': '30 days', '90d': '90 days' };
export const isRange = (v: string | undefined): v is RangeKey => v !== undefined && Object.hasOwn(RANGES, v);

export interface Stats {
  count: number;
  min: number;
  avg: number;
  max: number;
  p95: number;
}
export interface Bucket {
  i: number;
  min: number;
  avg: number;
  max: number;
}
/** A metric's thresholds as its check's last run reported them (src/checks/types.ts Metric). */
export interface Limits {
  warn?: number;
  crit?: number;
  critLow?: number;
}
export interface Series {
  name: string;
  unit: string;
  stats: Stats | null;
  buckets: Bucket[];
  /** drawn as warning/critical bands */
  limits?: Limits;
}
export interface StripPart {
  from: number;
  to: number;
  cls: 'pass' | 'fail' | 'none';
}
export interface ChartData {
  range: RangeKey;
  from: number;
  to: number;
  width: number;
  runs: number;
  fails: number;
  series: Series[];
  strip: StripPart[];
}

/** Nearest-rank p95 and the rest, of a list of values (not sorted in place). */
export function stats(values: readonly number[]): Stats | null {
  if (values.length === 0) return null;
  const s = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of s) sum += v;
  return { count: s.length, min: s[0], max: s[s.length - 1], avg: sum / s.length, p95: s[Math.max(0, Math.ceil(0.95 * s.length) - 1)] };
}

/** One series' running figures: exact for raw runs, weighted by run count for tier buckets. */
interface Acc {
  unit: string;
  /** raw values (each one run) */
  values: number[];
  /** tier buckets: [p95, runs] for the range's p95, with their min / max / sum of run values */
  weighted: [number, number][];
  tier: { n: number; min: number; max: number; sum: number };
  b: Map<number, { min: number; max: number; sum: number; n: number }>;
}

/** min / avg / max / p95 over raw values and tier buckets; p95 over buckets is the run-weighted nearest rank of their p95s. */
function accStats(a: Acc): Stats | null {
  if (a.weighted.length === 0) return stats(a.values);
  const w: [number, number][] = [...a.weighted, ...a.values.map((v): [number, number] => [v, 1])].sort((x, y) => x[0] - y[0]);
  const count = a.tier.n + a.values.length;
  let { min, max, sum } = a.tier;
  for (const v of a.values) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const rank = Math.max(1, Math.ceil(0.95 * count));
  let seen = 0;
  let p95 = w[w.length - 1][0];
  for (const [v, n] of w)
    if ((seen += n) >= rank) {
      p95 = v;
      break;
    }
  return { count, min, max, avg: sum / count, p95 };
}

/**
 * rows oldest first, all within [from, to]; `tiers`: buckets of the
 * history tiers (src/store/rollup.ts) for the part of the range before the
 * raw runs kept — hourly for a long range (a chart of 90 days reads 2,160 of
 * them, not 129,600 runs), 5-minute for 24 hours when fewer raw hours are
 * kept. A bucket marks every column its time covers; time without a bucket
 * is "no data".
 */
export function chartData(rows: readonly HistoryRow[], range: RangeKey, to: number, width = 300, tiers: readonly TierBucket[] = []): ChartData {
  const from = to - RANGES[range];
  const span = to - from;
  const at = (t: number): number => Math.min(width - 1, Math.max(0, Math.floor(((t - from) / span) * width)));
  const named = new Map<string, Acc>();
  const acc = (name: string, unit: string): Acc => {
    let s = named.get(name);
    if (!s) named.set(name, (s = { unit, values: [], weighted: [], tier: { n: 0, min: Infinity, max: -Infinity, sum: 0 }, b: new Map() }));
    return s;
  };
  const bucket = (s: Acc, i: number, min: number, max: number, sum: number, n: number): void => {
    const x = s.b.get(i);
    if (!x) s.b.set(i, { min, max, sum, n });
    else {
      if (min < x.min) x.min = min;
      if (max > x.max) x.max = max;
      x.sum += sum;
      x.n += n;
    }
  };
  const add = (name: string, unit: string, i: number, v: number): void => {
    const s = acc(name, unit);
    s.values.push(v);
    bucket(s, i, v, v, v, 1);
  };
  const addTier = (name: string, unit: string, i0: number, i1: number, st: TierStats, n: number): void => {
    const s = acc(name, unit);
    s.weighted.push([st.p95, n]);
    s.tier.n += n;
    s.tier.sum += st.avg * n;
    if (st.min < s.tier.min) s.tier.min = st.min;
    if (st.max > s.tier.max) s.tier.max = st.max;
    for (let i = i0; i <= i1; i++) bucket(s, i, st.min, st.max, st.avg * n, n);
  };
  const state = new Array<'pass' | 'fail' | 'none'>(width).fill('none');
  let fails = 0;
  let runs = rows.length;
  for (const b of tiers) {
    if (b.n === 0) continue;
    const i0 = at(b.t);
    const i1 = at(b.t + b.ms - 1);
    runs += b.n;
    fails += b.fails;
    for (let i = i0; i <= i1; i++) state[i] = b.fails > 0 || state[i] === 'fail' ? 'fail' : 'pass';
    if (b.duration) addTier('response time', 'ms', i0, i1, b.duration, b.n);
    for (const m of b.metrics) addTier(m.name, m.unit, i0, i1, m.stats, b.n);
  }
  for (const r of rows) {
    const i = at(r.t);
    if (r.fail) fails++;
    state[i] = r.fail || state[i] === 'fail' ? 'fail' : 'pass';
    if (r.durationMs !== null) add('response time', 'ms', i, r.durationMs);
    for (const m of r.metrics) if (Number.isFinite(m.value)) add(m.name, typeof m.unit === 'string' ? m.unit : '', i, m.value);
  }
  const series = [...named].map(([name, s]) => ({
    name,
    unit: s.unit,
    stats: accStats(s),
    buckets: [...s.b].sort((a, b) => a[0] - b[0]).map(([i, x]) => ({ i, min: x.min, max: x.max, avg: x.sum / x.n })),
  }));
  const strip: StripPart[] = [];
  for (let i = 0; i < width; i++) {
    const last = strip[strip.length - 1];
    if (last && last.cls === state[i]) last.to = i + 1;
    else strip.push({ from: i, to: i + 1, cls: state[i] });
  }
  return { range, from, to, width, runs, fails, series, strip };
}

/**
 * Puts each metric's thresholds (from the check's last run) on its series,
 * for the warning/critical bands. Only finite numbers; a metric without any
 * gets none.
 */
export function withLimits(data: ChartData, metrics: readonly (Limits & { name: string })[]): ChartData {
  const by = new Map<string, Limits>();
  for (const m of metrics) {
    const l: Limits = {};
    if (Number.isFinite(m.warn)) l.warn = m.warn;
    if (Number.isFinite(m.crit)) l.crit = m.crit;
    if (Number.isFinite(m.critLow)) l.critLow = m.critLow;
    if (Object.keys(l).length) by.set(m.name, l);
  }
  if (by.size === 0) return data;
  return { ...data, series: data.series.map((s) => (by.has(s.name) ? { ...s, limits: by.get(s.name) } : s)) };
}
