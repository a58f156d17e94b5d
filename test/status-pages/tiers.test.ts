/**
 * A status page's daily bars read the history tiers (issue 22): days whose
 * raw runs were rolled up and pruned keep their counts; a day without any
 * run stays "no data".
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { Agent, webSite, type TestSite } from '../web/helpers.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let t: TestSite;

beforeAll(async () => {
  t = await webSite({
    doc: {
      webui: { name: 'Test Site', hostname: '127.0.0.1', port: 1, cert: null, key: null, users: {} },
      scheduler: { jitter: 0 },
      checks: { ram: { type: 'memory', options: { level: 100 } } },
      statusPages: [{ slug: 'pub', title: 'Services', public: true, groups: [{ name: 'All', checks: [{ check: 'ram', label: 'Memory' }] }] }],
    },
  });
  const now = t.clock.now();
  const day30 = Math.floor(now / DAY) * DAY - 30 * DAY;
  const run = (at: number, fail: boolean) => ({ t: at, fail, durationMs: 3, level: null, softFail: null, metrics: [] });
  // 30 days ago: 8 runs from midnight on, 2 failing; 29 days ago: nothing; 28 days ago: 4 passing runs
  t.site.store.appendRuns('ram', [
    ...Array.from({ length: 8 }, (_, i) => run(day30 + i * 10 * 60_000, i < 2)),
    ...Array.from({ length: 4 }, (_, i) => run(day30 + 2 * DAY + 5 * HOUR + i * 60_000, false)),
  ]);
  for (let i = 0; i < 100_000 && t.site.store.rollupStep(now); i++);
  while (t.site.store.pruneBatch({ raw: now - 2 * HOUR, fiveMinute: now - 3 * DAY, hourly: now - 91 * DAY }).more);
});
afterAll(() => t.close());

describe('status page daily bars from the history tiers', () => {
  it('counts days whose raw runs were rolled up and pruned; a day without runs is no data', async () => {
    const now = t.clock.now();
    expect(t.site.store.history('ram', 0, now - 2 * HOUR, 1000)).toEqual([]);
    const res = await new Agent(t.web, '10.9.0.1').get('/status/pub/summary.json');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { groups: { checks: { uptime90d: number | null; days: { date: string; runs: number; uptime: number | null }[] }[] }[] };
    const days = body.groups[0].checks[0].days;
    const date = (d: number): string => new Date(Math.floor(now / DAY) * DAY - d * DAY).toISOString().slice(0, 10);
    expect(days.find((d) => d.date === date(30))).toEqual({ date: date(30), runs: 8, uptime: 75 });
    expect(days.find((d) => d.date === date(29))).toEqual({ date: date(29), runs: 0, uptime: null });
    expect(days.find((d) => d.date === date(28))).toEqual({ date: date(28), runs: 4, uptime: 100 });
    expect(days.find((d) => d.date === date(31))).toEqual({ date: date(31), runs: 0, uptime: null });
    expect(body.groups[0].checks[0].uptime90d).toBeCloseTo((100 * 10) / 12);
  });
});
