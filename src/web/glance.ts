/**
 * "At a glance" for the checks list and home (issue 22): a heartbeat bar of a
 * check's last runs, its uptime over 24 h / 7 d / 30 d, its response time,
 * and relative times ("3 min ago") with the absolute time beside them.
 * Computed only for the rows a page shows; read from the history tiers
 * (src/store/rollup.ts), so a 30-day uptime is ~720 hourly rows, not 43,200 runs.
 */
import type { Beat } from '../store/state.ts';
import { wallTime } from '../util/time.ts';
import { uptimes, type Uptime } from './history.ts';

/** Runs in a heartbeat bar. */
export const BEATS = 24;

export interface BeatVM {
  /** pass, fail, part (an hour with some failed runs), gap (no data between runs), or empty (a slot before the first run) */
  kind: 'pass' | 'fail' | 'part' | 'gap' | 'empty';
  title: string;
}

export interface GlanceVM {
  beats: BeatVM[];
  /** the bar in words, for screen readers */
  summary: string;
  uptime: Uptime[];
  /** run time of the last run, ms */
  responseMs: number | null;
}

/** What glance needs of the site (a narrow view, not the whole Site). */
export interface GlanceSource {
  store: {
    recentRuns(name: string, limit: number): Beat[];
    coverage(name: string, from: number, to: number): { runs: number; fails: number; coveredMs: number };
  };
  clock: { now(): number };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** "07 Dec 04:15" in the check's zone: a heartbeat block's time (the row says the zone elsewhere). */
export function shortTime(t: number, zone: string | null): string {
  const w = wallTime(t, zone);
  return `${pad(w.day)} ${MONTHS[w.month - 1]} ${pad(w.hour)}:${pad(w.minute)}`;
}

/** "3 min ago", "in 20 s", "just now": the absolute time goes beside it (a title). */
export function relative(t: number, now: number): string {
  const d = t - now;
  const a = Math.abs(d);
  if (a < 5_000) return 'just now';
  const unit =
    a < 60_000
      ? `${Math.round(a / 1000)} s`
      : a < 3_600_000
        ? `${Math.round(a / 60_000)} min`
        : a < 172_800_000
          ? `${Math.round(a / 3_600_000)} h`
          : `${Math.round(a / 86_400_000)} d`;
  return d < 0 ? `${unit} ago` : `in ${unit}`;
}

/** "3 h 20 min", "45 min", "12 s". */
export function duration(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.round((ms % 3_600_000) / 60_000);
  if (h >= 48) return `${Math.round(ms / 86_400_000)} d`;
  return m ? `${h} h ${m} min` : `${h} h`;
}

export function msText(ms: number): string {
  if (ms < 1) return '< 1 ms';
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(ms >= 10 ? 0 : 1)} ms`;
}

/**
 * The bar's entries: each run (or hour of runs) oldest first, and a "no data"
 * entry wherever the time between two runs is much longer than the check's
 * usual spacing (siteward was not running, or a remote check sent nothing).
 */
export function beats(runs: readonly Beat[], zone: string | null): BeatVM[] {
  const gaps: number[] = [];
  for (let i = 1; i < runs.length; i++) gaps.push(runs[i].t - runs[i - 1].t);
  const usual = gaps.length ? [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)] : 0;
  const out: BeatVM[] = [];
  runs.forEach((r, i) => {
    const gap = i > 0 ? gaps[i - 1] : 0;
    if (i > 0 && gap > Math.max(3 * usual, 600_000) && runs[i - 1].n === 1) {
      out.push({ kind: 'gap', title: `${shortTime(runs[i - 1].t, zone)}: no data for ${duration(gap)}` });
    }
    const when = shortTime(r.t, zone);
    if (r.n > 1) {
      const kind = r.fails === 0 ? 'pass' : r.fails === r.n ? 'fail' : 'part';
      out.push({ kind, title: `${when}, the hour: ${r.n} runs, ${r.fails} failed` });
    } else {
      out.push({ kind: r.fail ? 'fail' : 'pass', title: `${when}: ${r.fail ? 'fail' : 'pass'}${r.durationMs !== null ? `, ${msText(r.durationMs)}` : ''}` });
    }
  });
  // the bar holds BEATS entries: gap markers push the oldest runs out; a short history is padded on the left
  const bar = out.slice(-BEATS);
  const pad: BeatVM[] = Array.from({ length: BEATS - bar.length }, () => ({ kind: 'empty', title: '' }));
  return [...pad, ...bar];
}

export function glance(src: GlanceSource, name: string, zone: string | null): GlanceVM {
  const runs = src.store.recentRuns(name, BEATS);
  const b = beats(runs, zone);
  const fails = runs.reduce((n, r) => n + (r.n === 1 ? (r.fail ? 1 : 0) : r.fails), 0);
  const total = runs.reduce((n, r) => n + r.n, 0);
  const gaps = b.filter((x) => x.kind === 'gap').length;
  const summary =
    total === 0
      ? 'no runs yet'
      : `last ${total === 1 ? 'run' : `${total} runs`}: ${fails === 0 ? 'all passed' : `${fails} failed`}${gaps ? `, ${gaps === 1 ? 'one gap' : `${gaps} gaps`} without data` : ''}`;
  const last = runs.length ? runs[runs.length - 1] : null;
  return { beats: b, summary, uptime: uptimes(src, name), responseMs: last && last.n === 1 ? last.durationMs : null };
}
