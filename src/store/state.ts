/**
 * Check runtime state and run history in SQLite. One transaction per run:
 * the new state, the history row and any transition are committed together.
 * The history layout is in history.ts.
 */
import type { Database as Db, Statement, Transaction } from 'better-sqlite3';
import type { CheckState, StateEvent } from '../engine/state.ts';
import { initialState } from '../engine/state.ts';
import { MetricCodec, type StoredMetric } from './history.ts';
import { Rollups, type Bucket, type Coverage } from './rollup.ts';

/** Rows a prune call removes at most, and checks it visits at most (a call is one short transaction). */
const PRUNE_BATCH = 5000;
const PRUNE_CHECKS = 200;

export interface RunRecord {
  t: number;
  fail: boolean;
  durationMs: number | null;
  level: string | null;
  softFail: string | null;
  metrics: StoredMetric[];
}

export interface HistoryRow {
  t: number;
  fail: boolean;
  durationMs: number | null;
  level: string | null;
  softFail: string | null;
  metrics: StoredMetric[];
}

/** A run reduced to what a chart of the check needs (see StateStore.series). */
export interface SeriesRow {
  t: number;
  fail: boolean;
  durationMs: number | null;
  level: string | null;
  /** the series metric's value in this run, null when the run lacks it */
  value: number | null;
}

/** Prune cut-offs per tier (ms since the epoch): rows older than these go. */
export interface PruneCuts {
  raw: number;
  fiveMinute: number;
  /** the hourly tier and transitions */
  hourly: number;
}

/** One entry of a heartbeat bar: a run, or an hour of runs when raw runs are gone. */
export interface Beat {
  t: number;
  fail: boolean;
  durationMs: number | null;
  /** runs this entry stands for (1 for a run) */
  n: number;
  /** failed runs among them */
  fails: number;
}

export interface TransitionRow {
  t: number;
  to: string;
  from: string;
  notify: boolean;
  log: string[];
}

export class StateStore {
  private readonly ids = new Map<string, number>();
  /** check id → time and seq of its last stored run: two runs in one millisecond both keep a row (key (check_id, t, seq)) */
  private readonly lastRun = new Map<number, { t: number; seq: number }>();
  private readonly metrics: MetricCodec;
  private readonly rollups: Rollups;
  /** prune position: checks before it were pruned in this pass */
  private pruneCursor = 0;
  private readonly q: {
    upsert: Statement;
    getId: Statement;
    addId: Statement;
    run: Statement;
    nextSeq: Statement;
    transition: Statement;
    history: Statement;
    transitions: Statement;
    deleteState: Statement;
    renameState: Statement;
    renameId: Statement;
    pruneIds: Statement;
    pruneRuns: Statement;
    pruneTransitions: Statement;
    counts: Statement;
    series: Statement;
    prune5m: Statement;
    prune1h: Statement;
    recent: Statement;
  };
  /** Built once: better-sqlite3's transaction() makes four wrappers per call (docs/performance.md). */
  private readonly tx: Transaction<(name: string, state: CheckState, now: number, run: RunRecord | undefined, events: StateEvent[]) => void>;

