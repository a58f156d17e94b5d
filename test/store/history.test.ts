/**
 * The compact run history (src/store/history.ts, core migration 2): what is
 * stored reads back exactly, two runs in one millisecond both stay, the v1
 * table is converted, pruning removes exactly the old runs, and a rolled-back
 * transaction leaves no stale metric ids behind.
 */
import { describe, it, expect, afterEach } from 'vitest';
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { join } from 'node:path';
import { openDatabase, migrate, CORE_MIGRATIONS } from '../../src/store/db.ts';
import { StateStore, type RunRecord } from '../../src/store/state.ts';
import { initialState } from '../../src/engine/state.ts';
import { tempDir } from '../servers/common.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function fresh(): { db: Db; store: StateStore; path: string } {
  const t = tempDir('sw-hist-');
  const path = join(t.dir, 'h.db');
  const db = openDatabase(path);
  cleanups.push(() => {
    db.close();
    t.cleanup();
  });
  return { db, store: new StateStore(db), path };
}

const disk = (t: number, p: number): RunRecord => ({
  t,
  fail: p > 90,
  durationMs: 3,
  level: ` ${Math.round(p)}%`,
  softFail: null,
  metrics: [
    { name: 'used_percent', value: p, unit: '%', crit: 90, min: 0, max: 100 },
    { name: 'free_bytes', value: 123456789012, unit: 'B' },
  ],
});

