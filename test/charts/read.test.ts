/**
 * What a chart reads (src/charts/read.ts) from a real SQLite history: a
 * 24-hour chart when fewer raw hours are kept (history.rawHours < 24) reads
 * the part the raw runs no longer cover from the 5-minute tier, so the older
 * part of the day is charted instead of empty.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/db.ts';
import { StateStore, type RunRecord } from '../../src/store/state.ts';
import { MetricCodec } from '../../src/store/history.ts';
import { FIVE_MIN, HOUR } from '../../src/store/rollup.ts';
import { TierReader } from '../../src/store/tier-reader.ts';
import { readChart } from '../../src/charts/read.ts';
import { tempDir } from '../servers/common.ts';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

const T0 = Date.UTC(2026, 0, 1, 0);
const MIN = 60_000;

function history(): { store: StateStore; tiers: TierReader } {
  const t = tempDir('sw-chart-read-');
  const db = openDatabase(join(t.dir, 'h.db'));
  cleanups.push(() => {
    db.close();
    t.cleanup();
  });
  const store = new StateStore(db);
  return { store, tiers: new TierReader(db, new MetricCodec(db)) };
}

describe('24-hour chart with fewer raw hours than 24', () => {
  it('reads the 5-minute tier for the part the raw runs no longer cover', () => {
    const { store, tiers } = history();
    // 26 hours of one run a minute; the run 20 hours before the end fails; temp = 40 at first, 60 in the last 6 hours
    const now = T0 + 26 * HOUR;
    const runs: RunRecord[] = Array.from({ length: 26 * 60 }, (_, i) => {
      const t = T0 + i * MIN;
      return {
        t,
        fail: t === now - 20 * HOUR,
        durationMs: 7,
        level: null,
        softFail: null,
        metrics: [{ name: 'temp', value: t >= now - 6 * HOUR ? 60 : 40, unit: 'C' }],
      };
    });
    store.appendRuns('box', runs);
    for (let i = 0; i < 100_000 && store.rollupStep(now + 3 * MIN); i++);
    expect(store.rolledUntil()).toBe(now);
    // history.rawHours = 6: every run older than 6 hours is gone
    while (store.pruneBatch({ raw: now - 6 * HOUR, fiveMinute: 0, hourly: 0 }).more);
    expect(store.runCounts('box', now - 24 * HOUR, now).runs).toBe(6 * 60);

    const d = readChart(store, tiers, 'box', '24h', now);
    // every run of the day is counted: 18 hours from the 5-minute buckets, 6 from the raw runs
    expect(d.runs).toBe(24 * 60);
    expect(d.fails).toBe(1);
    // the strip has no "no data" part: the older 18 hours are charted
    expect(d.strip.filter((s) => s.cls === 'none')).toEqual([]);
    expect(d.strip.some((s) => s.cls === 'fail')).toBe(true);
    const temp = d.series.find((s) => s.name === 'temp')!;
    expect(temp.stats).toMatchObject({ count: 24 * 60, min: 40, max: 60 });
    // the buckets span the whole width, the older part at 40 °C
    expect(temp.buckets[0]).toMatchObject({ i: 0, avg: 40 });
    expect(temp.buckets[temp.buckets.length - 1].avg).toBe(60);
    expect(d.series.find((s) => s.name === 'response time')!.stats).toMatchObject({ count: 24 * 60, min: 7, max: 7 });
  });

  it('the raw runs alone when they cover the range (no tier read), and the 5-minute tier only up to the watermark', () => {
    const { store, tiers } = history();
    const now = T0 + 3 * HOUR + 30 * MIN;
    store.appendRuns(
      'box',
      Array.from({ length: 210 }, (_, i) => ({ t: T0 + i * MIN, fail: false, durationMs: 3, level: null, softFail: null, metrics: [] })),
    );
    for (let i = 0; i < 100_000 && store.rollupStep(now); i++);
    expect(store.rolledUntil()).toBe(T0 + 3 * HOUR);
    let read = 0;
    const counted = {
      rolledUntil: () => tiers.rolledUntil(),
      fiveMinute: (n: string, a: number, b: number) => (read++, tiers.fiveMinute(n, a, b)),
      hourly: () => [],
    };
    // 1 hour: raw runs cover it
    expect(readChart(store, counted, 'box', '1h', now).runs).toBe(60);
    expect(read).toBe(0);
    // raw runs pruned up to 1 h 55 min: the tier answers [T0, 1 h 55 min), the raw runs the rest
    while (store.pruneBatch({ raw: T0 + HOUR + 55 * MIN, fiveMinute: 0, hourly: 0 }).more);
    const d = readChart(store, counted, 'box', '24h', now);
    expect(read).toBe(1);
    expect(d.runs).toBe(210);
    expect(tiers.fiveMinute('box', T0, T0 + HOUR).map((b) => [b.t - T0, b.ms, b.n])).toEqual(Array.from({ length: 12 }, (_, i) => [i * FIVE_MIN, FIVE_MIN, 5]));
  });
});
