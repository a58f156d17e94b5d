/**
 * History tiers (src/store/rollup.ts, core migration 3): closed hours are
 * rolled into 5-minute and hourly buckets with count, failures and
 * min/avg/max/p95 of run time and of each metric; uptime reads the tier that
 * holds each part of a range; time without runs is not covered ("gaps are
 * not uptime"); raw runs go after their retention only once rolled up;
 * existing history (a database from before the tiers) is rolled up from its
 * oldest hour on.
 */
import { describe, it, expect, afterEach } from 'vitest';
import type { Database as Db } from 'better-sqlite3';
import { join } from 'node:path';
import { openDatabase, migrate, CORE_MIGRATIONS } from '../../src/store/db.ts';
import { StateStore, type RunRecord } from '../../src/store/state.ts';
import { FIVE_MIN, HOUR, aggregate, percentile } from '../../src/store/rollup.ts';
import { tempDir } from '../servers/common.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function fresh(): { db: Db; store: StateStore; path: string } {
  const t = tempDir('sw-roll-');
  const path = join(t.dir, 'h.db');
  const db = openDatabase(path);
  cleanups.push(() => {
    if (db.open) db.close();
    t.cleanup();
  });
  return { db, store: new StateStore(db), path };
}

const T0 = Date.UTC(2026, 0, 1, 0); // an hour boundary
const MIN = 60_000;

const run = (t: number, fail: boolean, ms: number, temp?: number): RunRecord => ({
  t,
  fail,
  durationMs: ms,
  level: null,
  softFail: null,
  metrics: temp === undefined ? [] : [{ name: 'temp', value: temp, unit: 'C', warn: 60, crit: 70 }],
});

/** Rolls up until the store says there is nothing more to do at `now`. */
function rollAll(store: StateStore, now: number): void {
  for (let i = 0; i < 100_000 && store.rollupStep(now); i++);
}