describe('run history', () => {
  it('reads back exactly what was stored, newest first, within the window and limit', () => {
    const { store } = fresh();
    const runs: RunRecord[] = [
      disk(1000, 42.198732619873),
      { t: 2000, fail: true, durationMs: null, level: null, softFail: 'certificate', metrics: [] },
      {
        t: 3000,
        fail: false,
        durationMs: 12.5,
        level: '3 days',
        softFail: null,
        metrics: [
          { name: 'response_time', value: 0.004, unit: 's' },
          { name: 'cert_days_left', value: -3, unit: 'd' },
        ],
      },
      disk(4000, 1e-7),
    ];
    for (const r of runs) store.record('web', initialState(), r.t, r);
    const back = store.history('web', 0, 10_000);
    expect(back).toEqual([...runs].reverse());
    // key order as the checks report them: name, value, then the rest
    expect(Object.keys(back[0].metrics[0])).toEqual(['name', 'value', 'unit', 'crit', 'min', 'max']);
    expect(store.history('web', 1500, 3500).map((r) => r.t)).toEqual([3000, 2000]);
    expect(store.history('web', 0, 10_000, 1).map((r) => r.t)).toEqual([4000]);
    expect(store.runCounts('web', 0, 10_000)).toEqual({ runs: 4, fails: 1 });
    expect(store.history('other', 0, 10_000)).toEqual([]);
  });

  it('keeps every run of one check in the same millisecond, at its own time, newest first', () => {
    const { db, store } = fresh();
    store.record('a', initialState(), 5000, disk(5000, 10));
    store.record('a', initialState(), 5000, disk(5000, 20));
    store.record('b', initialState(), 5000, disk(5000, 30));
    store.record('a', initialState(), 5000, disk(5000, 40));
    expect(store.history('a', 0, 5000).map((r) => [r.t, r.metrics[0].value])).toEqual([
      [5000, 40],
      [5000, 20],
      [5000, 10],
    ]);
    expect(store.runCounts('a', 0, 5000).runs).toBe(3);
    expect(store.history('b', 0, 10_000).map((r) => r.t)).toEqual([5000]);
    // a new process (no memory of the last run) finds the next free slot in the database
    const again = new StateStore(db);
    again.record('a', initialState(), 5000, disk(5000, 50));
    expect(again.history('a', 0, 5000).map((r) => r.metrics[0].value)).toEqual([50, 40, 20, 10]);
  });

  it('series: oldest first, the first metric of the oldest run with metrics, found by name in other layouts', () => {
    const { store } = fresh();
    const r = (t: number, metrics: RunRecord['metrics']): RunRecord => ({ t, fail: t === 3, durationMs: t * 10, level: null, softFail: null, metrics });
    store.appendRuns('s', [
      r(1, []),
      r(2, [
        { name: 'rtt', value: 0.5, unit: 's' },
        { name: 'loss', value: 0 },
      ]),
      r(3, [
        { name: 'loss', value: 1 },
        { name: 'rtt', value: 0.25, unit: 's' },
      ]),
      r(4, [{ name: 'loss', value: 2 }]),
    ]);
    expect(store.series('s', 0, 10)).toEqual({
      metric: { name: 'rtt', unit: 's' },
      rows: [
        { t: 1, fail: false, durationMs: 10, level: null, value: null },
        { t: 2, fail: false, durationMs: 20, level: null, value: 0.5 },
        { t: 3, fail: true, durationMs: 30, level: null, value: 0.25 },
        { t: 4, fail: false, durationMs: 40, level: null, value: null },
      ],
    });
    expect(store.series('s', 0, 10, 2).rows.map((x) => x.t)).toEqual([3, 4]);
    expect(store.series('s', 0, 1)).toEqual({ metric: null, rows: [{ t: 1, fail: false, durationMs: 10, level: null, value: null }] });
  });

  it('appendRuns stores many runs at once through the same encoding', () => {
    const { store } = fresh();
    const runs = Array.from({ length: 1000 }, (_, i) => disk(i * 60_000, i % 100));
    store.appendRuns('bulk', runs);
    expect(store.history('bulk', 0, Infinity, 5000)).toEqual([...runs].reverse());
  });

  it('prunes exactly the runs before the cut, across checks and batches, and then says it is done', () => {
    const { store } = fresh();
    store.appendRuns(
      'big',
      Array.from({ length: 12_000 }, (_, i) => disk(i, 1)),
    );
    store.appendRuns(
      'small',
      Array.from({ length: 10 }, (_, i) => disk(i * 1000, 1)),
    );
    store.appendRuns('new', [disk(50_000, 1)]);
    let calls = 0;
    while (store.pruneBatch(8000).more) calls++;
    expect(calls).toBeGreaterThan(1);
    expect(store.runCounts('big', 0, Infinity).runs).toBe(4000);
    expect(store.history('big', 0, Infinity, 1).map((r) => r.t)).toEqual([11_999]);
    expect(store.history('big', 0, 8000, 20_000).every((r) => r.t >= 8000)).toBe(true);
    expect(store.history('small', 0, Infinity).map((r) => r.t)).toEqual([9000, 8000]);
    expect(store.runCounts('new', 0, Infinity).runs).toBe(1);
    expect(store.pruneBatch(8000)).toEqual({ removed: 0, more: false });
  });

  it('a prune call visits a bounded number of checks, also when there is nothing to delete', () => {
    const { store } = fresh();
    for (let i = 0; i < 450; i++) store.appendRuns(`c${i}`, [disk(1000 + i, 1)]);
    const pass = (before: number): { removed: number; more: boolean }[] => {
      const calls = [store.pruneBatch(before)];
      while (calls[calls.length - 1].more) calls.push(store.pruneBatch(before));
      return calls;
    };
    // 450 checks, at most 200 a call
    expect(pass(500)).toEqual([
      { removed: 0, more: true },
      { removed: 0, more: true },
      { removed: 0, more: false },
    ]);
    expect(pass(1300)).toEqual([
      { removed: 200, more: true },
      { removed: 100, more: true },
      { removed: 0, more: false },
    ]);
    expect(store.runCounts('c299', 0, Infinity).runs).toBe(0);
    expect(store.runCounts('c300', 0, Infinity).runs).toBe(1);
  });

  it('a run whose metrics differ from the last run only in values reuses its spec; any other change is stored as it is', () => {
    const { db, store } = fresh();
    const run = (t: number, metrics: RunRecord['metrics']): RunRecord => ({ t, fail: false, durationMs: 1, level: null, softFail: null, metrics });
    const runs = [
      run(1, [{ name: 'used', value: 1, unit: '%', crit: 90 }]),
      run(2, [{ name: 'used', value: 2, unit: '%', crit: 90 }]),
      run(3, [{ name: 'used', value: 3, unit: 'B', crit: 90 }]),
      run(4, [{ name: 'used', value: 4, unit: 'B', crit: 80 }]),
      run(5, [{ name: 'used', value: 5, crit: 80, unit: 'B' }]),
      run(6, [{ name: 'used', value: 6, crit: 80, unit: 'B', max: 100 }]),
      run(7, [
        { name: 'used', value: 7, crit: 80, unit: 'B', max: 100 },
        { name: 'free', value: 8, unit: 'B' },
      ]),
      run(8, []),
      run(9, [{ name: 'used', value: 9, crit: 80, unit: 'B', max: 100 }]),
    ];
    for (const r of runs) store.record('m', initialState(), r.t, r);
    const back = store.history('m', 0, 100).reverse();
    expect(back).toEqual(runs);
    expect(back.map((r) => r.metrics.map((m) => Object.keys(m).join(' ')).join(' | '))).toEqual([
      'name value unit crit',
      'name value unit crit',
      'name value unit crit',
      'name value unit crit',
      'name value crit unit',
      'name value crit unit max',
      'name value crit unit max | name value unit',
      '',
      'name value crit unit max',
    ]);
    // runs 1–2 share a spec, 6 and 9 too: six specs for nine runs
    expect((db.prepare('SELECT count(*) AS n FROM metric_specs').get() as { n: number }).n).toBe(6);
  });

  it('a rolled-back outer transaction leaves no stale metric spec behind', () => {
    const { db, store } = fresh();
    expect(() =>
      db.transaction(() => {
        store.record('x', initialState(), 1, {
          t: 1,
          fail: false,
          durationMs: 1,
          level: null,
          softFail: null,
          metrics: [{ name: 'fresh_metric', value: 1, unit: 'u' }],
        });
        throw new Error('boom');
      })(),
    ).toThrow('boom');
    store.rolledBack();
    store.record('x', initialState(), 2, {
      t: 2,
      fail: false,
      durationMs: 1,
      level: null,
      softFail: null,
      metrics: [{ name: 'fresh_metric', value: 2, unit: 'u' }],
    });
    expect(store.history('x', 0, 10)).toMatchObject([{ t: 2, metrics: [{ name: 'fresh_metric', value: 2, unit: 'u' }] }]);
  });
});