  constructor(private readonly db: Db) {
    this.metrics = new MetricCodec(db);
    this.rollups = new Rollups(db);
    this.q = {
      upsert: db.prepare(
        'INSERT INTO check_state (name, state, updated) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET state = excluded.state, updated = excluded.updated',
      ),
      getId: db.prepare('SELECT id FROM check_ids WHERE name = ?'),
      addId: db.prepare('INSERT INTO check_ids (name) VALUES (?)'),
      run: db.prepare('INSERT INTO runs (check_id, t, seq, fail, duration_ms, level, soft_fail, spec, vals) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
      nextSeq: db.prepare('SELECT coalesce(max(seq) + 1, 0) AS seq FROM runs WHERE check_id = ? AND t = ?'),
      transition: db.prepare('INSERT INTO transitions (check_id, t, to_state, from_state, notify, log) VALUES (?, ?, ?, ?, ?, ?)'),
      history: db.prepare(
        'SELECT t, fail, duration_ms, level, soft_fail, spec, vals FROM runs WHERE check_id = ? AND t >= ? AND t <= ? ORDER BY t DESC, seq DESC LIMIT ?',
      ),
      transitions: db.prepare('SELECT t, to_state, from_state, notify, log FROM transitions WHERE check_id = ? ORDER BY t DESC LIMIT ?'),
      deleteState: db.prepare('DELETE FROM check_state WHERE name = ?'),
      renameState: db.prepare('UPDATE check_state SET name = ? WHERE name = ?'),
      renameId: db.prepare('UPDATE check_ids SET name = ? WHERE name = ?'),
      pruneIds: db.prepare('SELECT id FROM check_ids WHERE id >= ? ORDER BY id LIMIT ?'),
      pruneRuns: db.prepare(
        'DELETE FROM runs WHERE check_id = ? AND t < ? AND t <= (SELECT max(t) FROM (SELECT t FROM runs WHERE check_id = ? AND t < ? ORDER BY t LIMIT ?))',
      ),
      pruneTransitions: db.prepare('DELETE FROM transitions WHERE id IN (SELECT id FROM transitions WHERE t < ? LIMIT 5000)'),
      prune5m: db.prepare('DELETE FROM runs_5m WHERE check_id = ? AND t < ?'),
      prune1h: db.prepare('DELETE FROM runs_1h WHERE check_id = ? AND t < ?'),
      recent: db.prepare('SELECT t, fail, duration_ms FROM runs WHERE check_id = ? ORDER BY t DESC, seq DESC LIMIT ?').raw(true),
      counts: db.prepare('SELECT count(*) AS runs, coalesce(sum(fail), 0) AS fails FROM runs WHERE check_id = ? AND t >= ? AND t <= ?'),
      // rows as arrays: a week of 1-minute runs is 10,080 of them
      series: db
        .prepare('SELECT t, fail, duration_ms, level, spec, vals FROM runs WHERE check_id = ? AND t >= ? AND t <= ? ORDER BY t DESC, seq DESC LIMIT ?')
        .raw(true),
    };
    this.tx = db.transaction((name, state, now, run, events) => this.write(name, state, now, run, events));
  }

  /** Every stored state, by check name. */
  loadAll(): Map<string, CheckState> {
    const out = new Map<string, CheckState>();
    for (const row of this.db.prepare('SELECT name, state FROM check_state').iterate() as Iterable<{ name: string; state: string }>) {
      try {
        out.set(row.name, { ...initialState(), ...(JSON.parse(row.state) as Partial<CheckState>) });
      } catch {
        // a row that cannot be read is treated as unknown: the check starts fresh
      }
    }
    return out;
  }

  checkId(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      const row = this.q.getId.get(name) as { id: number } | undefined;
      id = row ? row.id : Number(this.q.addId.run(name).lastInsertRowid);
      this.ids.set(name, id);
    }
    return id;
  }

  /** Commits a state (and optionally the run and its transitions) in one transaction. */
  readonly record = (name: string, state: CheckState, now: number, run?: RunRecord, events: StateEvent[] = []): void => {
    try {
      this.tx(name, state, now, run, events);
    } catch (e) {
      this.rolledBack();
      throw e;
    }
  };

  /**
   * A transaction holding record() or appendRuns() was rolled back (also an
   * outer one of the caller's): forget cached ids of rows it may have taken
   * with it (new check ids and metric specs).
   */
  rolledBack(): void {
    this.metrics.reset();
    this.lastRun.clear();
    // a check id added inside the rolled-back transaction is gone too (a full disk found this)
    this.ids.clear();
    this.rollups.reset();
  }

