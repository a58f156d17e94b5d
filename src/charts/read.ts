/**
 * What a check's chart reads for a range (issue 22): every run of a short
 * range with all its metrics; for a longer range, the hours before the
 * roll-up watermark from the hourly tier (src/store/rollup.ts: 2,160 rows
 * for 90 days) and the raw runs from it on, with the response time and the
 * check's main metric (StateStore.series reads one value a run without
 * decoding the others). Never both for one time; an hour without a bucket
 * is "no data". docs/performance.md "Charts".
 */
import type { HistoryRow, StateStore } from '../store/state.ts';
import { FIVE_MIN, HOUR } from '../store/rollup.ts';
import type { TierBucket, TierReader } from '../store/tier-reader.ts';
import { chartData, RANGES, type ChartData, type RangeKey } from './series.ts';

/** Most runs read for one chart: 90 days of one run every 30 s. */
const MAX_ROWS = 260_000;
/** Up to this range every metric is charted from the raw runs (all decoded). */
const FULL_DECODE = RANGES['24h'];

export function readChart(
  store: Pick<StateStore, 'history' | 'series'>,
  tiers: Pick<TierReader, 'rolledUntil' | 'hourly' | 'fiveMinute'>,
  name: string,
  range: RangeKey,
  to: number,
): ChartData {
  const from = to - RANGES[range];
  if (RANGES[range] <= FULL_DECODE) return shortRange(store, tiers, name, range, from, to);
  const w = tiers.rolledUntil();
  const older: TierBucket[] = w !== null && w > from ? tiers.hourly(name, Math.floor(from / HOUR) * HOUR, Math.min(w, to)) : [];
  const s = store.series(name, w === null ? from : Math.max(from, w), to, MAX_ROWS);
  const m = s.metric;
  const rows: HistoryRow[] = s.rows.map((r) => ({
    t: r.t,
    fail: r.fail,
    durationMs: r.durationMs,
    level: r.level,
    softFail: null,
    metrics: m && r.value !== null ? [{ name: m.name, value: r.value, unit: m.unit }] : [],
  }));
  return chartData(rows, range, to, undefined, older);
}

/**
 * Up to 24 hours: every run kept, all metrics decoded. When the raw runs
 * begin later than the range (history.rawHours < 24 pruned them), the part
 * before them comes from the 5-minute tier: from the range's start up to
 * the first 5-minute boundary at or after the oldest run kept (never past
 * the watermark); runs before that boundary are in those buckets already.
 */
function shortRange(
  store: Pick<StateStore, 'history'>,
  tiers: Pick<TierReader, 'rolledUntil' | 'fiveMinute'>,
  name: string,
  range: RangeKey,
  from: number,
  to: number,
): ChartData {
  const rows = store.history(name, from, to, MAX_ROWS).reverse();
  const w = tiers.rolledUntil();
  const first = rows.length ? rows[0].t : to;
  if (w === null || w <= from || first - from <= FIVE_MIN) return chartData(rows, range, to);
  const until = Math.min(w, to, Math.ceil(first / FIVE_MIN) * FIVE_MIN);
  const older = tiers.fiveMinute(name, Math.floor(from / FIVE_MIN) * FIVE_MIN, until);
  if (older.length === 0) return chartData(rows, range, to);
  return chartData(
    rows.filter((r) => r.t >= until),
    range,
    to,
    undefined,
    older,
  );
}
