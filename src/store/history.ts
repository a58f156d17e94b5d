/**
 * The compact run-history layout (core migration 2, docs/performance.md
 * "History store"). A row of `runs` is one run: the primary key
 * (check_id, t) orders the table itself (WITHOUT ROWID: no rowid, no second
 * copy of the key in an index), and the metrics are split into what stays
 * the same from run to run — names, units, limits: a row of `metric_specs`,
 * shared — and the values, a short comma-separated text. 30 days of
 * 1-minute runs for 1,000 checks (43 M rows) shrank from 225 to about
 * 40 bytes a row, and a 7-day range of one check is one contiguous read.
 */
import type { Database as Db, Statement } from 'better-sqlite3';
import type { Metric } from '../checks/types.ts';

/** A run's metric as stored: the Metric a check reports (perfdata). */
export type StoredMetric = Metric;

/** Metrics without their values: what metric_specs holds (JSON, one list per spec). */
type Spec = Omit<StoredMetric, 'value'>[];

export const HISTORY_SCHEMA = `
  CREATE TABLE metric_specs (
    id INTEGER PRIMARY KEY,
    spec TEXT NOT NULL UNIQUE
  );
  CREATE TABLE runs (
    check_id INTEGER NOT NULL,
    t INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    fail INTEGER NOT NULL,
    duration_ms REAL,
    level TEXT,
    soft_fail TEXT,
    spec INTEGER,
    vals TEXT,
    PRIMARY KEY (check_id, t, seq)
  ) WITHOUT ROWID;`;

/** Encodes metrics to (spec id, values) and back; spec ids are cached both ways. */
export class MetricCodec {
  private readonly ids = new Map<string, number>();
  private readonly specs = new Map<number, Spec>();
  /** per check: its last run's metrics and their spec id (encodeFor) */
  private readonly lastOf = new Map<number, LastSpec>();
  private readonly q: { get: Statement; add: Statement; byId: Statement };

  constructor(db: Db) {
    this.q = {
      get: db.prepare('SELECT id FROM metric_specs WHERE spec = ?'),
      add: db.prepare('INSERT INTO metric_specs (spec) VALUES (?)'),
      byId: db.prepare('SELECT spec FROM metric_specs WHERE id = ?'),
    };
  }

  /**
   * The same as encode() for a check's run (`key`: its check id), without
   * making the spec's JSON text when the spec equals the check's last one —
   * the usual case: only the values change between runs. The text was ~2 KB
   * of garbage a run (issue 20, phase 7). Keeps the metrics list it was given
   * (the committed state holds the same list), and its spec id.
   */
  encodeFor(key: number, metrics: readonly StoredMetric[]): [number | null, string | null] {
    if (metrics.length === 0) return [null, null];
    const last = this.lastOf.get(key);
    if (last && sameSpec(last, metrics)) {
      last.metrics = metrics;
      return [last.id, values(metrics)];
    }
    const out = this.encode(metrics);
    this.lastOf.set(key, { metrics, keys: metrics.map((m) => Object.keys(m)), id: out[0]! });
    return out;
  }

  /** [spec id, values] for a run's metrics; [null, null] when it has none. Call inside the run's transaction. */
  encode(metrics: readonly StoredMetric[]): [number | null, string | null] {
    if (metrics.length === 0) return [null, null];
    const spec = JSON.stringify(metrics.map(({ value: _value, ...rest }) => rest));
    let id = this.ids.get(spec);
    if (id === undefined) {
      const row = this.q.get.get(spec) as { id: number } | undefined;
      id = row ? row.id : Number(this.q.add.run(spec).lastInsertRowid);
      this.ids.set(spec, id);
    }
    return [id, values(metrics)];
  }

  decode(specId: number | null, vals: string | null): StoredMetric[] {
    if (specId === null || vals === null) return [];
    const values = vals.split(',');
    return this.spec(specId).map(({ name, ...rest }, i) => ({ name, value: Number(values[i]), ...rest }));
  }

  /** The first metric of a spec (what a chart of the check plots), or null. */
  first(specId: number | null): { name: string; unit: string | undefined } | null {
    const m = specId === null ? undefined : this.spec(specId)[0];
    return m ? { name: m.name, unit: typeof m.unit === 'string' ? m.unit : undefined } : null;
  }

  /** The metric names of a spec, in stored order. */
  names(specId: number | null): string[] {
    return specId === null ? [] : this.spec(specId).map((m) => m.name);
  }