  /**
   * Writes what record() commits; the caller holds a transaction (a batch of
   * results, engine/commits.ts). `stateRow` false: a later result of the same
   * batch writes the check's state row (its runs and transitions are written
   * here all the same).
   */
  write(name: string, state: CheckState, now: number, run: RunRecord | undefined, events: StateEvent[], stateRow = true): void {
    if (stateRow) this.q.upsert.run(name, JSON.stringify(state), now);
    if (!run && !events.length) return;
    const id = this.checkId(name);
    if (run) this.writeRun(id, run);
    let log: string | null = null;
    for (const e of events) {
      this.q.transition.run(id, now, e.to, String(e.from), e.notify ? 1 : 0, (log ??= JSON.stringify(state.log)));
    }
  }

  private writeRun(id: number, run: RunRecord): void {
    const last = this.lastRun.get(id);
    // later than the last run: seq 0; otherwise (first run since start, same
    // millisecond, a clock set back) the database says which seq is free
    const seq = last !== undefined && run.t > last.t ? 0 : (this.q.nextSeq.get(id, run.t) as { seq: number }).seq;
    // updated in place: a new record per run lived until the check's next run, so every one was promoted (issue 20)
    if (last) {
      last.t = run.t;
      last.seq = seq;
    } else this.lastRun.set(id, { t: run.t, seq });
    const [spec, vals] = this.metrics.encodeFor(id, run.metrics);
    this.q.run.run(id, run.t, seq, run.fail ? 1 : 0, run.durationMs, run.level, run.softFail, spec, vals);
  }

  /**
   * Stores many past runs of one check in one transaction (imports, and the
   * history benchmark that fills 30 days). Runs must be in time order.
   */
  appendRuns(name: string, runs: readonly RunRecord[]): void {
    const id = this.checkId(name);
    try {
      this.db.transaction(() => {
        for (const r of runs) this.writeRun(id, r);
      })();
    } catch (e) {
      this.rolledBack();
      throw e;
    }
  }

  history(name: string, from: number, to: number, limit = 10_000): HistoryRow[] {
    const rows = this.q.history.all(this.checkId(name), from, to, limit) as {
      t: number;
      fail: number;
      duration_ms: number | null;
      level: string | null;
      soft_fail: string | null;
      spec: number | null;
      vals: string | null;
    }[];
    return rows.map((r) => ({
      t: r.t,
      fail: r.fail === 1,
      durationMs: r.duration_ms,
      level: r.level,
      softFail: r.soft_fail,
      metrics: this.metrics.decode(r.spec, r.vals),
    }));
  }

  /**
   * The newest `limit` runs in [from, to], oldest first, for a chart: each
   * with the value of one metric — the first metric of the oldest run that
   * has any (the series the check page has always drawn) — without decoding the others (a 7-day sparkline reads 10,080
   * runs; docs/performance.md).
   */
  series(name: string, from: number, to: number, limit = 20_000): { metric: { name: string; unit: string | undefined } | null; rows: SeriesRow[] } {
    type Raw = [number, number, number | null, string | null, number | null, string | null];
    const raw = this.q.series.all(this.checkId(name), from, to, limit) as Raw[];
    let metric: { name: string; unit: string | undefined } | null = null;
    for (let i = raw.length - 1; i >= 0 && !metric; i--) metric = this.metrics.first(raw[i][4]);
    const rows: SeriesRow[] = new Array<SeriesRow>(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const [t, fail, durationMs, level, spec, vals] = raw[raw.length - 1 - i];
      rows[i] = { t, fail: fail === 1, durationMs, level, value: metric ? this.metrics.value(spec, vals, metric.name) : null };
    }
    return { metric, rows };
  }

  /** How many runs, and how many of them failed, in [from, to] (uptime figures and badges). */
  runCounts(name: string, from: number, to: number): { runs: number; fails: number } {
    const r = this.q.counts.get(this.checkId(name), from, to) as { runs: number; fails: number };
    return { runs: r.runs, fails: r.fails };
  }

  /**
   * Runs, failures and the time covered by any run in [from, to), read from
   * the tier that holds each part of the range (src/store/rollup.ts).
   */
  coverage(name: string, from: number, to: number): Coverage {
    return this.rollups.coverage(this.checkId(name), from, to);
  }

