/**
 * A check's charts (issue 22): the range picker changes the range read,
 * min / avg / max / p95 over the range, the state strip and one chart per
 * numeric metric, SVG with classes only.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Agent, PASSWORDS, webSite, type TestSite } from './helpers.ts';
import { chartData, stats, withLimits } from '../../src/charts/series.ts';

let t: TestSite;
let vera: Agent;
const MIN = 60_000;

beforeAll(async () => {
  t = await webSite();
  const now = t.clock.now();
  // 20 runs in the last hour (durations 1..20 ms, the 5th failing), 10 more 3 days ago (durations 100 ms)
  t.site.store.appendRuns('root', [
    ...Array.from({ length: 10 }, (_, i) => ({
      t: now - 3 * 86_400_000 + i * MIN,
      fail: false,
      durationMs: 100,
      level: null,
      softFail: null,
      metrics: [{ name: 'used_percent', value: 50, unit: '%' }],
    })),
    ...Array.from({ length: 20 }, (_, i) => ({
      t: now - 50 * MIN + i * MIN,
      fail: i === 4,
      durationMs: i + 1,
      level: null,
      softFail: null,
      metrics: [{ name: 'used_percent', value: 40 + i, unit: '%' }],
    })),
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
    expect(d.strip).toEqual([
      { from: 0, to: 1, cls: 'fail' },
      { from: 1, to: 10, cls: 'none' },
    ]);
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

describe('warning and critical bands', () => {
  it("a check with thresholds gets bands at its last run's levels; response time (no thresholds) gets none", async () => {
    const page = await vera.page('/check/root/charts?range=1h');
    // no run yet: no thresholds known
    expect(page).not.toContain('chart-warn');
    const b = await webSite({ checks: { disk: { type: 'disk', options: { volume: '/', level: 99, warnLevel: 97 } } } });
    try {
      await b.site.runNow('disk');
      const a = new Agent(b.web);
      await a.login('vera', PASSWORDS.vera);
      const p = await a.page('/check/disk/charts?range=1h');
      const used = p.slice(p.indexOf('<strong>used_percent</strong>'));
      const svg = used.slice(used.indexOf('<svg'), used.indexOf('</svg>'));
      expect(used).toMatch(/used_percent<\/strong> <span class="muted">over the last 1 hour: [^<]*; warning above 97\.0 %, failing above 99\.0 %/);
      const rects = [...svg.matchAll(/<rect class="(chart-warn|chart-crit)" x="0" y="([\d.]+)" width="300" height="([\d.]+)"><\/rect>/g)].map((m) => [
        m[1],
        Number(m[2]),
        Number(m[3]),
      ]);
      expect(rects.map((r) => r[0])).toEqual(['chart-warn', 'chart-crit']);
      // a 0 → 103.95 scale (99 and 5 % headroom) drawn over 108 px from y = 116 up: warning 97 → 99, critical 99 → the top
      const px = (v: number): number => 116 - (v / 103.95) * 108;
      expect(rects[0][1]).toBeCloseTo(px(99), 0);
      expect(rects[0][2]).toBeCloseTo(px(97) - px(99), 0);
      expect(rects[1][1]).toBeCloseTo(px(103.95), 0);
      expect(rects[1][2]).toBeCloseTo(px(99) - px(103.95), 0);
      const rt = p.slice(p.indexOf('<strong>response time</strong>'));
      expect(rt.slice(0, rt.indexOf('</svg>'))).not.toMatch(/chart-(warn|crit)/);
      expect(p).not.toMatch(/style=/);
    } finally {
      await b.close();
    }
  });

  it("a lower limit (a UPS's minimum charge) is a critical band at the bottom", () => {
    const d = withLimits(
      chartData(
        [{ t: 10, fail: false, durationMs: null, level: null, softFail: null, metrics: [{ name: 'battery_charge', value: 80, unit: '%' }] }],
        '1h',
        3_600_000,
        10,
      ),
      [{ name: 'battery_charge', critLow: 50 }, { name: 'other' }],
    );
    expect(d.series[0].limits).toEqual({ critLow: 50 });
  });
});

describe('charts of ranges beyond the raw window (history tiers)', () => {
  const HOUR = 3_600_000;
  const DAY = 24 * HOUR;
  let u: TestSite;
  let viewer: Agent;
  beforeAll(async () => {
    u = await webSite();
    const now = u.clock.now();
    const h40 = Math.floor((now - 40 * DAY) / HOUR) * HOUR;
    const h20 = Math.floor((now - 20 * DAY) / HOUR) * HOUR;
    const run = (t: number, fail: boolean, durationMs: number, used: number) => ({
      t,
      fail,
      durationMs,
      level: null,
      softFail: null,
      metrics: [{ name: 'used_percent', value: used, unit: '%' }],
    });
    // 40 days ago: an hour of passing 5 ms runs; 20 days ago: an hour of 50 ms runs, 6 failing; the last hour: 10 runs of 1 ms
    u.site.store.appendRuns('ram', [
      ...Array.from({ length: 60 }, (_, i) => run(h40 + i * MIN, false, 5, 30)),
      ...Array.from({ length: 60 }, (_, i) => run(h20 + i * MIN, i < 6, 50, 70)),
      ...Array.from({ length: 10 }, (_, i) => run(now - 20 * MIN + i * MIN, false, 1, 50)),
    ]);
    // roll up, then prune the raw runs to a 2-hour window, as a running site does
    for (let i = 0; i < 100_000 && u.site.store.rollupStep(now); i++);
    while (u.site.store.pruneBatch({ raw: now - 2 * HOUR, fiveMinute: now - 3 * DAY, hourly: now - 91 * DAY }).more);
    viewer = new Agent(u.web, '10.8.0.2');
    await viewer.login('vera', PASSWORDS.vera);
  });
  afterAll(() => u.close());

  it('charts 90 days from the hourly tier after the raw runs are pruned; raw runs only for the recent window', async () => {
    const now = u.clock.now();
    expect(u.site.store.history('ram', 0, now - 2 * HOUR, 1000)).toEqual([]);
    const page = await viewer.page('/check/ram/charts?range=90d');
    expect(page).toContain('130 runs, 6 failed');
    // 60 × 5 ms and 60 × 50 ms from the tier, 10 × 1 ms raw: average 3,310 / 130
    expect(page).toContain('over the last 90 days: min 1.00 ms, average 25.5 ms, max 50.0 ms, 95th percentile 50.0 ms (130 values)');
    expect(page).toContain('used_percent');
    expect(page).toContain('class="strip-fail"');
    expect(page).toContain('class="strip-pass"');
  });

  it('time without any run stays "no data" between the tier buckets', () => {
    const now = u.clock.now();
    const b = (t: number, fails: number) => ({ t, ms: 3_600_000, n: 12, fails, duration: { min: 1, avg: 2, max: 3, p95: 3 }, metrics: [] });
    const d = chartData([], '90d', now, 90, [b(now - 80 * DAY, 0), b(now - 10 * DAY, 1)]);
    expect(d.strip.map((s) => s.cls)).toEqual(['none', 'pass', 'none', 'fail', 'none']);
    expect(d.runs).toBe(24);
    expect(d.fails).toBe(1);
    expect(d.series[0].stats).toEqual({ count: 24, min: 1, avg: 2, max: 3, p95: 3 });
  });
});
