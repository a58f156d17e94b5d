/**
 * History pruning in a running site (src/site.ts schedulePrune): it goes in
 * small steps, one per turn of the event loop, and a stop in the middle of a
 * pass ends it without touching the closed database.
 */
import { describe, it, expect } from 'vitest';
import { openTestSite } from '../helpers/site.ts';

describe('history pruning', () => {
  it('removes runs older than history.days in steps, and a stop mid-pass ends it cleanly', async () => {
    const checks: Record<string, unknown> = {};
    for (let i = 0; i < 5000; i++) checks[`c${i}`] = { type: 'remote', subType: 'x' };
    const t = await openTestSite({ checks, history: { days: 1 } });
    const now = t.clock.now();
    for (let i = 0; i < 5000; i++) {
      t.site.store.appendRuns(`c${i}`, [
        { t: now - 3 * 86_400_000, fail: false, durationMs: 1, level: null, softFail: null, metrics: [] },
        { t: now, fail: false, durationMs: 1, level: null, softFail: null, metrics: [] },
      ]);
    }
    await t.site.start();
    // the first prune comes a minute after start; its later steps wait for setImmediate
    await t.clock.advance(60_000);
    const seen = [...Array(5000).keys()].filter((i) => t.site.store.runCounts(`c${i}`, 0, now - 86_400_000).runs === 0).length;
    expect(seen).toBeGreaterThan(0);
    expect(seen).toBeLessThan(5000);
    await t.close();
    // the steps still queued find the database closed and stop
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
  });

  it('a whole pass removes every old run and keeps the recent ones', async () => {
    const t = await openTestSite({ checks: { a: { type: 'remote', subType: 'x' } }, history: { days: 1 } });
    const now = t.clock.now();
    t.site.store.appendRuns(
      'a',
      [0, 1, 2, 3].map((d) => ({ t: now - d * 86_400_000 - 1000, fail: false, durationMs: 1, level: null, softFail: null, metrics: [] })),
    );
    await t.site.start();
    await t.clock.advance(60_000);
    expect(t.site.store.history('a', 0, Infinity).map((r) => r.t)).toEqual([now - 1000]);
    await t.close();
  });
});
