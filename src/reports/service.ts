/**
 * Reports for a range: every check and every group (a sequence's members),
 * from the run history through a narrow source (the site's StateStore
 * series query), plus the raw history of one check as CSV.
 */
import { fromWallTime, isoInZone } from '../util/time.ts';
import { combine, summarise, timeline, type Report, type Run, type Segment } from './sla.ts';

/** Most runs read per check for one report (a year of 1-minute runs). */
export const MAX_RUNS = 600_000;
/** Longest range a report covers. */
export const MAX_RANGE_MS = 400 * 86_400_000;
/** How far before the range the run in force at its start is looked for. */
const LOOKBACK_MS = 7 * 86_400_000;

export interface ReportSource {
  /** runs in [from, to], oldest first, at most `limit` (the newest) */
  runs(name: string, from: number, to: number, limit: number): Run[];
  checks(): string[];
  groups(): { name: string; members: string[] }[];
}

export interface CheckReport extends Report {
  name: string;
  /** the run limit was reached: the start of the range is missing */
  truncated: boolean;
}

export interface GroupReport extends Report {
  name: string;
  members: string[];
}

export interface SiteReport {
  from: number;
  to: number;
  zone: string | null;
  checks: CheckReport[];
  groups: GroupReport[];
}

export type Range = { from: number; to: number; label: string };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTH = /^(\d{4})-(\d{2})$/;

/**
 * The range asked for: `month=YYYY-MM`, or `from`/`to` as dates (whole days
 * in the site zone, `to` inclusive) or ISO times; default: this month so
 * far. Errors are sentences for the person who asked.
 */
export function parseRange(q: { month?: string; from?: string; to?: string }, now: number, zone: string | null): Range | { error: string } {
  const day = (s: string, end: boolean): number | null => {
    const m = DATE.exec(s);
    if (m) return fromWallTime({ year: +m[1], month: +m[2], day: +m[3] + (end ? 1 : 0), hour: 0, minute: 0, second: 0 }, zone);
    const t = Date.parse(s);
    return Number.isNaN(t) ? null : t;
  };
  let from: number;
  let to: number;
  if (q.month) {
    const m = MONTH.exec(q.month);
    if (!m || +m[2] < 1 || +m[2] > 12) return { error: `"${q.month.slice(0, 20)}" is not a month: use YYYY-MM, e.g. 2026-11` };
    from = fromWallTime({ year: +m[1], month: +m[2], day: 1, hour: 0, minute: 0, second: 0 }, zone);
    to = fromWallTime({ year: +m[1], month: +m[2] + 1, day: 1, hour: 0, minute: 0, second: 0 }, zone);
  } else if (q.from || q.to) {
    const f = q.from ? day(q.from, false) : null;
    const t = q.to ? day(q.to, true) : now;
    if (f === null) return { error: 'from: give a date (YYYY-MM-DD) or a time (ISO 8601)' };
    if (t === null) return { error: 'to: give a date (YYYY-MM-DD) or a time (ISO 8601)' };
    from = f;
    to = t;
  } else {
    const w = isoInZone(now, zone).slice(0, 7);
    return parseRange({ month: w }, now, zone);
  }
  if (to <= from) return { error: 'the range ends before it starts' };
  if (to - from > MAX_RANGE_MS) return { error: 'the range is too long: at most 400 days' };
  const label = q.month ?? `${isoInZone(from, zone).slice(0, 10)} – ${isoInZone(to - 1, zone).slice(0, 10)}`;
  return { from, to, label };
}

/** One check's timeline over [from, min(to, now)) (the future is not no data: it is not in the report). */
function checkTimeline(src: ReportSource, name: string, from: number, to: number): { segments: Segment[]; runs: number; truncated: boolean } {
  const before = src.runs(name, from - LOOKBACK_MS, from - 1, 1);
  const inside = src.runs(name, from, to - 1, MAX_RUNS);
  return { segments: timeline([...before, ...inside], from, to), runs: inside.length, truncated: inside.length >= MAX_RUNS };
}

export function siteReport(src: ReportSource, range: { from: number; to: number }, now: number, zone: string | null): SiteReport {
  const to = Math.min(range.to, now);
  const from = Math.min(range.from, to);
  const lines = new Map<string, Segment[]>();
  const checks = src.checks().map((name) => {
    const t = checkTimeline(src, name, from, to);
    lines.set(name, t.segments);
    return { name, truncated: t.truncated, ...summarise(t.segments, from, to, t.runs) };
  });
  const groups = src.groups().map((g) => {
    const members = g.members.filter((m) => lines.has(m));
    const segs = combine(
      members.map((m) => lines.get(m)!),
      from,
      to,
    );
    const runs = members.reduce((n, m) => n + (checks.find((c) => c.name === m)?.runs ?? 0), 0);
    return { name: g.name, members, ...summarise(segs, from, to, runs) };
  });
  return { from, to, zone, checks, groups };
}

/** A CSV field (RFC 4180): quoted when it holds a comma, quote or line break; formula-looking text defused. */
export function csvField(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  // a spreadsheet runs a cell starting with = + - @ as a formula (OWASP CSV injection)
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvLine = (fields: (string | number | null | undefined)[]): string => `${fields.map(csvField).join(',')}\r\n`;

const minutes = (ms: number | null): string | null => (ms === null ? null : (ms / 60_000).toFixed(1));

/** The report as CSV: one line per group and per check. */
export function reportCsv(r: SiteReport): string {
  let out = csvLine([
    'kind',
    'name',
    'from',
    'to',
    'uptime_percent',
    'outages',
    'downtime_minutes',
    'mttr_minutes',
    'longest_outage_minutes',
    'no_data_minutes',
    'no_data_periods',
    'runs',
  ]);
  const row = (kind: string, name: string, x: Report): string =>
    csvLine([
      kind,
      name,
      isoInZone(r.from, r.zone),
      isoInZone(r.to, r.zone),
      x.uptime === null ? null : x.uptime.toFixed(3),
      x.outages.length,
      minutes(x.downMs),
      minutes(x.mttrMs),
      minutes(x.longestMs),
      minutes(x.noDataMs),
      x.noData.length,
      x.runs,
    ]);
  for (const g of r.groups) out += row('group', g.name, g);
  for (const c of r.checks) out += row('check', c.name, c);
  return out;
}

export interface HistoryRowLike {
  t: number;
  fail: boolean;
  durationMs: number | null;
  level: string | null;
  softFail: string | null;
  metrics: { name: string; value: number | null; unit?: string }[];
}

/** Raw history as CSV, oldest first: time, result, run time, level, soft fail, metrics. */
export function historyCsv(rows: readonly HistoryRowLike[], zone: string | null): string {
  let out = csvLine(['time', 'result', 'run_ms', 'level', 'soft_fail', 'metrics']);
  for (const r of rows) {
    const metrics = r.metrics.map((m) => `${m.name}=${m.value ?? ''}${m.unit ?? ''}`).join(' ');
    out += csvLine([isoInZone(r.t, zone), r.fail ? 'FAIL' : 'PASS', r.durationMs === null ? null : Math.round(r.durationMs), r.level, r.softFail, metrics]);
  }
  return out;
}
