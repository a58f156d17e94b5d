/**
 * Triggers (spec §6): the JSON shapes `{interval: {...}}` / `{cron: {...}}`,
 * their validation with path-precise messages, and the plain-text syntax of
 * the web form and CSV import (spec §6.3).
 */
import { CronCalendar, CronFieldError, CRON_FIELDS, type CronSpec } from '../engine/cron.ts';
import { canonicalZone, parseLenientTime } from '../util/time.ts';
import type { Issue, PathSegment } from './issues.ts';
import { showValue } from './issues.ts';

export type TriggerJson = Record<string, unknown>;

export const INTERVAL_UNITS = ['weeks', 'days', 'hours', 'minutes', 'seconds'] as const;
const UNIT_MS: Record<(typeof INTERVAL_UNITS)[number], number> = {
  weeks: 604_800_000,
  days: 86_400_000,
  hours: 3_600_000,
  minutes: 60_000,
  seconds: 1000,
};

export type Schedule =
  | { kind: 'interval'; everyMs: number; endAt: number | null; zone: string | null }
  | { kind: 'cron'; calendar: CronCalendar; startAt: number | null; endAt: number | null; zone: string | null };

/**
 * Validates a trigger object and compiles it. `zone` is the check's zone
 * (used unless the trigger names its own). Returns issues (with `path` below
 * the trigger) and the schedule when there were no errors. `null` trigger =
 * never scheduled.
 */
export function compileTrigger(trigger: unknown, zone: string | null, path: PathSegment[]): { schedule: Schedule | null; issues: Issue[] } {
  const issues: Issue[] = [];
  const err = (p: PathSegment[], message: string): { schedule: null; issues: Issue[] } => {
    issues.push({ path: [...path, ...p], message, severity: 'error' });
    return { schedule: null, issues };
  };
  if (trigger === null || trigger === undefined) return { schedule: null, issues };
  if (typeof trigger !== 'object' || Array.isArray(trigger)) return err([], `expected an object like {"interval": {"minutes": 5}}, got ${showValue(trigger)}`);
  const t = trigger as TriggerJson;
  // spec §6.1: if both are present, interval wins
  const kind = 'interval' in t ? 'interval' : 'cron' in t ? 'cron' : null;
  if (!kind) return err([], 'needs an "interval" or a "cron" key');
  const body = t[kind];
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return err([kind], `expected an object, got ${showValue(body)}`);
  const b = body as Record<string, unknown>;

  let tz = zone;
  if (b.timezone !== undefined && b.timezone !== null) {
    const z = typeof b.timezone === 'string' ? canonicalZone(b.timezone) : null;
    if (!z) return err([kind, 'timezone'], `${showValue(b.timezone)} is not a known time zone`);
    tz = z;
  }
  const date = (key: 'start_date' | 'end_date'): number | null | undefined => {
    const v = b[key];
    if (v === undefined || v === null) return null;
    const parsed = parseLenientTime(v, tz);
    if (parsed === null) {
      issues.push({ path: [...path, kind, key], message: `${showValue(v)} is not a date-time (use 2026-01-31 or 2026-01-31T12:00)`, severity: 'error' });
      return undefined;
    }
    return parsed;
  };
  const endAt = date('end_date');

  if (kind === 'interval') {
    let everyMs = 0;
    for (const unit of INTERVAL_UNITS) {
      const v = b[unit];
      if (v === undefined || v === null) continue;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
        issues.push({ path: [...path, kind, unit], message: `expected a whole number of ${unit}, got ${showValue(v)}`, severity: 'error' });
        continue;
      }
      everyMs += v * UNIT_MS[unit];
    }
    if (issues.length || endAt === undefined) return { schedule: null, issues };
    // spec §6.1: a zero interval is turned into 1 s
    return { schedule: { kind: 'interval', everyMs: Math.max(everyMs, 1000), endAt, zone: tz }, issues };
  }

  const startAt = date('start_date');
  const spec: CronSpec = {};
  for (const f of CRON_FIELDS) {
    const v = b[f];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string' && typeof v !== 'number') {
      issues.push({ path: [...path, kind, f], message: `expected text or a number, got ${showValue(v)}`, severity: 'error' });
      continue;
    }
    spec[f] = v;
  }
  if (issues.length || endAt === undefined || startAt === undefined) return { schedule: null, issues };
  try {
    return { schedule: { kind: 'cron', calendar: CronCalendar.of(spec, tz), startAt, endAt, zone: tz }, issues };
  } catch (e) {
    if (e instanceof CronFieldError) {
      return err(CRON_FIELDS.includes(e.field as never) ? [kind, e.field] : [kind], e.message);
    }
    return err([kind], (e as Error).message);
  }
}

// ---- plain text (spec §6.3) ----

