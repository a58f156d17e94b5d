/**
 * Maintenance windows (issue 19): the `maintenance` section of the site file,
 * validated with JSON paths, and the pure questions the engine asks of it
 * ("is this check in a window now?", "when does something change next?").
 * No I/O, no clock: callers pass `now`.
 *
 *   "maintenance": {
 *     "<name>": {"start": "<ISO 8601>", "end": "<ISO 8601>", "checks": ["web"]},
 *     "<name>": {"cron": {<a check's cron trigger fields>}, "duration": {"hours": 2},
 *                "timezone": "Europe/Berlin", "tags": ["nas"]}
 *   }
 *
 * Selectors: `checks` (names), `tags` (a check's options.tags), `sequences`
 * (the sequence and its members), `instances` (remote checks mirrored from
 * that instance, and every check of this site when it is this instance).
 * Without any selector a window covers nothing (never the whole site by
 * accident).
 */
import { z } from 'zod';
import { compileTrigger } from '../config/trigger.ts';
import { fromZod, quoteName, showValue, type Issue, type PathSegment } from '../config/issues.ts';
import type { CronCalendar } from '../engine/cron.ts';
import { canonicalZone, parseLenientTime } from '../util/time.ts';
import { isObject } from '../util/guard.ts';

const names = z.array(z.string().max(1024)).max(10_000);

export const MaintenanceWindowSchema = z
  .looseObject({
    start: z.string().max(64).optional().describe("one-off window: start (ISO 8601; without an offset, in the window's zone)"),
    end: z.string().max(64).optional().describe('one-off window: end (ISO 8601)'),
    cron: z.looseObject({}).optional().describe("recurring window: when it starts, the same fields as a check's cron trigger"),
    duration: z.looseObject({}).optional().describe('recurring window: how long it lasts, interval units ({"hours": 2})'),
    timezone: z.string().max(64).optional().describe('IANA zone of the window (default: the site zone)'),
    checks: names.optional().describe('checks covered, by name'),
    tags: names.optional().describe('checks covered, by their options.tags'),
    sequences: names.optional().describe('sequences covered, with their members'),
    instances: names.optional().describe('remote checks of these instances (and every check when this instance is listed)'),
    notifyAtEnd: z.boolean().default(true).describe('when the window ends, a check still failing notifies once'),
    reason: z.string().max(1000).optional().describe('why (shown in the UI and the site log)'),
    by: z.string().max(1024).optional().describe('who started the window (set by "maintenance now")'),
  })
  .describe('a maintenance window: checks run and history is kept, transitions notify nobody');

export const MaintenanceSchema = z.record(z.string().max(1024), MaintenanceWindowSchema).describe('siteward: named maintenance windows (docs/operations.md)');

export interface Selectors {
  checks: string[];
  tags: string[];
  sequences: string[];
  instances: string[];
}

export type Timing = { kind: 'once'; start: number; end: number } | { kind: 'recurring'; calendar: CronCalendar; durationMs: number };

export interface MaintenanceWindow {
  name: string;
  timing: Timing;
  selectors: Selectors;
  notifyAtEnd: boolean;
  reason: string | null;
  by: string | null;
  zone: string | null;
}

/** Validates `doc.maintenance`. Bad windows are reported and left out; the rest apply. */
export function compileMaintenance(raw: unknown, siteZone: string | null): { windows: MaintenanceWindow[]; issues: Issue[] } {
  const issues: Issue[] = [];
  const windows: MaintenanceWindow[] = [];
  if (raw === undefined || raw === null) return { windows, issues };
  if (!isObject(raw)) {
    issues.push({ path: ['maintenance'], message: `expected an object of name → window, got ${showValue(raw)}`, severity: 'error' });
    return { windows, issues };
  }
  for (const [name, value] of Object.entries(raw)) {
    const path: PathSegment[] = ['maintenance', name];
    const before = issues.length;
    const w = compileWindow(name, value, siteZone, path, issues);
    if (w && issues.length === before) windows.push(w);
  }
  return { windows, issues };
}

