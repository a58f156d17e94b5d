/**
 * Check runtime state and run history in SQLite. One transaction per run:
 * the new state, the history row and any transition are committed together.
 */
import type { Database as Db, Statement } from 'better-sqlite3';
import type { CheckState, StateEvent } from '../engine/state.ts';
import { initialState } from '../engine/state.ts';

export interface RunRecord {
  t: number;
  fail: boolean;
  durationMs: number | null;
  level: string | null;
  softFail: string | null;
  metrics: { name: string; value: number; unit?: string }[];
}

export interface HistoryRow {
  t: number;
  fail: boolean;
  durationMs: number | null;
  level: string | null;
  softFail: string | null;
  metrics: { name: string; value: number; unit?: string }[];
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
  private readonly q: {
    upsert: Statement; getId: Statement; addId: Statement; run: Statement; transition: Statement;
    history: Statement; transitions: Statement; deleteState: Statement; renameState: Statement; renameId: Statement;
    pruneRuns: Statement; pruneTransitions: Statement; counts: Statement;
  };

  constructor(private readonly db: Db) {
    this.q = {
      upsert: db.prepare('INSERT INTO check_state (name, state, updated) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET state = excluded.state, updated = excluded.updated'),
      getId: db.prepare('SELECT id FROM check_ids WHERE name = ?'),
      addId: db.prepare('INSERT INTO check_ids (name) VALUES (?)'),
      run: db.prepare('INSERT INTO runs (check_id, t, fail, duration_ms, level, soft_fail, metrics) VALUES (?, ?, ?, ?, ?, ?, ?)'),
      transition: db.prepare('INSERT INTO transitions (check_id, t, to_state, from_state, notify, log) VALUES (?, ?, ?, ?, ?, ?)'),
      history: db.prepare('SELECT t, fail, duration_ms, level, soft_fail, metrics FROM runs WHERE check_id = ? AND t >= ? AND t <= ? ORDER BY t DESC LIMIT ?'),
      transitions: db.prepare('SELECT t, to_state, from_state, notify, log FROM transitions WHERE check_id = ? ORDER BY t DESC LIMIT ?'),
      deleteState: db.prepare('DELETE FROM check_state WHERE name = ?'),
      renameState: db.prepare('UPDATE check_state SET name = ? WHERE name = ?'),
      renameId: db.prepare('UPDATE check_ids SET name = ? WHERE name = ?'),
      pruneRuns: db.prepare('DELETE FROM runs WHERE rowid IN (SELECT rowid FROM runs WHERE t < ? LIMIT 5000)'),
      pruneTransitions: db.prepare('DELETE FROM transitions WHERE id IN (SELECT id FROM transitions WHERE t < ? LIMIT 5000)'),
      counts: db.prepare('SELECT count(*) AS runs, coalesce(sum(fail), 0) AS fails FROM runs WHERE check_id = ? AND t >= ? AND t <= ?'),
    };
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
    this.db.transaction(() => {
      this.q.upsert.run(name, JSON.stringify(state), now);
      if (run || events.length) {
        const id = this.checkId(name);
        if (run) {
          this.q.run.run(id, run.t, run.fail ? 1 : 0, run.durationMs, run.level, run.softFail, run.metrics.length ? JSON.stringify(run.metrics) : null);
        }
        for (const e of events) {
          this.q.transition.run(id, now, e.to, String(e.from), e.notify ? 1 : 0, JSON.stringify(state.log));
        }
      }
    })();
  };

  history(name: string, from: number, to: number, limit = 10_000): HistoryRow[] {
    const rows = this.q.history.all(this.checkId(name), from, to, limit) as {
      t: number; fail: number; duration_ms: number | null; level: string | null; soft_fail: string | null; metrics: string | null;
    }[];
    return rows.map((r) => ({
      t: r.t, fail: r.fail === 1, durationMs: r.duration_ms, level: r.level, softFail: r.soft_fail,
      metrics: r.metrics ? (JSON.parse(r.metrics) as HistoryRow['metrics']) : [],
    }));
  }

  /** How many runs, and how many of them failed, in [from, to] (uptime figures and badges). */
  runCounts(name: string, from: number, to: number): { runs: number; fails: number } {
    const r = this.q.counts.get(this.checkId(name), from, to) as { runs: number; fails: number };
    return { runs: r.runs, fails: r.fails };
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

  /** Deletes history older than `before` in small batches; returns rows removed this call. */
  pruneBatch(before: number): number {
    return this.q.pruneRuns.run(before).changes + this.q.pruneTransitions.run(before).changes;
  }
}
