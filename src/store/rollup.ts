/**
 * History that stays bounded (issue 22, docs/performance.md "History tiers"):
 * raw runs are kept for a short window (history.rawHours), older time is read
 * from two roll-up tiers — 5-minute buckets (history.fiveMinuteDays) and
 * 1-hour buckets (history.days) — each bucket a row per check with the run
 * count, the failures, min/avg/max/p95 of the run duration and of each metric.
 *
 * One watermark W (kv `history.rolledUntil`, an hour boundary): every hour
 * before W has been rolled into both tiers; raw runs at or after W are never
 * pruned. Roll-up works an hour at a time, 200 checks a step, each step its
 * own short transaction (like pruning), so a first start on a big history
 * catches up in the background while checks keep running.
 *
 * Durations in the tiers are integers in tenths of a millisecond (2–3 bytes
 * instead of an 8-byte REAL); p95 is nearest-rank over the bucket's runs.
 * The tiers are read for charts and status pages by src/store/tier-reader.ts.
 */
import type { Database as Db, Statement } from 'better-sqlite3';

export const FIVE_MIN = 300_000;
export const HOUR = 3_600_000;
/** a run may be recorded a little after its hour ended (its start time is its time) */
const GRACE = 120_000;
const STEP_CHECKS = 200;
/** the kv key of the watermark W (read fresh by TierReader, src/store/tier-reader.ts) */
export const MARK = 'history.rolledUntil';

/** core migration 3: the two tiers (both WITHOUT ROWID, keyed like `runs`). */
export const ROLLUP_SCHEMA = ['runs_5m', 'runs_1h']
  .map(
    (t) => `
  CREATE TABLE ${t} (
    check_id INTEGER NOT NULL,
    t INTEGER NOT NULL,
    n INTEGER NOT NULL,
    fails INTEGER NOT NULL,
    dmin INTEGER, davg INTEGER, dmax INTEGER, dp95 INTEGER,
    spec INTEGER,
    stats TEXT,
    PRIMARY KEY (check_id, t)
  ) WITHOUT ROWID;`,
  )
  .join('\n');

export type Tier = 'runs_5m' | 'runs_1h';

/** Sums over a time range: runs, failures, and how much of the range had any run. */
export interface Coverage {
  runs: number;
  fails: number;
  /** milliseconds of the range covered by buckets (5-minute slots for raw runs) that hold a run */
  coveredMs: number;
}

export interface Bucket {
  t: number;
  n: number;
  fails: number;
}

/** Nearest-rank percentile of sorted values (RFC-free: the usual definition, rank ⌈p·n⌉). */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
}

interface Agg {
  min: number;
  avg: number;
  max: number;
  p95: number;
}

export function aggregate(values: number[]): Agg | null {
  if (values.length === 0) return null;
  values.sort((a, b) => a - b);
  let sum = 0;
  for (const v of values) sum += v;
  return { min: values[0], avg: sum / values.length, max: values[values.length - 1], p95: percentile(values, 0.95) };
}

const tenths = (ms: number | undefined): number | null => (ms === undefined ? null : Math.round(ms * 10));
/**
 * A statistic as short text: four significant digits (a chart's resolution),
 * in exponent form when that is shorter ("4.235e10" for a byte count).
 */
export function short(v: number): string {
  const plain = String(Number(v.toPrecision(4)));
  const exp = v
    .toExponential(3)
    .replace(/\.?0+e/, 'e')
    .replace('e+', 'e');
  return exp.length < plain.length ? exp : plain;
}

/** What roll-up needs of the metric codec (src/store/history.ts). */
export interface MetricNames {
  decode(spec: number | null, vals: string | null): { name: string; value: number }[];
  names(spec: number | null): string[];
}

type RawRun = [t: number, fail: number, durationMs: number | null, spec: number | null, vals: string | null];

export class Rollups {
  private readonly q: {
    ids: Statement;
    runs: Statement;
    getMark: Statement;
    setMark: Statement;
    first: Statement;
    next: Statement;
    put: Record<Tier, Statement>;
    sums: Record<Tier | 'runs', Statement>;
    buckets: Statement;
  };
  private cursor = 0;
  /** the watermark as last read or written (this is its only writer) */
  private mark: number | null | undefined;
  /**
   * Tier sums by check and range: they change only when the watermark moves
   * or old buckets are pruned (then the whole cache goes), so the 7- and
   * 30-day uptime of a page of checks is read from SQLite once an hour.
   */
  private sums = new Map<string, Coverage>();