const INTERVAL_TEXT_UNITS: Record<string, string> = {
  weeks: 'weeks',
  week: 'weeks',
  days: 'days',
  day: 'days',
  hours: 'hours',
  hr: 'hours',
  minutes: 'minutes',
  min: 'minutes',
  seconds: 'seconds',
  sec: 'seconds',
  end_date: 'end_date',
  end: 'end_date',
  timezone: 'timezone',
  z: 'timezone',
  // siteward: the singular and short forms people type ("1 hour") also work
  hour: 'hours',
  hrs: 'hours',
  minute: 'minutes',
  mins: 'minutes',
  second: 'seconds',
  secs: 'seconds',
};
const CRON_TEXT_UNITS: Record<string, string> = {
  year: 'year',
  month: 'month',
  day: 'day',
  week: 'week',
  day_of_week: 'day_of_week',
  weekday: 'day_of_week',
  hour: 'hour',
  hr: 'hour',
  minute: 'minute',
  min: 'minute',
  second: 'second',
  sec: 'second',
  end_date: 'end_date',
  end: 'end_date',
  timezone: 'timezone',
  z: 'timezone',
};

export type TextParse = { ok: true; trigger: TriggerJson | null } | { ok: false; error: string };

/**
 * Parses the trigger text syntax. Unlike fletchck, the case of a zone name is
 * kept (zones also match case-insensitively), and an invalid text is an error
 * for the user instead of a silently removed schedule.
 */
export function parseTriggerText(text: string): TextParse {
  const tokens = text.trim().split(/\s+/).filter(Boolean);
  if (tokens.length === 0) return { ok: true, trigger: null };
  let kind: 'interval' | 'cron' = 'interval';
  const first = tokens[0].toLowerCase();
  if (first === 'interval' || first === 'cron') {
    kind = first;
    tokens.shift();
  }
  const units = kind === 'interval' ? INTERVAL_TEXT_UNITS : CRON_TEXT_UNITS;
  const out: Record<string, string | number> = {};
  let pending: string[] = [];
  for (const tok of tokens) {
    const unit = units[tok.toLowerCase()];
    if (unit) {
      if (pending.length === 0) continue; // a spurious unit is ignored (spec §6.3)
      out[unit] = pending.join(' ');
      pending = [];
    } else {
      pending.push(tok);
    }
  }
  if (pending.length) out[kind === 'interval' ? 'minutes' : 'minute'] = pending.join(' ');
  if (Object.keys(out).length === 0) return { ok: false, error: `"${text.trim()}" names no schedule` };

  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(out)) {
    if (k === 'timezone' || k === 'end_date') {
      body[k] = v;
    } else if (kind === 'interval') {
      if (!/^\d+$/.test(String(v))) return { ok: false, error: `"${v}" is not a whole number of ${k}` };
      body[k] = Number(v);
    } else {
      body[k] = String(v).toLowerCase();
    }
  }
  if (typeof body.timezone === 'string') {
    const z = canonicalZone(body.timezone);
    if (!z) return { ok: false, error: `"${body.timezone}" is not a known time zone` };
    body.timezone = z;
  }
  const trigger = { [kind]: body };
  const { issues } = compileTrigger(trigger, null, []);
  if (issues.length) {
    const i = issues[0];
    const field = i.path[i.path.length - 1];
    return { ok: false, error: typeof field === 'string' && field !== kind ? `${field} ${i.message}` : i.message };
  }
  return { ok: true, trigger };
}

const INTERVAL_ORDER: [string, string][] = [
  ['weeks', 'week'],
  ['days', 'day'],
  ['hours', 'hr'],
  ['minutes', 'min'],
  ['seconds', 'sec'],
  ['end_date', 'end'],
  ['timezone', 'z'],
];
const CRON_ORDER: [string, string][] = [
  ['year', 'year'],
  ['month', 'month'],
  ['day', 'day'],
  ['week', 'week'],
  ['day_of_week', 'weekday'],
  ['hour', 'hr'],
  ['minute', 'min'],
  ['second', 'sec'],
  ['end_date', 'end'],
  ['timezone', 'z'],
];

/** Renders a trigger as text in the fixed key order of spec §6.3 (other keys are not shown). */
export function formatTriggerText(trigger: unknown): string {
  if (!trigger || typeof trigger !== 'object') return '';
  const t = trigger as TriggerJson;
  const kind = 'interval' in t ? 'interval' : 'cron' in t ? 'cron' : null;
  if (!kind) return '';
  const body = (t[kind] ?? {}) as Record<string, unknown>;
  const parts: string[] = [kind];
  for (const [key, short] of kind === 'interval' ? INTERVAL_ORDER : CRON_ORDER) {
    const v = body[key];
    if (v !== undefined && v !== null && v !== '') parts.push(`${String(v)} ${short}`);
  }
  return parts.join(' ');
}

/** Short human description for the UI ("every 5 min", "cron 9 hr"). */
export function describeTrigger(trigger: unknown): string {
  return formatTriggerText(trigger) || 'manual only';
}
