/**
 * A check's charts (issue 22): the range picker changes the range read,
 * min / avg / max / p95 over the range, the state strip and one chart per
 * numeric metric, SVG with classes only.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Agent, PASSWORDS, webSite, type TestSite } from './helpers.ts';
import { chartData, stats } from '../../src/charts/series.ts';

let t: TestSite;
let vera: Agent;
const MIN = 60_000;

beforeAll(async () => {
  t = await webSite();
  const now = t.clock.now();
  // 20 runs in the last hour (durations 1..20 ms, the 5th failing), 10 more 3 days ago (durations 100 ms)
  t.site.store.appendRuns('root', [
    ...Array.from({ length: 10 }, (_, i) => ({ t: now - 3 * 86_400_000 + i * MIN, fail: false, durationMs: 100, level: null, softFail: null, metrics: [{ name: 'used_percent', value: 50, unit: '%' }] })),
    ...Array.from({ length: 20 }, (_, i) => ({ t: now - 50 * MIN + i * MIN, fail: i === 4, durationMs: i + 1, level: null, softFail: null, metrics: [{ name: 'used_percent', value: 40 + i, unit: '%' }] })),
  ]);
  vera = new Agent(t.web, '10.8.0.1');
  await vera.login('vera', PASSWORDS.vera);
});
afterAll(() => t.close());

describe('charts', () => {
  it('stats: min, average, max and the nearest-rank 95th percentile', () => {
    expect(stats([])).toBeNull();
    expect(stats(Array.from({ length: 20 }, (_, i) => 20 - i))).toEqual({ count: 20, min: 1, max: 20, avg: 10.5, p95: 19 });
    const d = chartData([{ t: 50, fail: true, durationMs: 3, level: null, softFail: null, metrics: [] }], '1h', 3_600_000, 10);
    expect(d.strip).toEqual([{ from: 0, to: 1, cls: 'fail' }, { from: 1, to: 10, cls: 'none' }]);
  });

  it('the range picker changes the range read: 1 hour, then 7 days', async () => {
    const hour = await vera.page('/check/root/charts?range=1h');
    expect(hour).toContain('over the last 1 hour: min 1.00 ms, average 10.5 ms, max 20.0 ms, 95th percentile 19.0 ms (20 values)');
    expect(hour).toContain('20 runs, 1 failed');
    expect(hour).toMatch(/<a class="btn primary" href="\/check\/root\/charts\?range=1h" aria-current="page">1 hour<\/a>/);
    expect(hour).toContain('used_percent');
    expect(hour).toContain('class="strip-fail"');
    expect(hour).not.toMatch(/style=/);
    const week = await vera.page('/check/root/charts?range=7d');
    expect(week).toContain('over the last 7 days: min 1.00 ms, average 40.3 ms, max 100 ms, 95th percentile 100 ms (30 values)');
    expect(week).toContain('30 runs, 1 failed');
    // an unknown range is the default (24 hours)
    expect(await vera.page('/check/root/charts?range=forever')).toContain('(20 values)');
    expect((await vera.get('/check/nope/charts')).status).toBe(404);
  });
});
