/**
 * What operations keep in SQLite so that a restart changes nothing:
 * acknowledgements, escalation progress, and the decision trace of each
 * transition. A failure episode is identified by the check's lastFail.
 */
import type { Database as Db, Statement } from 'better-sqlite3';
import { migrate, type MigrationSet } from '../store/db.ts';
import type { Decision } from './trace.ts';

export const OPS_MIGRATIONS: MigrationSet = {
  module: 'ops',
  steps: [
    `CREATE TABLE ops_ack (
       check_name TEXT PRIMARY KEY,
       episode INTEGER NOT NULL,
       by TEXT NOT NULL,
       at INTEGER NOT NULL,
       comment TEXT NOT NULL
     );
     CREATE TABLE ops_escalation (
       check_name TEXT PRIMARY KEY,
       episode INTEGER NOT NULL,
       base INTEGER NOT NULL,
       step INTEGER NOT NULL
     );
     CREATE TABLE ops_trace (
       id INTEGER PRIMARY KEY,
       check_name TEXT NOT NULL,
       t INTEGER NOT NULL,
       decision TEXT NOT NULL
     );
     CREATE INDEX ops_trace_check_t ON ops_trace (check_name, t);`,
    // maintenance occurrences seen active whose end is not handled yet: one that ends while siteward is down is handled at the next start
    `CREATE TABLE ops_window (
       name TEXT PRIMARY KEY,
       start INTEGER NOT NULL,
       end INTEGER NOT NULL
     );`,
    // the decision trace as a row of columns instead of a JSON document per transition (issue 20: an MQTT backlog writes
    // one per message); lists are JSON only when not empty. Old rows are moved over with their ids (newest first stays).
    `CREATE TABLE ops_decision (
       id INTEGER PRIMARY KEY,
       check_name TEXT NOT NULL,
       t INTEGER NOT NULL,
       kind TEXT NOT NULL,
       to_state TEXT NOT NULL,
       from_state TEXT NOT NULL,
       result TEXT,
       fail_count INTEGER NOT NULL,
       threshold INTEGER NOT NULL,
       retries INTEGER NOT NULL,
       dependency TEXT,
       maintenance TEXT,
       ack_by TEXT,
       ack_at INTEGER,
       ack_comment TEXT,
       escalation_step INTEGER,
       notified TEXT,
       skipped TEXT,
       summary TEXT NOT NULL
     );
     INSERT INTO ops_decision
       SELECT id, check_name, t,
         json_extract(decision, '$.kind'), json_extract(decision, '$.to'), json_extract(decision, '$.from'),
         json_extract(decision, '$.result'), json_extract(decision, '$.failCount'), json_extract(decision, '$.threshold'),
         json_extract(decision, '$.retries'), json_extract(decision, '$.dependency'), json_extract(decision, '$.maintenance'),
         json_extract(decision, '$.ack.by'), json_extract(decision, '$.ack.at'), json_extract(decision, '$.ack.comment'),
         json_extract(decision, '$.escalationStep'),
         CASE WHEN json_array_length(decision, '$.notified') > 0 THEN json_extract(decision, '$.notified') END,
         CASE WHEN json_array_length(decision, '$.skipped') > 0 THEN json_extract(decision, '$.skipped') END,
         json_extract(decision, '$.summary')
       FROM ops_trace;
     DROP TABLE ops_trace;
     CREATE INDEX ops_decision_check_t ON ops_decision (check_name, t);`,
  ],
};

/** A decision row as stored (OPS_MIGRATIONS step 3). */
interface DecisionRow {
  t: number;
  kind: Decision['kind'];
  to_state: string;
  from_state: string;
  result: string | null;
  fail_count: number;
  threshold: number;
  retries: number;
  dependency: string | null;
  maintenance: string | null;
  ack_by: string | null;
  ack_at: number | null;
  ack_comment: string | null;
  escalation_step: number | null;
  notified: string | null;
  skipped: string | null;
  summary: string;
}

/** A stored row back as the decision it was (the keys in decide()'s order: the API and the check page show it as before). */
function decisionOf(r: DecisionRow): Decision {
  return {
    t: r.t,
    kind: r.kind,
    to: r.to_state,
    from: r.from_state,
    result: r.result,
    failCount: r.fail_count,
    threshold: r.threshold,
    retries: r.retries,
    dependency: r.dependency,
    maintenance: r.maintenance,
    ack: r.ack_by === null ? null : { by: r.ack_by, at: r.ack_at!, comment: r.ack_comment! },
    escalationStep: r.escalation_step,
    notified: r.notified === null ? [] : (JSON.parse(r.notified) as string[]),
    skipped: r.skipped === null ? [] : (JSON.parse(r.skipped) as Decision['skipped']),
    summary: r.summary,
  };
}

export interface Ack {
  episode: number;
  by: string;
  at: number;
  comment: string;
}

/** A maintenance window's occurrence seen active, its end not yet handled. */
export interface OpenWindow {
  name: string;
  start: number;
  end: number;
}

/** Escalation progress of one failure: `step` steps done, counted from `base` (when the FAIL was announced). */
export interface Escalation {
  episode: number;
  base: number;
  step: number;
}

export class OpsStore {
  private readonly q: Record<string, Statement>;
  /**
   * Checks with an ack row / an escalation row. Every transition asks for the
   * check's ack (twice) and a recovery clears its escalation: with these sets
   * a check without either costs no SQLite statement (docs/performance.md
   * "Transitions without round trips"). Kept in step by every write here, and
   * read again from the tables after a rolled-back transaction (reload()).
   */
  private acked = new Set<string>();
  private escalated = new Set<string>();

