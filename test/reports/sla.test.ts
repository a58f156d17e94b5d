/**
 * Uptime/SLA figures (src/reports/sla.ts, service.ts): time-weighted
 * uptime, outages and MTTR, no-data periods excluded and listed, groups,
 * month ranges in the site zone, CSV quoting.
 */
import { describe, it, expect } from 'vitest';
import { combine, summarise, timeline, typicalInterval, type Run } from '../../src/reports/sla.ts';
import { csvField, historyCsv, parseRange, reportCsv, siteReport, type ReportSource } from '../../src/reports/service.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 1);
/** one run a minute from `start` (minutes after T0) for `n` minutes; `fail(i)` says which fail */
const runs = (start: number, n: number, fail: (i: number) => boolean = () => false): Run[] =>
  Array.from({ length: n }, (_, i) => ({ t: T0 + (start + i) * MIN, fail: fail(start + i) }));

describe('timeline and figures', () => {
  it('all passing: 100 %, no outages, no data only before the first run', () => {
    const r = runs(10, 50);
    const s = summarise(timeline(r, T0, T0 + 60 * MIN), T0, T0 + 60 * MIN, r.length);
    expect(s.uptime).toBe(100);
    expect(s.outages).toEqual([]);
    expect(s.noData).toEqual([{ start: T0, end: T0 + 10 * MIN }]);
    expect(s.upMs).toBe(50 * MIN);
  });

  it('two outages: count, lengths, MTTR, longest; uptime by time', () => {
    // minutes 0..99; failing 10..14 (5 min) and 50..64 (15 min)
    const r = runs(0, 100, (m) => (m >= 10 && m < 15) || (m >= 50 && m < 65));
    const s = summarise(timeline(r, T0, T0 + 100 * MIN), T0, T0 + 100 * MIN, r.length);
    expect(s.outages.map((o) => [(o.start - T0) / MIN, (o.end - T0) / MIN, o.ongoing])).toEqual([
      [10, 15, false],
      [50, 65, false],
    ]);
    expect(s.mttrMs).toBe(10 * MIN);
    expect(s.longestMs).toBe(15 * MIN);
    expect(s.uptime).toBeCloseTo(80, 10);
    expect(s.noDataMs).toBe(0);
  });

  it('a silence longer than the gap limit is no data, left out of the uptime; the last result holds one interval', () => {
    // runs 0..29, nothing 30..89 (siteward stopped), runs 90..119 failing
    const r = [...runs(0, 30), ...runs(90, 30, () => true)];
    const s = summarise(timeline(r, T0, T0 + 120 * MIN), T0, T0 + 120 * MIN, r.length);
    expect(s.noData).toEqual([{ start: T0 + 30 * MIN, end: T0 + 90 * MIN }]);
    expect(s.upMs).toBe(30 * MIN);
    expect(s.downMs).toBe(30 * MIN);
    expect(s.uptime).toBe(50);
    expect(s.outages).toEqual([{ start: T0 + 90 * MIN, end: T0 + 120 * MIN, ongoing: true }]);
    expect(s.mttrMs).toBeNull(); // ongoing outages do not count towards MTTR
  });

  it('the run before the range gives the state at its start', () => {
    const r = [{ t: T0 - 30_000, fail: true }, ...runs(0, 10)];
    const s = summarise(timeline(r, T0, T0 + 10 * MIN), T0, T0 + 10 * MIN, 10);
    expect(s.noDataMs).toBe(0);
    expect(s.downMs).toBe(0); // the next run is at T0: the failure ended exactly at the start
    const r2 = [{ t: T0 - 30_000, fail: true }, ...runs(1, 9)];
    expect(summarise(timeline(r2, T0, T0 + 10 * MIN), T0, T0 + 10 * MIN, 9).downMs).toBe(MIN);
  });

  it('no runs at all: no data, uptime null', () => {
    const s = summarise(timeline([], T0, T0 + MIN), T0, T0 + MIN, 0);
    expect(s.uptime).toBeNull();
    expect(s.noDataMs).toBe(MIN);
  });

  it('typical interval is the median gap', () => {
    expect(
      typicalInterval([
        { t: 0, fail: false },
        { t: 10, fail: false },
        { t: 20, fail: false },
        { t: 1000, fail: false },
      ]),
    ).toBe(10);
  });

  it('a group is down while any member is down, no data while none has data', () => {
    const a = timeline(
      runs(0, 60, (m) => m >= 10 && m < 20),
      T0,
      T0 + 60 * MIN,
    );
    const b = timeline(
      runs(30, 30, (m) => m >= 40 && m < 45),
      T0,
      T0 + 60 * MIN,
    );
    const c = timeline([], T0, T0 + 60 * MIN);
    const g = summarise(combine([a, b, c], T0, T0 + 60 * MIN), T0, T0 + 60 * MIN, 0);
    expect(g.outages.map((o) => [(o.start - T0) / MIN, (o.end - T0) / MIN])).toEqual([
      [10, 20],
      [40, 45],
    ]);
    expect(g.noDataMs).toBe(0);
    const none = summarise(combine([c], T0, T0 + 60 * MIN), T0, T0 + 60 * MIN, 0);
    expect(none.uptime).toBeNull();
  });
});

