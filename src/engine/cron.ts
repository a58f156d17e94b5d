/**
 * APScheduler 3.x cron triggers (spec §6.1) on top of croner.
 *
 * Each field expression is parsed and validated here (so errors name the field
 * and the value), then rendered as an explicit croner pattern with day-of-month
 * AND day-of-week semantics, as APScheduler requires every field to match.
 * croner has no ISO `week` field, so that one is applied as a filter.
 */
import { Cron } from 'croner';

export const CRON_FIELDS = ['year', 'month', 'day', 'week', 'day_of_week', 'hour', 'minute', 'second'] as const;
export type CronField = (typeof CRON_FIELDS)[number];

const RANGE: Record<CronField, [number, number]> = {
  year: [1970, 9999],
  month: [1, 12],
  day: [1, 31],
  week: [1, 53],
  day_of_week: [0, 6],
  hour: [0, 23],
  minute: [0, 59],
  second: [0, 59],
};
const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
/** APScheduler numbers weekdays from Monday = 0. */
const DOW_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const CRONER_DOW = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];
const ORDINALS: Record<string, number> = { '1st': 1, '2nd': 2, '3rd': 3, '4th': 4, '5th': 5 };

export class CronFieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

interface ParsedField {
  values: Set<number>;
  /** day field: 'L' (last day of month) */
  last: boolean;
  /** day field: nth / last weekday expressions, rendered in croner's weekday field */
  weekdayPositions: string[];
  all: boolean;
}

function named(field: CronField, token: string): number | null {
  if (/^\d+$/.test(token)) return Number(token);
  const t = token.toLowerCase();
  if (field === 'month') {
    const i = MONTH_NAMES.indexOf(t);
    return i >= 0 ? i + 1 : null;
  }
  if (field === 'day_of_week') {
    const i = DOW_NAMES.indexOf(t);
    return i >= 0 ? i : null;
  }
  return null;
}

function parseField(field: CronField, raw: string | number): ParsedField {
  const [min, max] = RANGE[field];
  const text = String(raw).trim();
  const out: ParsedField = { values: new Set(), last: false, weekdayPositions: [], all: false };
  if (text === '') throw new CronFieldError(field, 'is empty');
  const bad = (msg: string): never => {
    throw new CronFieldError(field, msg);
  };
  for (const partRaw of text.split(',')) {
    const part = partRaw.trim().toLowerCase();
    let m: RegExpExecArray | null;
    if (field === 'day' && part === 'last') {
      out.last = true;
      continue;
    }
    if (field === 'day' && (m = /^(1st|2nd|3rd|4th|5th|last) ([a-z]{3})$/.exec(part))) {
      const d = DOW_NAMES.indexOf(m[2]);
      if (d < 0) bad(`${JSON.stringify(String(raw))}: unknown weekday ${JSON.stringify(m[2])}`);
      out.weekdayPositions.push(`${CRONER_DOW[d]}#${m[1] === 'last' ? 'L' : ORDINALS[m[1]]}`);
      continue;
    }
    m = /^(\*|[a-z0-9]+)(?:-([a-z0-9]+))?(?:\/(\d+))?$/.exec(part);
    if (!m) bad(`${JSON.stringify(String(raw))} is not a valid expression`);
    const [, a, b, stepText] = m!;
    const step = stepText === undefined ? 1 : Number(stepText);
    if (step < 1) bad(`${JSON.stringify(String(raw))}: step must be at least 1`);
    let lo: number;
    let hi: number;
    if (a === '*') {
      if (b !== undefined) bad(`${JSON.stringify(String(raw))} is not a valid expression`);
      [lo, hi] = [min, max];
      if (step === 1) {
        // '*' needs no value table (the year field alone would be 8,000 entries)
        out.all = true;
        continue;
      }
    } else {
      const av = named(field, a);
      if (av === null) bad(`${JSON.stringify(String(raw))}: ${JSON.stringify(a)} is not a valid value`);
      lo = av!;
      hi = lo;
      if (b !== undefined) {
        const bv = named(field, b);
        if (bv === null) bad(`${JSON.stringify(String(raw))}: ${JSON.stringify(b)} is not a valid value`);
        hi = bv!;
      } else if (stepText !== undefined) {
        hi = max; // "a/n": from a to the end, as APScheduler reads it
      }
      if (lo < min || lo > max) bad(`${JSON.stringify(String(raw))} is out of range ${min}-${max}`);
      if (hi < min || hi > max) bad(`${JSON.stringify(String(raw))} is out of range ${min}-${max}`);
      if (hi < lo) bad(`${JSON.stringify(String(raw))}: the range ends before it starts`);
    }
    for (let v = lo; v <= hi; v += step) out.values.add(v);
  }
  if (out.weekdayPositions.length > 0 && (out.values.size > 0 || out.last)) {
    throw new CronFieldError(
      field,
      `${JSON.stringify(String(raw))}: weekday positions ("2nd mon", "last fri") cannot be mixed with day numbers in one expression`,
    );
  }
  return out;
}

function list(values: Set<number>, map: (n: number) => string = String): string {
  return [...values]
    .sort((x, y) => x - y)
    .map(map)
    .join(',');
}

export interface CronSpec {
  year?: string | number;
  month?: string | number;
  day?: string | number;
  week?: string | number;
  day_of_week?: string | number;
  hour?: string | number;
  minute?: string | number;
  second?: string | number;
}