describe('history tiers', () => {
  it('percentile is nearest-rank; aggregate gives min/avg/max/p95', () => {
    const v = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(v, 0.95)).toBe(19);
    expect(percentile([5], 0.95)).toBe(5);
    expect(aggregate([3, 1, 2])).toEqual({ min: 1, avg: 2, max: 3, p95: 3 });
    expect(aggregate([])).toBeNull();
  });

  it('rolls a closed hour into twelve 5-minute buckets and one hourly bucket, with run time and metric statistics', () => {
    const { db, store } = fresh();
    // one run a minute for an hour; every 10th fails; run time = minute index + 1 ms; temp = 40 + i/10
    const runs = Array.from({ length: 60 }, (_, i) => run(T0 + i * MIN, i % 10 === 0, i + 1, 40 + i / 10));
    store.appendRuns('web', runs);
    // the hour is not closed yet (plus two minutes' grace): nothing rolled
    rollAll(store, T0 + HOUR + MIN);
    expect(db.prepare('SELECT count(*) AS n FROM runs_1h').get()).toEqual({ n: 0 });
    rollAll(store, T0 + HOUR + 3 * MIN);
    expect(store.rolledUntil()).toBe(T0 + HOUR);
    const hour = db.prepare('SELECT * FROM runs_1h').all() as Record<string, number | string>[];
    expect(hour).toHaveLength(1);
    // durations 1..60 ms, in tenths of a ms: min 1, avg 30.5, max 60, p95 = 57
    expect(hour[0]).toMatchObject({ t: T0, n: 60, fails: 6, dmin: 10, davg: 305, dmax: 600, dp95: 570 });
    // temp 40.0..45.9: min:avg:max:p95
    expect(String(hour[0].stats).split(':').map(Number)).toEqual([40, 42.95, 45.9, 45.6]);
    const fives = db.prepare('SELECT t, n, fails, dmin, dmax FROM runs_5m ORDER BY t').all() as {
      t: number;
      n: number;
      fails: number;
      dmin: number;
      dmax: number;
    }[];
    expect(fives).toHaveLength(12);
    expect(fives[0]).toEqual({ t: T0, n: 5, fails: 1, dmin: 10, dmax: 50 });
    expect(fives[11]).toEqual({ t: T0 + 11 * FIVE_MIN, n: 5, fails: 0, dmin: 560, dmax: 600 });
    expect(fives.reduce((a, f) => a + f.n, 0)).toBe(60);
  });

  it('uptime reads each part of a range from the tier that holds it and counts no time without runs', () => {
    const { store } = fresh();
    // three hours of 1-minute runs, then siteward is down for 5 hours, then one more hour
    const hours = [0, 1, 2, 8];
    for (const h of hours) {
      store.appendRuns(
        'web',
        Array.from({ length: 60 }, (_, i) => run(T0 + h * HOUR + i * MIN, h === 1 && i < 6, 5)),
      );
    }
    const now = T0 + 9 * HOUR + 5 * MIN;
    rollAll(store, now);
    expect(store.rolledUntil()).toBe(T0 + 9 * HOUR);
    // the same totals as the raw runs
    const all = store.coverage('web', T0, now);
    expect(all.runs).toBe(240);
    expect(all.fails).toBe(6);
    expect(store.runCounts('web', T0, now)).toEqual({ runs: all.runs, fails: all.fails });
    // 4 hours of the 9 h 5 min had runs: the 5 hours down are not counted as uptime
    expect(all.coveredMs).toBe(4 * HOUR);
    // the raw runs are pruned away: the figures stay (read from the tiers)
    store.pruneBatch({ raw: now, fiveMinute: 0, hourly: 0 });
    expect(store.runCounts('web', T0, now).runs).toBe(0);
    expect(store.coverage('web', T0, now)).toEqual(all);
    // a range starting inside an hour: the 5-minute tier covers up to the next full hour
    const part = store.coverage('web', T0 + 30 * MIN, now);
    expect(part.runs).toBe(30 + 180);
    expect(part.fails).toBe(6);
    // a range inside the gap has no data at all
    expect(store.coverage('web', T0 + 4 * HOUR, T0 + 7 * HOUR)).toEqual({ runs: 0, fails: 0, coveredMs: 0 });
  });

  it('keeps raw runs that are not rolled up yet, and prunes each tier by its own retention', () => {
    const { db, store } = fresh();
    store.appendRuns(
      'web',
      Array.from({ length: 6 * 60 }, (_, i) => run(T0 + i * MIN, false, 2)),
    );
    const now = T0 + 6 * HOUR;
    // nothing rolled up yet: a raw cut-off at "now" removes nothing
    store.pruneBatch({ raw: now, fiveMinute: 0, hourly: 0 });
    expect(store.runCounts('web', T0, now).runs).toBe(360);
    rollAll(store, now);
    // hours 0..4 are rolled (hour 5 is still open at 06:00 within the grace): their raw runs go, hour 5 stays
    expect(store.rolledUntil()).toBe(T0 + 5 * HOUR);
    while (store.pruneBatch({ raw: now, fiveMinute: T0 + 2 * HOUR, hourly: T0 + HOUR }).more);
    expect(store.runCounts('web', T0, now).runs).toBe(60);
    const n = (t: string): number => (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
    expect(n('runs_5m')).toBe(3 * 12); // hours 2, 3, 4
    expect(n('runs_1h')).toBe(4); // hours 1..4
    expect(store.coverage('web', T0, now).runs).toBe(4 * 60 + 60);
  });

  it('a heartbeat bar falls back to hourly buckets once the raw runs are gone', () => {
    const { store } = fresh();
    store.appendRuns(
      'web',
      Array.from({ length: 3 * 60 }, (_, i) => run(T0 + i * MIN, i >= 60 && i < 70, 2)),
    );
    const now = T0 + 3 * HOUR + 5 * MIN;
    rollAll(store, now);
    expect(store.recentRuns('web', 5).map((b) => b.n)).toEqual([1, 1, 1, 1, 1]);
    store.pruneBatch({ raw: now, fiveMinute: 0, hourly: 0 });
    const beats = store.recentRuns('web', 5);
    expect(beats.map((b) => [b.t, b.n, b.fails])).toEqual([
      [T0, 60, 0],
      [T0 + HOUR, 60, 10],
      [T0 + 2 * HOUR, 60, 0],
    ]);
  });

  it('a database from before the tiers gets them, and its history is rolled up from the oldest hour on', () => {
    const t = tempDir('sw-roll-mig-');
    cleanups.push(t.cleanup);
    const path = join(t.dir, 'old.db');
    // a database with core migrations 1 and 2 only (the release before the tiers), holding two days of runs
    const old = openDatabase(path, [{ module: 'core', steps: CORE_MIGRATIONS.steps.slice(0, 2) }]);
    old.prepare("INSERT INTO check_ids (id, name) VALUES (1, 'web')").run();
    const put = old.prepare('INSERT INTO runs (check_id, t, seq, fail, duration_ms) VALUES (1, ?, 0, ?, 4)');
    old.transaction(() => {
      for (let i = 0; i < 48 * 12; i++) put.run(T0 + i * FIVE_MIN, i % 12 === 0 ? 1 : 0);
    })();
    old.close();
    const db = openDatabase(path);
    cleanups.push(() => db.close());
    expect((db.prepare("SELECT count(*) AS n FROM schema_migrations WHERE id = 'core/3'").get() as { n: number }).n).toBe(1);
    const store = new StateStore(db);
    const now = T0 + 48 * HOUR + 10 * MIN;
    rollAll(store, now);
    expect(store.rolledUntil()).toBe(T0 + 48 * HOUR);
    expect(db.prepare('SELECT count(*) AS n, sum(n) AS runs, sum(fails) AS fails FROM runs_1h').get()).toEqual({ n: 48, runs: 576, fails: 48 });
    store.pruneBatch({ raw: now, fiveMinute: 0, hourly: 0 });
    expect(store.coverage('web', T0, now)).toEqual({ runs: 576, fails: 48, coveredMs: 48 * HOUR });
    migrate(db, [CORE_MIGRATIONS]); // idempotent
  });
});
