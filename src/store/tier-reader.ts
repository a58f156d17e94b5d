/**
 * Reads the roll-up tiers src/store/rollup.ts writes (docs/performance.md
 * "History tiers"), by check name: the buckets of a chart's long range and a
 * status page's days. Durations are stored in tenths of a millisecond.
 */
import type { Database as Db, Statement } from 'better-sqlite3';
import { FIVE_MIN, HOUR, MARK } from './rollup.ts';

/** A bucket of the hourly tier with its statistics decoded (a chart of a long range, src/charts/series.ts). */
export interface TierStats {
  min: number;
  avg: number;
  max: number;
  p95: number;
}
export interface TierBucket {
  t: number;
  /** the bucket's length: HOUR or FIVE_MIN */
  ms: number;
  n: number;
  fails: number;
  /** run time in ms, null when no run of the bucket had one */
  duration: TierStats | null;
  metrics: { name: string; unit: string; stats: TierStats }[];
}

const fromTenths = (v: number | null): number | null => (v === null ? null : v / 10);

/**
 * Reads the hourly tier by check name, for charts: one row an hour instead
 * of one a run, so 90 days are 2,160 rows. Read-only; shares the database
 * with the store (the watermark is read fresh: roll-up may have moved it).
 */
export class TierReader {
  private readonly q: { id: Statement; mark: Statement; hourly: Statement; fiveMinute: Statement; days: Statement };

  constructor(
    db: Db,
    private readonly codec: { decode(spec: number | null, vals: string | null): { name: string; value: number; unit?: unknown }[] },
  ) {
    this.q = {
      id: db.prepare('SELECT id FROM check_ids WHERE name = ?'),
      mark: db.prepare('SELECT value FROM kv WHERE key = ?'),
      hourly: db.prepare('SELECT t, n, fails, dmin, davg, dmax, dp95, spec, stats FROM runs_1h WHERE check_id = ? AND t >= ? AND t < ? ORDER BY t').raw(true),
      fiveMinute: db
        .prepare('SELECT t, n, fails, dmin, davg, dmax, dp95, spec, stats FROM runs_5m WHERE check_id = ? AND t >= ? AND t < ? ORDER BY t')
        .raw(true),
      days: db
        .prepare('SELECT t / 86400000 AS d, sum(n) AS runs, sum(fails) AS fails FROM runs_1h WHERE check_id = ? AND t >= ? AND t < ? GROUP BY d')
        .raw(true),
    };
  }

  /** The watermark (hours before it are in the tiers; raw runs before it may be pruned), null before roll-up started. */
  rolledUntil(): number | null {
    const row = this.q.mark.get(MARK) as { value: string } | undefined;
    return row ? Number(row.value) : null;
  }

  /** Hourly buckets of a check starting in [from, to), oldest first; [] for an unknown check. */
  hourly(name: string, from: number, to: number): TierBucket[] {
    return this.read(this.q.hourly, HOUR, name, from, to);
  }

  /**
   * 5-minute buckets of a check starting in [from, to), oldest first: a
   * 24-hour chart's part before the raw runs kept (history.rawHours < 24).
   */
  fiveMinute(name: string, from: number, to: number): TierBucket[] {
    return this.read(this.q.fiveMinute, FIVE_MIN, name, from, to);
  }

  private read(stmt: Statement, ms: number, name: string, from: number, to: number): TierBucket[] {
    const id = this.q.id.get(name) as { id: number } | undefined;
    if (!id || to <= from) return [];
    type Row = [number, number, number, number | null, number | null, number | null, number | null, number | null, string | null];
    return (stmt.all(id.id, from, to) as Row[]).map(([t, n, fails, dmin, davg, dmax, dp95, spec, stats]) => {
      const d = [dmin, davg, dmax, dp95].map(fromTenths);
      return {
        t,
        ms,
        n,
        fails,
        duration: d.every((v) => v !== null) ? { min: d[0]!, avg: d[1]!, max: d[2]!, p95: d[3]! } : null,
        metrics: this.metrics(spec, stats),
      };
    });
  }

  /**
   * Runs and failures per UTC day (day number = t / 1 day) of the days in
   * [fromDay, toDay) that lie wholly before the watermark, in one query: a
   * status page's 90-day bar. `until`: the first day not answered (the
   * watermark's day); a day before it missing from `days` had no run.
   */
  daily(name: string, fromDay: number, toDay: number): { until: number; days: Map<number, { runs: number; fails: number }> } {
    const w = this.rolledUntil();
    const until = w === null ? fromDay : Math.max(fromDay, Math.min(toDay, Math.floor(w / 86_400_000)));
    const days = new Map<number, { runs: number; fails: number }>();
    const id = this.q.id.get(name) as { id: number } | undefined;
    if (!id || until <= fromDay) return { until, days };
    for (const [d, runs, fails] of this.q.days.all(id.id, fromDay * 86_400_000, until * 86_400_000) as [number, number, number][]) days.set(d, { runs, fails });
    return { until, days };
  }

  /** The bucket's "min:avg:max:p95" per metric, in the order of its spec; a metric without values is ''. */
  private metrics(spec: number | null, stats: string | null): TierBucket['metrics'] {
    if (stats === null) return [];
    const parts = stats.split(',').map((p) => (p === '' ? null : p.split(':').map(Number)));
    // the units are the spec's: decode the averages as a run's values would be
    const decoded = this.codec.decode(spec, parts.map((p) => (p ? String(p[1]) : 'NaN')).join(','));
    const out: TierBucket['metrics'] = [];
    decoded.forEach((m, i) => {
      const p = parts[i];
      if (!p || p.length !== 4 || !p.every(Number.isFinite)) return;
      out.push({ name: m.name, unit: typeof m.unit === 'string' ? m.unit : '', stats: { min: p[0], avg: p[1], max: p[2], p95: p[3] } });
    });
    return out;
  }
}