  constructor(readonly db: Db) {
    migrate(db, [OPS_MIGRATIONS]);
    this.q = {
      ack: db.prepare('SELECT episode, by, at, comment FROM ops_ack WHERE check_name = ?'),
      putAck: db.prepare('INSERT OR REPLACE INTO ops_ack (check_name, episode, by, at, comment) VALUES (?, ?, ?, ?, ?)'),
      delAck: db.prepare('DELETE FROM ops_ack WHERE check_name = ?'),
      esc: db.prepare('SELECT episode, base, step FROM ops_escalation WHERE check_name = ?'),
      putEsc: db.prepare('INSERT OR REPLACE INTO ops_escalation (check_name, episode, base, step) VALUES (?, ?, ?, ?)'),
      delEsc: db.prepare('DELETE FROM ops_escalation WHERE check_name = ?'),
      trace: db.prepare(
        `INSERT INTO ops_decision (check_name, t, kind, to_state, from_state, result, fail_count, threshold, retries, dependency,
           maintenance, ack_by, ack_at, ack_comment, escalation_step, notified, skipped, summary)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      traces: db.prepare(
        `SELECT t, kind, to_state, from_state, result, fail_count, threshold, retries, dependency, maintenance, ack_by, ack_at,
           ack_comment, escalation_step, notified, skipped, summary FROM ops_decision WHERE check_name = ? ORDER BY id DESC LIMIT ?`,
      ),
      prune: db.prepare('DELETE FROM ops_decision WHERE t < ?'),
      renameAck: db.prepare('UPDATE OR REPLACE ops_ack SET check_name = ? WHERE check_name = ?'),
      renameEsc: db.prepare('UPDATE OR REPLACE ops_escalation SET check_name = ? WHERE check_name = ?'),
      renameTrace: db.prepare('UPDATE ops_decision SET check_name = ? WHERE check_name = ?'),
      windows: db.prepare('SELECT name, start, end FROM ops_window ORDER BY end'),
      putWindow: db.prepare('INSERT OR REPLACE INTO ops_window (name, start, end) VALUES (?, ?, ?)'),
      delWindow: db.prepare('DELETE FROM ops_window WHERE name = ?'),
      ackNames: db.prepare('SELECT check_name FROM ops_ack').pluck(),
      escNames: db.prepare('SELECT check_name FROM ops_escalation').pluck(),
    };
    this.reload();
  }

  /** Reads which checks have an ack or an escalation row (at start, and after a transaction holding writes of this store was rolled back). */
  reload(): void {
    this.acked = new Set(this.q.ackNames.all() as string[]);
    this.escalated = new Set(this.q.escNames.all() as string[]);
  }

  /** Runs `fn` in one transaction; when it is rolled back, the ack and escalation sets are read again. */
  atomically(fn: () => void): void {
    try {
      this.db.transaction(fn)();
    } catch (e) {
      this.reload();
      throw e;
    }
  }

  ack(check: string): Ack | null {
    if (!this.acked.has(check)) return null;
    return (this.q.ack.get(check) as Ack | undefined) ?? null;
  }

  putAck(check: string, a: Ack): void {
    this.q.putAck.run(check, a.episode, a.by, a.at, a.comment);
    this.acked.add(check);
  }

  clearAck(check: string): boolean {
    if (!this.acked.has(check)) return false;
    const gone = this.q.delAck.run(check).changes > 0;
    this.acked.delete(check);
    return gone;
  }

  escalation(check: string): Escalation | null {
    if (!this.escalated.has(check)) return null;
    return (this.q.esc.get(check) as Escalation | undefined) ?? null;
  }

  putEscalation(check: string, e: Escalation): void {
    this.q.putEsc.run(check, e.episode, e.base, e.step);
    this.escalated.add(check);
  }

  clearEscalation(check: string): void {
    if (!this.escalated.has(check)) return;
    this.q.delEsc.run(check);
    this.escalated.delete(check);
  }

  addDecision(check: string, d: Decision): void {
    const a = d.ack;
    this.q.trace.run(
      check,
      d.t,
      d.kind,
      d.to,
      d.from,
      d.result,
      d.failCount,
      d.threshold,
      d.retries,
      d.dependency,
      d.maintenance,
      a === null ? null : a.by,
      a === null ? null : a.at,
      a === null ? null : a.comment,
      d.escalationStep,
      d.notified.length ? JSON.stringify(d.notified) : null,
      d.skipped.length ? JSON.stringify(d.skipped) : null,
      d.summary,
    );
  }

  decisions(check: string, limit = 50): Decision[] {
    return (this.q.traces.all(check, limit) as DecisionRow[]).map(decisionOf);
  }

  prune(before: number): void {
    this.q.prune.run(before);
  }

  rename(from: string, to: string): void {
    this.db.transaction(() => {
      this.q.renameAck.run(to, from);
      this.q.renameEsc.run(to, from);
      this.q.renameTrace.run(to, from);
    })();
    // UPDATE OR REPLACE: the new name's rows (if any) gave way to the old name's
    for (const set of [this.acked, this.escalated]) {
      if (!set.delete(from)) continue;
      set.add(to);
    }
  }

  openWindows(): OpenWindow[] {
    return this.q.windows.all() as OpenWindow[];
  }

  putWindow(w: OpenWindow): void {
    this.q.putWindow.run(w.name, w.start, w.end);
  }

  clearWindow(name: string): void {
    this.q.delWindow.run(name);
  }

  remove(check: string): void {
    this.clearAck(check);
    this.clearEscalation(check);
  }
}