describe('ranges, site reports and CSV', () => {
  it('a month is whole days in the site zone (November 2026 in Berlin: 30 days, 1 h offset)', () => {
    const r = parseRange({ month: '2026-11' }, T0, 'Europe/Berlin');
    expect(r).toEqual({ from: Date.UTC(2026, 9, 31, 23), to: Date.UTC(2026, 10, 30, 23), label: '2026-11' });
    expect(parseRange({ month: '2026-13' }, T0, null)).toHaveProperty('error');
    expect(parseRange({ from: '2026-11-02', to: '2026-11-01' }, T0, 'UTC')).toHaveProperty('error');
    const d = parseRange({ from: '2026-11-01', to: '2026-11-01' }, T0, 'UTC');
    expect(d).toMatchObject({ from: T0, to: T0 + 86_400_000 });
  });

  it('siteReport stops at now (the future is not no data) and reports groups', () => {
    const data: Record<string, Run[]> = { a: runs(0, 60, (m) => m >= 10 && m < 20), b: runs(0, 60) };
    const src: ReportSource = {
      runs: (name, from, to, limit) => (data[name] ?? []).filter((x) => x.t >= from && x.t <= to).slice(-limit),
      checks: () => ['a', 'b'],
      groups: () => [{ name: 'seq', members: ['a', 'b', 'gone'] }],
    };
    const r = siteReport(src, { from: T0, to: T0 + 86_400_000 }, T0 + 60 * MIN, 'UTC');
    expect(r.to).toBe(T0 + 60 * MIN);
    expect(r.checks.map((c) => [c.name, c.uptime?.toFixed(2), c.noDataMs])).toEqual([
      ['a', '83.33', 0],
      ['b', '100.00', 0],
    ]);
    expect(r.groups[0]).toMatchObject({ name: 'seq', members: ['a', 'b'] });
    expect(r.groups[0].outages).toHaveLength(1);
    const csv = reportCsv(r).split('\r\n');
    expect(csv[0]).toBe('kind,name,from,to,uptime_percent,outages,downtime_minutes,mttr_minutes,longest_outage_minutes,no_data_minutes,no_data_periods,runs');
    expect(csv[1]).toMatch(/^group,seq,2026-11-01T00:00:00\+00:00,2026-11-01T01:00:00\+00:00,83\.333,1,10\.0,10\.0,10\.0,0\.0,0,120$/);
    expect(csv[2]).toMatch(/^check,a,.*,83\.333,1,10\.0,10\.0,10\.0,0\.0,0,60$/);
  });

  it('CSV fields are quoted and formula-looking text is defused', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=cmd()')).toBe("'=cmd()");
    expect(csvField(-5)).toBe('-5');
    const h = historyCsv([{ t: T0, fail: true, durationMs: 12.4, level: '91%', softFail: null, metrics: [{ name: 'used', value: 91, unit: '%' }] }], 'UTC');
    expect(h).toBe('time,result,run_ms,level,soft_fail,metrics\r\n2026-11-01T00:00:00+00:00,FAIL,12,91%,,used=91%\r\n');
  });
});