  /**
   * The newest `limit` runs, oldest first (a heartbeat bar). When the raw
   * runs kept are fewer, the hours before them come from the hourly tier,
   * one entry an hour.
   */
  recentRuns(name: string, limit: number): Beat[] {
    const id = this.checkId(name);
    const raw = this.q.recent.all(id, limit) as [number, number, number | null][];
    const out: Beat[] = raw.map(([t, fail, d]) => ({ t, fail: fail === 1, durationMs: d, n: 1, fails: fail }));
    if (out.length < limit) {
      const before = out.length ? out[out.length - 1].t : Number.MAX_SAFE_INTEGER;
      const w = this.rollups.rolledUntil();
      if (w !== null) {
        for (const b of this.rollups.hourly(id, Math.min(before, w), limit - out.length) as Bucket[]) {
          out.push({ t: b.t, fail: b.fails > 0, durationMs: null, n: b.n, fails: b.fails });
        }
      }
    }
    return out.reverse();
  }

  /** One step of rolling raw runs up into the tiers; true while more is waiting. */
  rollupStep(now: number): boolean {
    return this.rollups.step(now, this.metrics);
  }

  /** Where roll-up has got to (hours before it are in the tiers), null before it started. */
  rolledUntil(): number | null {
    return this.rollups.rolledUntil();
  }

  transitions(name: string, limit = 100): TransitionRow[] {
    const rows = this.q.transitions.all(this.checkId(name), limit) as { t: number; to_state: string; from_state: string; notify: number; log: string }[];
    return rows.map((r) => ({ t: r.t, to: r.to_state, from: r.from_state, notify: r.notify === 1, log: JSON.parse(r.log) as string[] }));
  }

  rename(oldName: string, newName: string): void {
    this.db.transaction(() => {
      this.q.deleteState.run(newName);
      this.q.renameState.run(newName, oldName);
      if ((this.q.getId.get(newName) as { id: number } | undefined) === undefined) this.q.renameId.run(newName, oldName);
    })();
    this.ids.delete(oldName);
    this.ids.delete(newName);
  }

  remove(name: string): void {
    this.q.deleteState.run(name);
  }

  /**
   * Deletes history older than the cut-offs (one number: all tiers) in small steps: at most PRUNE_BATCH
   * rows and PRUNE_CHECKS checks a call, so a call is short even with
   * 10,000 checks and nothing to delete. Runs are deleted along
   * the primary key, check by check from where the last call stopped;
   * `more` is false once a pass over every check is complete.
   */
  pruneBatch(cuts: number | PruneCuts): { removed: number; more: boolean } {
    const c: PruneCuts = typeof cuts === 'number' ? { raw: cuts, fiveMinute: cuts, hourly: cuts } : cuts;
    // raw runs not yet rolled up are kept (the watermark; before roll-up started: the hourly cut-off)
    const before = Math.min(c.raw, this.rollups.rolledUntil() ?? c.hourly);
    let removed = this.pruneCursor === 0 ? this.q.pruneTransitions.run(c.hourly).changes : 0;
    if (removed >= PRUNE_BATCH) return { removed, more: true };
    const ids = this.q.pruneIds.all(this.pruneCursor, PRUNE_CHECKS) as { id: number }[];
    for (const { id } of ids) {
      // the tiers hold at most 288 + 24 rows a check a day: deleted whole
      const tiers = this.q.prune5m.run(id, c.fiveMinute).changes + this.q.prune1h.run(id, c.hourly).changes;
      if (tiers) this.rollups.forget();
      removed += tiers;
      const n = this.q.pruneRuns.run(id, before, id, before, Math.max(1, PRUNE_BATCH - removed)).changes;
      removed += n;
      if (removed >= PRUNE_BATCH) {
        // this check may have rows left: it is visited again next call
        this.pruneCursor = id;
        return { removed, more: true };
      }
      this.pruneCursor = id + 1;
    }
    if (ids.length < PRUNE_CHECKS) {
      this.pruneCursor = 0;
      return { removed, more: removed > 0 };
    }
    return { removed, more: true };
  }
}