/**
 * croner allocates per-field tables (a 10,000-entry year table included, about
 * 80 KB) for every Cron object, and a paused Cron is only a calendar here, so
 * one object per distinct (pattern, zone) is shared by every check using it.
 */
const crons = new Map<string, Cron>();

function sharedCron(pattern: string, zone: string | null, mode: '6-part' | '7-part'): Cron {
  const key = `${pattern}|${zone ?? ''}`;
  let c = crons.get(key);
  if (!c) {
    try {
      c = new Cron(pattern, { paused: true, timezone: zone ?? undefined, domAndDow: true, mode });
    } catch (e) {
      throw new CronFieldError('cron', `cannot be scheduled: ${(e as Error).message}`);
    }
    crons.set(key, c);
  }
  return c;
}

/** Calendars by (zone, field values): see CronCalendar.of. */
const calendars = new Map<string, CronCalendar>();
/** Distinct calendars kept (a site has a few dozen distinct cron triggers). */
const MAX_CALENDARS = 10_000;

/** A compiled cron trigger: next fire time after an instant. */
export class CronCalendar {
  /**
   * The calendar of a spec in a zone, shared by every check with the same
   * trigger: it is immutable, and parsing the fields was most of the cost of
   * compiling a cron trigger at start-up (docs/performance.md). Throws
   * CronFieldError as the constructor does.
   */
  static of(spec: CronSpec, zone: string | null): CronCalendar {
    const key = JSON.stringify([zone, ...CRON_FIELDS.map((f) => spec[f] ?? null)]);
    let c = calendars.get(key);
    if (!c) {
      c = new CronCalendar(spec, zone);
      if (calendars.size >= MAX_CALENDARS) calendars.clear();
      calendars.set(key, c);
    }
    return c;
  }

  private readonly cron: Cron;
  private readonly weeks: Set<number> | null;
  /** croner's pattern, for display and tests */
  readonly pattern: string;

  constructor(
    spec: CronSpec,
    readonly zone: string | null,
  ) {
    // APScheduler defaults (spec §6.1): fields more significant than the least
    // significant given one default to '*', less significant ones to their minimum;
    // week and day_of_week always default to '*'.
    const given = CRON_FIELDS.filter((f) => spec[f] !== undefined && spec[f] !== null);
    const leastIdx = given.length ? Math.max(...given.map((f) => CRON_FIELDS.indexOf(f))) : -1;
    const expr = (f: CronField): string | number => {
      const v = spec[f];
      if (v !== undefined && v !== null) return v;
      if (f === 'week' || f === 'day_of_week') return '*';
      return CRON_FIELDS.indexOf(f) < leastIdx ? '*' : String(RANGE[f][0]);
    };
    const p = Object.fromEntries(CRON_FIELDS.map((f) => [f, parseField(f, expr(f))])) as Record<CronField, ParsedField>;

    const plain = (f: CronField): string => (p[f].all ? '*' : list(p[f].values));
    let dom: string;
    let dow: string;
    const day = p.day;
    if (day.weekdayPositions.length > 0) {
      if (!p.day_of_week.all) {
        throw new CronFieldError('day', 'weekday positions in "day" cannot be combined with a "day_of_week" restriction');
      }
      dom = '*';
      dow = day.weekdayPositions.join(',');
    } else {
      dom = day.all ? '*' : [...(day.values.size ? [list(day.values)] : []), ...(day.last ? ['L'] : [])].join(',');
      dow = p.day_of_week.all ? '*' : list(p.day_of_week.values, (n) => CRONER_DOW[n]);
    }
    if (!p.year.all && [...p.year.values].length === 0) throw new CronFieldError('year', 'matches no year');
    // the year field only when restricted: croner keeps a table per field, and
    // a 7-part pattern costs a 10,000-entry year table per check
    const year = p.year.all ? '' : ` ${plain('year')}`;
    this.pattern = `${plain('second')} ${plain('minute')} ${plain('hour')} ${dom} ${plain('month')} ${dow}${year}`;
    this.weeks = p.week.all ? null : p.week.values;
    this.cron = sharedCron(this.pattern, zone, year ? '7-part' : '6-part');
  }

  /** The first fire time strictly after `after` (ms), or null when there is none. */
  next(after: number): number | null {
    let from = new Date(after);
    for (let guard = 0; guard < 5000; guard++) {
      const n = this.cron.nextRun(from);
      if (!n) return null;
      const t = n.getTime();
      if (!this.weeks || this.weeks.has(isoWeek(t, this.zone))) return t;
      from = n;
    }
    return null;
  }
}

/** ISO-8601 week number of instant t in zone. */
function isoWeek(t: number, zone: string | null): number {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone: zone ?? undefined, year: 'numeric', month: '2-digit', day: '2-digit' });
  const [y, m, d] = f.format(new Date(t)).split('-').map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  const dayNum = (date.getUTCDay() + 6) % 7;
  date.setUTCDate(date.getUTCDate() - dayNum + 3);
  const firstThursday = new Date(Date.UTC(date.getUTCFullYear(), 0, 4));
  return 1 + Math.round(((date.getTime() - firstThursday.getTime()) / 86400000 - 3 + ((firstThursday.getUTCDay() + 6) % 7)) / 7);
}