  /** One metric's value from a stored run without decoding the others; null when the run lacks it. */
  value(specId: number | null, vals: string | null, name: string): number | null {
    if (specId === null || vals === null) return null;
    const i = this.spec(specId).findIndex((m) => m.name === name);
    if (i < 0) return null;
    if (i === 0) {
      const end = vals.indexOf(',');
      return Number(end < 0 ? vals : vals.slice(0, end));
    }
    const v = vals.split(',')[i];
    return v === undefined ? null : Number(v);
  }

  private spec(id: number): Spec {
    let spec = this.specs.get(id);
    if (!spec) {
      const row = this.q.byId.get(id) as { spec: string } | undefined;
      spec = row ? (JSON.parse(row.spec) as Spec) : [];
      this.specs.set(id, spec);
    }
    return spec;
  }

  /** Forgets cached ids (after a rollback the rows they name may not exist). */
  reset(): void {
    this.ids.clear();
    this.specs.clear();
    this.lastOf.clear();
  }
}

/** String(n) is the shortest text that reads back as the same double. */
function values(metrics: readonly StoredMetric[]): string {
  return metrics.map((m) => String(m.value)).join(',');
}

/** A check's last run's metrics, each one's keys in order, and their spec id. */
interface LastSpec {
  metrics: readonly StoredMetric[];
  keys: string[][];
  id: number;
}

/**
 * True when `b` has the spec of the check's last run: every metric the same
 * keys in the same order with the same primitive values, `value` aside — then
 * encode()'s JSON text would be the same. Anything else (another order, an
 * object, NaN) counts as different and is encoded in full. Walks the keys
 * with for…in: no arrays made per run.
 */
function sameSpec(last: LastSpec, b: readonly StoredMetric[]): boolean {
  if (last.keys.length !== b.length) return false;
  for (let i = 0; i < b.length; i++) {
    const keys = last.keys[i];
    const x = last.metrics[i] as unknown as Record<string, unknown>;
    const y = b[i] as unknown as Record<string, unknown>;
    let j = 0;
    for (const k in y) {
      if (k !== keys[j++]) return false;
      if (k === 'value') continue;
      const v = y[k];
      if (v !== x[k] || (v !== null && typeof v === 'object')) return false;
    }
    if (j !== keys.length) return false;
  }
  return true;
}

/**
 * core migration 2: the v1 `runs` table (rowid, two indexes, metrics as JSON
 * text) is copied into the compact layout in key order and dropped. Runs in
 * one transaction with the
 * migration's bookkeeping, so a crash leaves the old table in place.
 * Runs of one check in the same millisecond are numbered by `seq`.
 */
export function migrateRunsV1(db: Db): void {
  db.exec('ALTER TABLE runs RENAME TO runs_v1');
  db.exec(HISTORY_SCHEMA);
  const codec = new MetricCodec(db);
  const put = db.prepare('INSERT INTO runs (check_id, t, seq, fail, duration_ms, level, soft_fail, spec, vals) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  // in key-ordered pages: better-sqlite3 cannot write while a read is open
  const page = db.prepare(`SELECT rowid AS rid, check_id, t, fail, duration_ms, level, soft_fail, metrics FROM runs_v1
    WHERE (check_id, t, rowid) > (?, ?, ?) ORDER BY check_id, t, rowid LIMIT 10000`);
  type V1 = {
    rid: number;
    check_id: number;
    t: number;
    fail: number;
    duration_ms: number | null;
    level: string | null;
    soft_fail: string | null;
    metrics: string | null;
  };
  let after: [number, number, number] = [-Infinity, -Infinity, -Infinity];
  let lastId = -1;
  let lastT = -Infinity;
  let seq = 0;
  for (;;) {
    const rows = page.all(...after) as V1[];
    if (rows.length === 0) break;
    for (const r of rows) {
      seq = r.check_id === lastId && r.t === lastT ? seq + 1 : 0;
      lastId = r.check_id;
      lastT = r.t;
      let metrics: StoredMetric[] = [];
      try {
        const m: unknown = r.metrics ? JSON.parse(r.metrics) : [];
        if (Array.isArray(m)) metrics = m.filter((x: StoredMetric) => x && typeof x.name === 'string' && Number.isFinite(x.value)) as StoredMetric[];
      } catch {
        // an unreadable metrics text keeps the run without its metrics
      }
      const [spec, vals] = codec.encode(metrics);
      put.run(r.check_id, r.t, seq, r.fail, r.duration_ms, r.level, r.soft_fail, spec, vals);
    }
    const last = rows[rows.length - 1];
    after = [last.check_id, last.t, last.rid];
  }
  db.exec('DROP TABLE runs_v1');
}
