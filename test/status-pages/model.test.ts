/** The status page model: the banner's levels, days without runs as "no data" (never 100 %), finished days read once. */
import { describe, it, expect } from 'vitest';
import { banner, DailyUptime, DAY, checkVM, type StatusCheckVM, type StatusSource } from '../../src/status-pages/model.ts';
import { BarCache } from '../../src/status-pages/bars.ts';
import type { Incident } from '../../src/status-pages/incidents.ts';

const c = (status: StatusCheckVM['status']): StatusCheckVM => ({ label: 'x', status, responseMs: null, uptime: null, days: [], bars: '' });
const group = (...s: StatusCheckVM['status'][]) => [{ name: 'g', checks: s.map(c) }];
const incident = (impact: 'minor' | 'major', resolved: number | null = null): Incident => ({
  id: 1,
  page: 'p',
  title: 't',
  impact,
  opened: 0,
  resolved,
  updates: [],
});

describe('banner', () => {
  it('follows the checks: none down, some down, more than half down; paused and unknown do not count', () => {
    expect(banner(group('up', 'up', 'paused', 'unknown'), []).text).toBe('All systems operational');
    expect(banner(group('up', 'down', 'up'), []).text).toBe('Partial outage');
    expect(banner(group('up', 'down'), []).text).toBe('Partial outage');
    expect(banner(group('down', 'down', 'up', 'paused'), []).text).toBe('Major outage');
  });

  it('is raised by open incidents, not by resolved ones', () => {
    expect(banner(group('up'), [incident('minor')]).level).toBe('partial');
    expect(banner(group('up', 'down', 'up'), [incident('major')]).level).toBe('major');
    expect(banner(group('up'), [incident('major', 5)]).level).toBe('ok');
  });
});

describe('daily uptime', () => {
  it('a day without runs is no data; finished days are counted once, today on every read', () => {
    let now = 100 * DAY + 3_600_000;
    const asked: number[] = [];
    const src: StatusSource = {
      now: () => now,
      check: () => ({ failing: false, paused: false, checked: true }),
      counts: (_n, from) => {
        asked.push(from / DAY);
        return from / DAY === 99 ? { runs: 4, fails: 1 } : from / DAY >= 100 ? { runs: 2, fails: 0 } : { runs: 0, fails: 0 };
      },
      lastDuration: () => 12,
    };
    const daily = new DailyUptime();
    const bars = new BarCache();
    const vm = checkVM(src, daily, bars, 'web', 'Web', true);
    expect(vm.days).toHaveLength(90);
    expect(vm.days[0]).toMatchObject({ runs: 0, percent: null, cls: 'none' });
    expect(vm.days[88]).toMatchObject({ date: new Date(99 * DAY).toISOString().slice(0, 10), percent: 75, cls: 'down' });
    expect(vm.days[89]).toMatchObject({ percent: 100, cls: 'up' });
    expect(vm.uptime).toBeCloseTo((100 * 5) / 6);
    expect(vm.responseMs).toBe(12);
    expect(asked).toHaveLength(90);
    asked.length = 0;
    checkVM(src, daily, bars, 'web', 'Web', true);
    expect(asked).toEqual([100]);
    // the next day: only the day that just finished is new
    now += DAY;
    asked.length = 0;
    const next = checkVM(src, daily, bars, 'web', 'Web', true);
    expect(asked).toEqual([100, 101]);
    expect(next.days[88]).toMatchObject({ percent: 100 });
    expect(next.bars).toContain('class="ub-down"');
  });

  it('reads the finished days before the tier watermark in one call, the rest per day; days missing from it are no data', () => {
    const now = 100 * DAY + 3_600_000;
    const asked: number[] = [];
    const ranges: [number, number][] = [];
    const src: StatusSource = {
      now: () => now,
      check: () => ({ failing: false, paused: false, checked: true }),
      counts: (_n, from, to) => {
        expect(to - from).toBe(DAY);
        asked.push(from / DAY);
        return { runs: 1, fails: 0 };
      },
      // the tier answers up to day 98; it has runs on day 50 only
      daily: (_n, fromDay, toDay) => {
        ranges.push([fromDay, toDay]);
        return { until: 98, days: new Map([[50, { runs: 10, fails: 5 }]]) };
      },
      lastDuration: () => null,
    };
    const vm = checkVM(src, new DailyUptime(), new BarCache(), 'web', 'Web', false);
    expect(ranges).toEqual([[11, 100]]);
    expect(asked).toEqual([98, 99, 100]);
    expect(vm.days[39]).toMatchObject({ runs: 10, percent: 50 });
    expect(vm.days[40]).toMatchObject({ runs: 0, percent: null, cls: 'none' });
    expect(vm.days[87]).toMatchObject({ runs: 1, percent: 100 });
  });
});