  constructor(private readonly db: Db) {
    const put = (t: Tier): Statement =>
      db.prepare(`INSERT OR REPLACE INTO ${t} (check_id, t, n, fails, dmin, davg, dmax, dp95, spec, stats) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const sums = (t: Tier, size: number): Statement =>
      db.prepare(
        `SELECT coalesce(sum(n), 0) AS runs, coalesce(sum(fails), 0) AS fails, count(*) * ${size} AS covered FROM ${t} WHERE check_id = ? AND t >= ? AND t < ? AND n > 0`,
      );
    this.q = {
      ids: db.prepare('SELECT id FROM check_ids WHERE id >= ? ORDER BY id LIMIT ?'),
      runs: db.prepare('SELECT t, fail, duration_ms, spec, vals FROM runs WHERE check_id = ? AND t >= ? AND t < ? ORDER BY t, seq').raw(true),
      getMark: db.prepare('SELECT value FROM kv WHERE key = ?'),
      setMark: db.prepare('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      first: db.prepare('SELECT min(t) AS t FROM runs'),
      // the first run at or after a time, over every check (one index seek each: no index on t alone)
      next: db.prepare('SELECT min((SELECT min(t) FROM runs WHERE check_id = c.id AND t >= ?)) AS t FROM check_ids c'),
      put: { runs_5m: put('runs_5m'), runs_1h: put('runs_1h') },
      sums: {
        runs_5m: sums('runs_5m', FIVE_MIN),
        runs_1h: sums('runs_1h', HOUR),
        runs: db.prepare(
          `SELECT count(*) AS runs, coalesce(sum(fail), 0) AS fails, count(DISTINCT t / ${FIVE_MIN}) * ${FIVE_MIN} AS covered FROM runs WHERE check_id = ? AND t >= ? AND t < ?`,
        ),
      },
      buckets: db.prepare('SELECT t, n, fails FROM runs_1h WHERE check_id = ? AND t < ? ORDER BY t DESC LIMIT ?').raw(true),
    };
  }

  /** The watermark: hours before it are in both tiers. Null before the first roll-up (nothing rolled yet). */
  rolledUntil(): number | null {
    if (this.mark === undefined) {
      const row = this.q.getMark.get(MARK) as { value: string } | undefined;
      this.mark = row ? Number(row.value) : null;
    }
    return this.mark;
  }

  private setMark(w: number): void {
    this.q.setMark.run(MARK, String(w));
    this.mark = w;
    this.sums.clear();
  }

  /** Tier rows were deleted (pruning): cached sums may count them. */
  forget(): void {
    this.sums.clear();
  }

  /** Forgets the cached watermark too (a rolled-back transaction may have taken its write). */
  reset(): void {
    this.mark = undefined;
    this.sums.clear();
  }

  /**
   * One step of roll-up at time `now`: up to STEP_CHECKS checks of the hour at
   * the watermark. Returns whether more work is waiting (call again soon).
   * `codec` decodes a run's metric values (the run codec, history.ts).
   */
  step(now: number, codec: MetricNames): boolean {
    let w = this.rolledUntil();
    if (w === null) {
      const first = (this.q.first.get() as { t: number | null }).t;
      w = Math.floor((first ?? now) / HOUR) * HOUR;
      this.setMark(w);
    }
    if (w + HOUR + GRACE > now) return false;
    if (this.cursor === 0) {
      // at the start of an hour's pass: skip hours without any run (siteward was not running)
      const next = (this.q.next.get(w) as { t: number | null }).t;
      const closed = Math.floor((now - GRACE) / HOUR) * HOUR;
      const to = next === null ? closed : Math.min(closed, Math.floor(next / HOUR) * HOUR);
      if (to > w) {
        w = to;
        this.setMark(w);
        if (w + HOUR + GRACE > now) return false;
      }
    }
    const hour = w;
    const ids = this.q.ids.all(this.cursor, STEP_CHECKS) as { id: number }[];
    try {
      this.db.transaction(() => {
        for (const { id } of ids) this.rollCheck(id, hour, codec);
        if (ids.length < STEP_CHECKS) this.setMark(hour + HOUR);
      })();
    } catch (e) {
      this.reset();
      throw e;
    }
    if (ids.length < STEP_CHECKS) {
      this.cursor = 0;
      return hour + 2 * HOUR + GRACE <= now;
    }
    this.cursor = ids[ids.length - 1].id + 1;
    return true;
  }

  /** Rolls one check's hour [hour, hour + 1 h) into twelve 5-minute buckets and one hourly bucket. */
  private rollCheck(id: number, hour: number, codec: MetricNames): void {
    const rows = this.q.runs.all(id, hour, hour + HOUR) as RawRun[];
    if (rows.length === 0) return;
    for (let b = hour; b < hour + HOUR; b += FIVE_MIN) {
      const part = rows.filter((r) => r[0] >= b && r[0] < b + FIVE_MIN);
      if (part.length) this.write('runs_5m', id, b, part, codec);
    }
    this.write('runs_1h', id, hour, rows, codec);
  }

  private write(tier: Tier, id: number, t: number, rows: RawRun[], codec: MetricNames): void {
    let fails = 0;
    const durations: number[] = [];
    const byMetric = new Map<string, number[]>();
    let spec: number | null = null;
    for (const [, fail, d, s, vals] of rows) {
      fails += fail;
      if (d !== null) durations.push(d);
      if (s !== null) spec = s;
      for (const m of codec.decode(s, vals)) {
        if (!Number.isFinite(m.value)) continue;
        const l = byMetric.get(m.name);
        if (l) l.push(m.value);
        else byMetric.set(m.name, [m.value]);
      }
    }
    const d = aggregate(durations);
    // the stats follow the metric order of the bucket's last spec: "min:avg:max:p95" per metric, comma-separated
    const names = codec.names(spec);
    const stats = names.length
      ? names
          .map((n) => {
            const a = aggregate(byMetric.get(n) ?? []);
            return a ? [a.min, a.avg, a.max, a.p95].map(short).join(':') : '';
          })
          .join(',')
      : null;
    this.q.put[tier].run(id, t, rows.length, fails, tenths(d?.min), tenths(d?.avg), tenths(d?.max), tenths(d?.p95), spec, stats);
  }

  /**
   * Runs, failures and covered time of a check in [from, to): raw runs from
   * the watermark on, the 5-minute tier up to the first full hour, the hourly
   * tier for whole hours before the watermark. Time with no run anywhere is
   * not covered ("no data", never uptime).
   */
  coverage(id: number, from: number, to: number): Coverage {
    const w = this.rolledUntil() ?? -Infinity;
    const out: Coverage = { runs: 0, fails: 0, coveredMs: 0 };
    const add = (stmt: Statement, a: number, b: number): void => {
      if (b <= a) return;
      const r = stmt.get(id, a, b) as { runs: number; fails: number; covered: number };
      out.runs += r.runs;
      out.fails += r.fails;
      out.coveredMs += r.covered;
    };
    const rawFrom = Math.max(from, w);
    add(this.q.sums.runs, rawFrom, to);
    if (from < w) {
      const hourUp = Math.ceil(from / HOUR) * HOUR;
      add(this.q.sums.runs_5m, Math.ceil(from / FIVE_MIN) * FIVE_MIN, Math.min(hourUp, w));
      const end = Math.min(w, to);
      if (end > hourUp) {
        const key = `${id}|${hourUp}|${end}`;
        let hit = this.sums.get(key);
        if (!hit) {
          const r = this.q.sums.runs_1h.get(id, hourUp, end) as { runs: number; fails: number; covered: number };
          hit = { runs: r.runs, fails: r.fails, coveredMs: r.covered };
          if (this.sums.size > 200_000) this.sums.clear();
          this.sums.set(key, hit);
        }
        out.runs += hit.runs;
        out.fails += hit.fails;
        out.coveredMs += hit.coveredMs;
      }
    }
    out.coveredMs = Math.min(out.coveredMs, to - from);
    return out;
  }

  /** The newest hourly buckets before `before`, newest first (a heartbeat bar for checks that run rarely). */
  hourly(id: number, before: number, limit: number): Bucket[] {
    return (this.q.buckets.all(id, before, limit) as [number, number, number][]).map(([t, n, fails]) => ({ t, n, fails }));
  }
}
