/**
 * What a status page shows, built from a narrow view of the site (state,
 * run counts, last run time) so it carries nothing the page's author did
 * not choose: labels, states, daily uptime, response time, incidents.
 *
 * Daily uptime: UTC days. A finished day never changes, so its run counts
 * are read once and kept (DailyUptime); only today is read on every
 * request. A day without runs is "no data", never 100 %.
 */
import { checkRefs, type StatusPageConfig } from './config.ts';
import type { Incident } from './incidents.ts';
import { barsSvg, pctText, type BarCache, type DayClass, type DayVM } from './bars.ts';

export const DAY = 86_400_000;
export const BAR_DAYS = 90;

/** The site as a status page sees it. */
export interface StatusSource {
  now(): number;
  /** null: no such check */
  check(name: string): { failing: boolean; paused: boolean; checked: boolean } | null;
  /**
   * Runs and failures in [from, to): read from the history tiers for time
   * before the raw window (StateStore.coverage, src/store/rollup.ts), so a
   * day is ~24 hourly rows and days whose raw runs are pruned keep their bars.
   */
  counts(name: string, from: number, to: number): { runs: number; fails: number };
  /**
   * Optional: the counts of many whole days in one read (the hourly tier
   * grouped by day, TierReader.daily); days from `until` on, and all days
   * without it, are asked of `counts`. A day before `until` missing from
   * `days` had no run.
   */
  daily?(name: string, fromDay: number, toDay: number): { until: number; days: ReadonlyMap<number, { runs: number; fails: number }> };
  /** the last run's duration (ms), null when unknown */
  lastDuration(name: string): number | null;
}

export type CheckStatus = 'up' | 'down' | 'paused' | 'unknown';

export type { DayClass, DayVM } from './bars.ts';
export interface StatusCheckVM {
  label: string;
  status: CheckStatus;
  responseMs: number | null;
  /** over the 90 days, null without runs */
  uptime: number | null;
  days: DayVM[];
  /** the 90-day bar as SVG markup (src/status-pages/bars.ts), '' without days */
  bars: string;
}
export interface StatusGroupVM {
  name: string;
  checks: StatusCheckVM[];
}
export type BannerLevel = 'ok' | 'partial' | 'major';
export interface StatusPageVM {
  slug: string;
  title: string;
  description: string;
  logo: string | null;
  responseTime: boolean;
  banner: { level: BannerLevel; text: string };
  groups: StatusGroupVM[];
  incidents: Incident[];
  now: number;
}

export const BANNER_TEXT: Record<BannerLevel, string> = {
  ok: 'All systems operational',
  partial: 'Partial outage',
  major: 'Major outage',
};

/**
 * Daily run counts per check. A finished day's counts are read once and
 * kept, and so is the finished part of the bar (its DayVMs and totals,
 * rebuilt when the UTC day changes); bounded to the days a bar shows.
 */
export class DailyUptime {
  private readonly counts = new Map<string, Map<number, { runs: number; fails: number }>>();
  private readonly finished = new Map<string, { today: number; days: DayVM[]; runs: number; fails: number }>();

  /** The last `n` UTC days up to today, oldest first, with their totals. */
  read(src: StatusSource, name: string, n = BAR_DAYS): { days: DayVM[]; runs: number; fails: number } {
    const today = Math.floor(src.now() / DAY);
    let f = this.finished.get(name);
    if (!f || f.today !== today) {
      let known = this.counts.get(name);
      if (!known) this.counts.set(name, (known = new Map()));
      f = { today, days: [], runs: 0, fails: 0 };
      const first = today - n + 1;
      // the days not known yet: many at once from the tier when the source can (the first request after a start)
      let ask = first;
      while (ask < today && known.has(ask)) ask++;
      if (src.daily && ask < today) {
        const got = src.daily(name, ask, today);
        for (let d = ask; d < got.until; d++) if (!known.has(d)) known.set(d, got.days.get(d) ?? { runs: 0, fails: 0 });
      }
      for (let d = first; d < today; d++) {
        let c = known.get(d);
        if (!c) known.set(d, (c = src.counts(name, d * DAY, (d + 1) * DAY)));
        f.days.push(dayVM(d, c.runs, c.fails));
        f.runs += c.runs;
        f.fails += c.fails;
      }
      for (const d of known.keys()) if (d <= today - n) known.delete(d);
      this.finished.set(name, f);
    }
    const c = src.counts(name, today * DAY, (today + 1) * DAY);
    return { days: [...f.days, dayVM(today, c.runs, c.fails)], runs: f.runs + c.runs, fails: f.fails + c.fails };
  }