function compileWindow(name: string, value: unknown, siteZone: string | null, path: PathSegment[], issues: Issue[]): MaintenanceWindow | null {
  const err = (p: PathSegment[], message: string): null => {
    issues.push({ path: [...path, ...p], message, severity: 'error' });
    return null;
  };
  const r = MaintenanceWindowSchema.safeParse(value);
  if (!r.success) {
    issues.push(...fromZod(r.error, value, path));
    return null;
  }
  const w = r.data;
  let zone = siteZone;
  if (w.timezone !== undefined) {
    zone = canonicalZone(w.timezone);
    if (!zone) return err(['timezone'], `${quoteName(w.timezone)} is not a known time zone`);
  }
  const selectors: Selectors = { checks: w.checks ?? [], tags: w.tags ?? [], sequences: w.sequences ?? [], instances: w.instances ?? [] };
  if (!Object.values(selectors).some((s) => s.length > 0)) {
    return err([], 'names no checks: add "checks", "tags", "sequences" or "instances"');
  }
  const once = w.start !== undefined || w.end !== undefined;
  const recurring = w.cron !== undefined || w.duration !== undefined;
  if (once && recurring) return err([], 'a window is either one-off ("start" and "end") or recurring ("cron" and "duration"), not both');
  if (!once && !recurring) return err([], 'needs "start" and "end" (one-off) or "cron" and "duration" (recurring)');
  let timing: Timing;
  if (once) {
    if (w.start === undefined) return err(['start'], 'a one-off window needs a start');
    if (w.end === undefined) return err(['end'], 'a one-off window needs an end');
    const start = parseLenientTime(w.start, zone);
    if (start === null) return err(['start'], `${showValue(w.start)} is not an ISO 8601 time (e.g. 2026-03-28T22:00:00Z)`);
    const end = parseLenientTime(w.end, zone);
    if (end === null) return err(['end'], `${showValue(w.end)} is not an ISO 8601 time (e.g. 2026-03-29T02:00:00Z)`);
    if (end <= start) return err(['end'], 'the end must be after the start');
    timing = { kind: 'once', start, end };
  } else {
    if (w.cron === undefined) return err(['cron'], 'a recurring window needs a cron start');
    if (w.duration === undefined) return err(['duration'], 'a recurring window needs a duration, e.g. {"hours": 2}');
    const cron = compileTrigger({ cron: w.cron }, zone, path);
    const dur = compileTrigger({ interval: w.duration }, zone, path);
    // the trigger compiler names its own key ("interval"); the site file says "duration"
    issues.push(...cron.issues, ...dur.issues.map((i) => ({ ...i, path: i.path.map((s, k) => (k === path.length && s === 'interval' ? 'duration' : s)) })));
    if (cron.issues.length || dur.issues.length) return null;
    if (cron.schedule?.kind !== 'cron' || dur.schedule?.kind !== 'interval') return null;
    timing = { kind: 'recurring', calendar: cron.schedule.calendar, durationMs: dur.schedule.everyMs };
  }
  return { name, timing, selectors, notifyAtEnd: w.notifyAtEnd, reason: w.reason ?? null, by: w.by ?? null, zone };
}

/** The occurrence of a window that contains `now` ([start, end)), or null. */
export function occurrenceAt(w: MaintenanceWindow, now: number): { start: number; end: number } | null {
  const t = w.timing;
  if (t.kind === 'once') return t.start <= now && now < t.end ? { start: t.start, end: t.end } : null;
  // the first start strictly after (now - duration): when it is not later than now, it covers now
  const start = t.calendar.next(now - t.durationMs);
  return start !== null && start <= now ? { start, end: start + t.durationMs } : null;
}

/** The next instant after `now` at which the window starts or ends (for timers), or null. */
export function nextChange(w: MaintenanceWindow, now: number): number | null {
  const cur = occurrenceAt(w, now);
  if (cur) return cur.end;
  const t = w.timing;
  if (t.kind === 'once') return t.start > now ? t.start : null;
  return t.calendar.next(now);
}

/** The windows on at `now`, by name. */
export function activeAt(windows: readonly MaintenanceWindow[], now: number): Map<string, MaintenanceWindow> {
  return new Map(windows.filter((w) => occurrenceAt(w, now)).map((w) => [w.name, w]));
}

/** The next instant after `now` at which any window starts or ends, or null. */
export function nextChangeOf(windows: readonly MaintenanceWindow[], now: number): number | null {
  let next: number | null = null;
  for (const w of windows) {
    const t = nextChange(w, now);
    if (t !== null && (next === null || t < next)) next = t;
  }
  return next;
}

/**
 * Occurrences seen on before a stop (`seen`, kept in SQLite) that are over
 * at `now`: their end passed while siteward was down. `window` is the
 * window as the config has it now (undefined: removed since).
 */
export function endedSince(
  seen: readonly { name: string; start: number }[],
  windows: readonly MaintenanceWindow[],
  now: number,
): { name: string; window: MaintenanceWindow | undefined }[] {
  return seen.flatMap((o) => {
    const window = windows.find((x) => x.name === o.name);
    const cur = window ? occurrenceAt(window, now) : null;
    return cur && cur.start === o.start ? [] : [{ name: o.name, window }]; // the same occurrence still on: not over
  });
}

/** The next occurrence (current or future), for display. */
export function nextOccurrence(w: MaintenanceWindow, now: number): { start: number; end: number } | null {
  const cur = occurrenceAt(w, now);
  if (cur) return cur;
  const t = w.timing;
  if (t.kind === 'once') return t.start > now ? { start: t.start, end: t.end } : null;
  const start = t.calendar.next(now);
  return start === null ? null : { start, end: start + t.durationMs };
}

/** What a selector needs to know about a check. */
export interface CheckFacts {
  name: string;
  tags: readonly string[];
  /** sequences that contain the check (directly) */
  sequences: readonly string[];
  /** the instance a remote check mirrors, when known */
  instance: string | null;
  /** this siteward's own instance name (mqtt.instance), when set */
  self: string | null;
}

export function covers(w: MaintenanceWindow, c: CheckFacts): boolean {
  const s = w.selectors;
  return (
    s.checks.includes(c.name) ||
    s.tags.some((t) => c.tags.includes(t)) ||
    s.sequences.includes(c.name) ||
    s.sequences.some((q) => c.sequences.includes(q)) ||
    (c.instance !== null && s.instances.includes(c.instance)) ||
    (c.self !== null && s.instances.includes(c.self))
  );
}

/** Warnings for selectors naming checks or sequences the site does not have. */
export function selectorIssues(windows: MaintenanceWindow[], checks: ReadonlySet<string>): Issue[] {
  const out: Issue[] = [];
  for (const w of windows) {
    for (const key of ['checks', 'sequences'] as const) {
      w.selectors[key].forEach((n, i) => {
        if (!checks.has(n)) out.push({ path: ['maintenance', w.name, key, i], message: `unknown check ${quoteName(n)}`, severity: 'warning' });
      });
    }
  }
  return out;
}