describe('core migration 2: v1 runs → compact history', () => {
  it('converts every v1 run (metrics JSON, none, unreadable, two in one millisecond) and drops the old table', () => {
    const t = tempDir('sw-hist-v1-');
    cleanups.push(t.cleanup);
    const path = join(t.dir, 'v1.db');
    // a database as the first release left it: core step 1 only
    const v1 = new Database(path);
    migrate(v1, [{ module: 'core', steps: [CORE_MIGRATIONS.steps[0]] }]);
    v1.prepare("INSERT INTO check_ids (id, name) VALUES (1, 'web'), (2, 'disk')").run();
    const put = v1.prepare('INSERT INTO runs (check_id, t, fail, duration_ms, level, soft_fail, metrics) VALUES (?, ?, ?, ?, ?, ?, ?)');
    put.run(1, 1000, 0, 4, null, null, JSON.stringify([{ name: 'response_time', value: 0.004, unit: 's', min: 0 }]));
    put.run(1, 1000, 1, 5, null, 'certificate', null);
    put.run(1, 2000, 0, 3.5, '90 days', null, '{not json');
    put.run(
      2,
      1500,
      0,
      1,
      ' 42%',
      null,
      JSON.stringify([
        { name: 'used_percent', value: 42.125, unit: '%', crit: 90 },
        { name: 'bad', value: 'x' },
      ]),
    );
    v1.close();

    const db = openDatabase(path);
    cleanups.push(() => db.close());
    const store = new StateStore(db);
    expect(store.history('web', 0, 10_000)).toEqual([
      { t: 2000, fail: false, durationMs: 3.5, level: '90 days', softFail: null, metrics: [] },
      { t: 1000, fail: true, durationMs: 5, level: null, softFail: 'certificate', metrics: [] },
      { t: 1000, fail: false, durationMs: 4, level: null, softFail: null, metrics: [{ name: 'response_time', value: 0.004, unit: 's', min: 0 }] },
    ]);
    expect(store.history('disk', 0, 10_000)).toEqual([
      { t: 1500, fail: false, durationMs: 1, level: ' 42%', softFail: null, metrics: [{ name: 'used_percent', value: 42.125, unit: '%', crit: 90 }] },
    ]);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'index')").all() as { name: string }[]).map((r) => r.name);
    expect(tables).not.toContain('runs_v1');
    expect(tables).not.toContain('runs_t');
    expect((db.prepare("SELECT id FROM schema_migrations WHERE id = 'core/2'").get() as { id: string } | undefined)?.id).toBe('core/2');
    // new runs continue after the converted ones
    store.record('web', initialState(), 3000, {
      t: 3000,
      fail: false,
      durationMs: 1,
      level: null,
      softFail: null,
      metrics: [{ name: 'response_time', value: 0.001, unit: 's', min: 0 }],
    });
    expect(store.history('web', 0, 10_000).map((r) => r.t)).toEqual([3000, 2000, 1000, 1000]);
  });
});