  /** Forgets checks no page shows any more. */
  keep(names: ReadonlySet<string>): void {
    for (const m of [this.counts, this.finished]) for (const k of m.keys()) if (!names.has(k)) m.delete(k);
  }
}

function dayClass(runs: number, fails: number): DayClass {
  if (runs === 0) return 'none';
  if (fails === 0) return 'up';
  return fails / runs <= 0.05 ? 'warn' : 'down';
}

function dayVM(d: number, runs: number, fails: number): DayVM {
  return { date: new Date(d * DAY).toISOString().slice(0, 10), runs, fails, percent: runs ? (100 * (runs - fails)) / runs : null, cls: dayClass(runs, fails) };
}

export function checkVM(src: StatusSource, daily: DailyUptime, bars: BarCache, name: string, label: string, responseTime: boolean): StatusCheckVM {
  const c = src.check(name);
  if (!c) return { label, status: 'unknown', responseMs: null, uptime: null, days: [], bars: '' };
  const { days, runs, fails } = daily.read(src, name);
  const status: CheckStatus = c.paused ? 'paused' : !c.checked ? 'unknown' : c.failing ? 'down' : 'up';
  const uptime = runs ? (100 * (runs - fails)) / runs : null;
  return {
    label,
    status,
    responseMs: responseTime ? src.lastDuration(name) : null,
    uptime,
    days,
    bars: barsSvg(label, pctText(uptime), bars.body(name, days), days.length),
  };
}

/** The banner: from the checks' states, raised by open incidents (major impact → major outage). */
export function banner(groups: readonly StatusGroupVM[], incidents: readonly Incident[]): { level: BannerLevel; text: string } {
  const all = groups.flatMap((g) => g.checks).filter((c) => c.status === 'up' || c.status === 'down');
  const down = all.filter((c) => c.status === 'down').length;
  let level: BannerLevel = down === 0 ? 'ok' : down * 2 > all.length ? 'major' : 'partial';
  for (const i of incidents) {
    if (i.resolved !== null) continue;
    if (i.impact === 'major') level = 'major';
    else if (level === 'ok') level = 'partial';
  }
  return { level, text: BANNER_TEXT[level] };
}

export function statusPageVM(src: StatusSource, daily: DailyUptime, bars: BarCache, page: StatusPageConfig, incidents: Incident[]): StatusPageVM {
  const groups = page.groups.map((g) => ({ name: g.name, checks: checkRefs(g).map((r) => checkVM(src, daily, bars, r.check, r.label, page.responseTime)) }));
  return {
    slug: page.slug,
    title: page.title,
    description: page.description,
    logo: page.logo,
    responseTime: page.responseTime,
    banner: banner(groups, incidents),
    groups,
    incidents,
    now: src.now(),
  };
}

/** The JSON endpoint's body: the page as visitors see it (no authors, no check names the author relabelled). */
export function statusJson(vm: StatusPageVM): Record<string, unknown> {
  return {
    page: { slug: vm.slug, title: vm.title, description: vm.description },
    status: { level: vm.banner.level, text: vm.banner.text },
    updated: new Date(vm.now).toISOString(),
    groups: vm.groups.map((g) => ({
      name: g.name,
      checks: g.checks.map((c) => ({
        name: c.label,
        status: c.status,
        responseMs: c.responseMs,
        uptime90d: c.uptime,
        days: c.days.map((d) => ({ date: d.date, runs: d.runs, uptime: d.percent })),
      })),
    })),
    incidents: vm.incidents.map(publicIncident),
  };
}

export function publicIncident(i: Incident): Record<string, unknown> {
  return {
    id: i.id,
    title: i.title,
    impact: i.impact,
    opened: new Date(i.opened).toISOString(),
    resolved: i.resolved === null ? null : new Date(i.resolved).toISOString(),
    updates: i.updates.map((u) => ({ at: new Date(u.t).toISOString(), status: u.status, body: u.body })),
  };
}
