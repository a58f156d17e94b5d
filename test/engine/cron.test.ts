/**
 * APScheduler cron fields and expressions (spec §6.1) on croner.
 */
import { describe, it, expect } from 'vitest';
import { CronCalendar, type CronSpec } from '../../src/engine/cron.ts';

const next = (spec: CronSpec, from: string, n = 1, zone: string | null = 'UTC'): string[] => {
  const c = new CronCalendar(spec, zone);
  const out: string[] = [];
  let t = Date.parse(from);
  for (let i = 0; i < n; i++) {
    t = c.next(t)!;
    out.push(new Date(t).toISOString().replace('.000Z', 'Z'));
  }
  return out;
};

describe('APScheduler cron expressions', () => {
  const cases: [string, CronSpec, string, number, string[]][] = [
    [
      'omitted less significant fields take their minimum: {hour: 5} is 05:00:00 daily',
      { hour: 5 },
      '2026-01-01T06:00:00Z',
      2,
      ['2026-01-02T05:00:00Z', '2026-01-03T05:00:00Z'],
    ],
    [
      'more significant fields default to *: {minute: "*/15"}',
      { minute: '*/15' },
      '2026-01-01T00:01:00Z',
      3,
      ['2026-01-01T00:15:00Z', '2026-01-01T00:30:00Z', '2026-01-01T00:45:00Z'],
    ],
    [
      'ranges and lists',
      { hour: '5-20', minute: '5,25,45' },
      '2026-01-01T20:30:00Z',
      3,
      ['2026-01-01T20:45:00Z', '2026-01-02T05:05:00Z', '2026-01-02T05:25:00Z'],
    ],
    ['a-b/n steps', { hour: '8-18/5' }, '2026-01-01T00:00:00Z', 3, ['2026-01-01T08:00:00Z', '2026-01-01T13:00:00Z', '2026-01-01T18:00:00Z']],
    ['day_of_week names with Monday = 0', { day_of_week: 'mon-fri', hour: 9 }, '2026-01-02T10:00:00Z', 2, ['2026-01-05T09:00:00Z', '2026-01-06T09:00:00Z']],
    ['numeric day_of_week: 0 is Monday, 6 is Sunday', { day_of_week: '6', hour: 0 }, '2026-01-01T00:00:00Z', 1, ['2026-01-04T00:00:00Z']],
    [
      'day and day_of_week must both match (APScheduler ANDs fields)',
      { day: '1-7', day_of_week: 'mon', hour: 0 },
      '2026-01-01T00:00:00Z',
      2,
      ['2026-01-05T00:00:00Z', '2026-02-02T00:00:00Z'],
    ],
    ['{day: 1, hour: 1}: monthly', { day: 1, hour: 1 }, '2026-01-15T00:00:00Z', 2, ['2026-02-01T01:00:00Z', '2026-03-01T01:00:00Z']],
    ['last day of the month', { day: 'last', hour: 0 }, '2026-02-01T00:00:00Z', 2, ['2026-02-28T00:00:00Z', '2026-03-31T00:00:00Z']],
    ['last fri', { day: 'last fri', hour: 12 }, '2026-01-01T00:00:00Z', 2, ['2026-01-30T12:00:00Z', '2026-02-27T12:00:00Z']],
    ['2nd mon', { day: '2nd mon', hour: 0 }, '2026-01-01T00:00:00Z', 2, ['2026-01-12T00:00:00Z', '2026-02-09T00:00:00Z']],
    ['month names', { month: 'jun,dec', day: 1 }, '2026-01-01T00:00:00Z', 2, ['2026-06-01T00:00:00Z', '2026-12-01T00:00:00Z']],
    ['year', { year: 2027, month: 1, day: 1 }, '2026-01-01T00:00:00Z', 1, ['2027-01-01T00:00:00Z']],
    ['ISO week', { week: '10', day_of_week: 'mon', hour: 0 }, '2026-01-01T00:00:00Z', 2, ['2026-03-02T00:00:00Z', '2027-03-08T00:00:00Z']],
    ['seconds', { second: '*/20' }, '2026-01-01T00:00:00Z', 3, ['2026-01-01T00:00:20Z', '2026-01-01T00:00:40Z', '2026-01-01T00:01:00Z']],
  ];
  for (const [name, spec, from, n, want] of cases) {
    it(name, () => expect(next(spec, from, n)).toEqual(want));
  }

  it('uses the zone: 09:00 in Australia/Adelaide', () => {
    expect(next({ hour: 9 }, '2026-01-01T00:00:00Z', 1, 'Australia/Adelaide')).toEqual(['2026-01-01T22:30:00Z']);
  });

  const errors: [string, CronSpec, string, RegExp][] = [
    ['hour out of range', { hour: '25' }, 'hour', /"25" is out of range 0-23/],
    ['minute out of range in a list', { minute: '5,60' }, 'minute', /out of range 0-59/],
    ['unknown weekday name', { day_of_week: 'funday' }, 'day_of_week', /not a valid value/],
    ['reversed range', { hour: '10-5' }, 'hour', /ends before it starts/],
    ['garbage', { day: '1st' }, 'day', /"1st" is not a valid value/],
    ['a crontab line in one field', { minute: '0 9 * * *' }, 'minute', /not a valid expression/],
    ['weekday positions with day numbers', { day: '1,last fri' }, 'day', /cannot be mixed/],
  ];
  for (const [name, spec, field, msg] of errors) {
    it(`rejects ${name} and names the field`, () => {
      let err: { field?: string; message?: string } = {};
      try {
        new CronCalendar(spec, null);
      } catch (e) {
        err = e as { field: string; message: string };
      }
      expect(err.field).toBe(field);
      expect(err.message).toMatch(msg);
    });
  }

  it('shares one calendar between checks with the same trigger and zone, and still rejects a bad one', () => {
    const a = CronCalendar.of({ minute: '*/5' }, 'UTC');
    expect(CronCalendar.of({ minute: '*/5' }, 'UTC')).toBe(a);
    expect(CronCalendar.of({ minute: '*/5' }, 'Europe/Berlin')).not.toBe(a);
    expect(CronCalendar.of({ minute: '*/5', hour: '*' }, 'UTC')).not.toBe(a);
    expect(a.next(Date.parse('2026-01-01T00:01:00Z'))).toBe(Date.parse('2026-01-01T00:05:00Z'));
    expect(() => CronCalendar.of({ minute: '*/0' }, 'UTC')).toThrow(/step must be at least 1/);
    expect(() => CronCalendar.of({ minute: '*/0' }, 'UTC')).toThrow(/step must be at least 1/);
  });
});
