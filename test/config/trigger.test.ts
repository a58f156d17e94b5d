/**
 * Trigger text (spec §6.3): the verified examples, the zone-case fix, errors
 * instead of silently removed schedules, and rendering back to text.
 */
import { describe, it, expect } from 'vitest';
import { parseTriggerText, formatTriggerText, compileTrigger } from '../../src/config/trigger.ts';
import { formatIssue } from '../../src/config/issues.ts';

const ok = (text: string): unknown => {
  const r = parseTriggerText(text);
  if (!r.ok) throw new Error(r.error);
  return r.trigger;
};

describe('trigger text (spec §6.3)', () => {
  const examples: [string, unknown][] = [
    ['interval 1 week 2 day 3 hr 5 min 15 sec', { interval: { weeks: 1, days: 2, hours: 3, minutes: 5, seconds: 15 } }],
    ['10', { interval: { minutes: 10 } }],
    ['10 minutes', { interval: { minutes: 10 } }],
    ['cron 5 hr', { cron: { hour: '5' } }],
    ['cron */15 min', { cron: { minute: '*/15' } }],
    ['cron mon-fri weekday 9 hr', { cron: { day_of_week: 'mon-fri', hour: '9' } }],
    ['cron last fri day', { cron: { day: 'last fri' } }],
    ['interval 30 sec 2026-01-01 end', { interval: { seconds: 30, end_date: '2026-01-01' } }],
    [
      'cron 9-17 hr 20,40 min mon-fri weekday Australia/Adelaide z',
      { cron: { hour: '9-17', minute: '20,40', day_of_week: 'mon-fri', timezone: 'Australia/Adelaide' } },
    ],
    ['cron 9 hr australia/adelaide z', { cron: { hour: '9', timezone: 'Australia/Adelaide' } }],
    ['CRON 5 HR', { cron: { hour: '5' } }],
    ['min 5 min', { interval: { minutes: 5 } }],
    ['', null],
    ['  ', null],
  ];
  for (const [text, want] of examples) {
    it(`parses ${JSON.stringify(text)}`, () => expect(ok(text)).toEqual(want));
  }

  it('accepts "1 hour" (fletchck rejects it: siteward adds singular interval units)', () => {
    expect(ok('1 hour')).toEqual({ interval: { hours: 1 } });
  });

  const invalid: [string, RegExp][] = [
    ['cron 0 9 * * *', /not a valid expression/],
    ['interval ten min', /not a whole number/],
    ['cron 25 hr', /out of range 0-23/],
    ['cron 9 hr Mars/Olympus z', /not a known time zone/],
  ];
  for (const [text, msg] of invalid) {
    it(`reports ${JSON.stringify(text)} as an error instead of removing the schedule`, () => {
      const r = parseTriggerText(text);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error).toMatch(msg);
    });
  }

  const rendered: [unknown, string][] = [
    [{ cron: { hour: '5-20', minute: '5,25,45', timezone: 'UTC' } }, 'cron 5-20 hr 5,25,45 min UTC z'],
    [{ interval: { weeks: 1, days: 2, hours: 3, minutes: 5, seconds: 15 } }, 'interval 1 week 2 day 3 hr 5 min 15 sec'],
    [{ cron: { day: 'last fri', hour: 9 } }, 'cron last fri day 9 hr'],
    [null, ''],
  ];
  for (const [trigger, text] of rendered) {
    it(`renders ${JSON.stringify(trigger)} as ${JSON.stringify(text)} and parses back`, () => {
      expect(formatTriggerText(trigger)).toBe(text);
      if (trigger) {
        const back = ok(text) as Record<string, Record<string, unknown>>;
        const norm = (t: unknown): string =>
          JSON.stringify(t, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? v : typeof v === 'number' ? String(v) : v));
        expect(norm(back)).toBe(norm(trigger));
      }
    });
  }
});

describe('trigger JSON validation', () => {
  const bad: [unknown, string][] = [
    [{ cron: { hour: '25' } }, 'checks["web"].trigger.cron.hour: "25" is out of range 0-23'],
    [{ interval: { minutes: 'five' } }, 'checks["web"].trigger.interval.minutes: expected a whole number of minutes, got "five"'],
    [{ every: 5 }, 'checks["web"].trigger: needs an "interval" or a "cron" key'],
    [{ cron: 'hourly' }, 'checks["web"].trigger.cron: expected an object, got "hourly"'],
    [{ cron: { hour: 1, timezone: 'Nowhere/Land' } }, 'checks["web"].trigger.cron.timezone: "Nowhere/Land" is not a known time zone'],
    [{ interval: { minutes: 1, end_date: 'soon' } }, 'checks["web"].trigger.interval.end_date: "soon" is not a date-time (use 2026-01-31 or 2026-01-31T12:00)'],
  ];
  for (const [trigger, message] of bad) {
    it(`reports ${JSON.stringify(trigger)} with its path`, () => {
      const { schedule, issues } = compileTrigger(trigger, null, ['checks', 'web', 'trigger']);
      expect(schedule).toBeNull();
      expect(issues.map(formatIssue)).toEqual([message]);
    });
  }

  it('prefers interval when both are present, and turns a zero interval into 1 s', () => {
    const { schedule } = compileTrigger({ interval: { seconds: 0 }, cron: { hour: 1 } }, null, []);
    expect(schedule).toMatchObject({ kind: 'interval', everyMs: 1000 });
  });
});
