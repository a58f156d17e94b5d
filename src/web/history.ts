/**
 * A check's history for the detail page: uptime over 24 h / 7 d / 30 d, a
 * sparkline of its main measurement, its transitions, and the delivery
 * status of its notifications when the notifier records them.
 */
import type { WebSite } from './web-site.ts';
import { displayTime } from '../util/time.ts';
import type { SeriesRow } from '../store/state.ts';

export interface Uptime {
  label: string;
  runs: number;
  /** percentage of passing runs, null without runs ("no data", never 100 %) */
  percent: number | null;
  /** share of the span with any run (0–1): time siteward was not running, or a remote check sent nothing, is not uptime */
  coverage: number;
}

export interface SparkPoint {
  t: number;
  v: number | null;
  fail: boolean;
}

export interface Spark {
  /** what is plotted: a metric name, "level" or "run time" */
  series: string;
  unit: string;
  points: SparkPoint[];
  from: number;
  to: number;
  min: number;
  max: number;
}

export interface TransitionVM {
  at: string;
  to: string;
  notified: boolean;
  log: string[];
}

export type { DeliveryRecord } from '../actions/dispatch.ts';

const DAY = 86_400_000;

export const UPTIME_SPANS: readonly [string, number][] = [
  ['24 h', DAY],
  ['7 d', 7 * DAY],
  ['30 d', 30 * DAY],
];

/** Uptime over 24 h / 7 d / 30 d, each from the history tier that holds it (src/store/rollup.ts). */
export function uptimes(
  site: { store: { coverage(name: string, from: number, to: number): { runs: number; fails: number; coveredMs: number } }; clock: { now(): number } },
  name: string,
): Uptime[] {
  const now = site.clock.now();
  return UPTIME_SPANS.map(([label, span]) => {
    const r = site.store.coverage(name, now - span, now + 1);
    return { label, runs: r.runs, percent: r.runs ? (100 * (r.runs - r.fails)) / r.runs : null, coverage: Math.min(1, r.coveredMs / span) };
  });
}

/** "99.95 %", "100 %", or "no data" (a span without runs is never shown as uptime). */
export function percentText(u: Pick<Uptime, 'percent'>): string {
  if (u.percent === null) return 'no data';
  const p = u.percent;
  // never round a failure up to 100 %
  const s = p === 100 ? '100' : p >= 99.99 ? '99.99' : p.toFixed(p >= 99 ? 2 : 1);
  return `${s} %`;
}

const LEVEL_NUMBER = /^\s*(-?\d+(?:\.\d+)?)\s*(\S*)/;

/** The number a level starts with and its unit (" 42%" → 42, "%"), null when it has none. */
export function levelNumber(level: string | null): { value: number; unit: string } | null {
  const m = level ? LEVEL_NUMBER.exec(level) : null;
  return m ? { value: Number(m[1]), unit: m[2] } : null;
}

/** The last `days` of runs (the check page shows one), at most `maxPoints` (bucketed by time, keeping any failure). */
export function sparkline(site: WebSite, name: string, maxPoints = 120, days = 1): Spark {
  const to = site.clock.now();
  const from = to - days * DAY;
  // one run a minute for the whole span still fits
  const { metric, rows } = site.store.series(name, from, to, Math.max(20_000, days * 1440 + 1000));
  let series = 'run time';
  let unit = 'ms';
  let pick: (r: SeriesRow) => number | null = (r) => r.durationMs;
  if (metric) {
    series = metric.name;
    unit = metric.unit ?? '';
    pick = (r) => r.value;
  } else if (rows.some((r) => levelNumber(r.level))) {
    series = 'level';
    unit = rows.map((r) => levelNumber(r.level)).find((l) => l !== null)?.unit ?? '';
    pick = (r) => levelNumber(r.level)?.value ?? null;
  }
  const points: SparkPoint[] = [];
  const span = Math.max(1, to - from);
  let bucket = -1;
  for (const r of rows) {
    const b = Math.floor(((r.t - from) / span) * maxPoints);
    const v = pick(r);
    const last = points[points.length - 1];
    if (b === bucket && last) {
      // within a bucket keep the largest value and any failure
      if (v !== null && (last.v === null || v > last.v)) last.v = v;
      last.fail ||= r.fail;
    } else {
      points.push({ t: r.t, v, fail: r.fail });
      bucket = b;
    }
  }
  const values = points.map((p) => p.v).filter((v): v is number => v !== null);
  return {
    series,
    unit,
    points,
    from,
    to,
    min: values.length ? Math.min(...values) : 0,
    max: values.length ? Math.max(...values) : 0,
  };
}

export function transitions(site: WebSite, name: string, limit = 30): TransitionVM[] {
  const zone = site.entry(name)?.zone ?? null;
  return site.store.transitions(name, limit).map((t) => ({ at: displayTime(t.t, zone), to: t.to, notified: t.notify, log: t.log }));
}
