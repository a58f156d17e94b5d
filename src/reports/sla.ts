/**
 * Uptime/SLA reports (issue 19 "Reports"), pure functions over run history.
 *
 * Time is what counts, not the number of runs: a run's result holds from
 * its time until the next run. When the next run is further away than the
 * gap limit (by default 3 × the check's usual interval, at least 2 minutes)
 * the result holds for one usual interval and the rest is "no data" — the
 * daemon was stopped, the check paused or not yet created. No-data time is
 * left out of the uptime percentage and listed, so a report never counts
 * an unknown hour as up or down.
 *
 * - uptime % = passing time / (passing + failing time)
 * - an outage is a stretch of failing time (no data ends it); MTTR is the
 *   mean length of outages that ended inside the range
 * - a group (a sequence's members) is down while any member with data is
 *   failing, up while every member with data passes, no data when none has.
 */

export interface Run {
  t: number;
  fail: boolean;
}

export type SegmentState = 'up' | 'down' | 'nodata';

export interface Segment {
  start: number;
  end: number;
  state: SegmentState;
}

export interface Outage {
  start: number;
  end: number;
  /** still failing at the end of the range */
  ongoing: boolean;
}

export interface Report {
  from: number;
  to: number;
  /** passing and failing time with data (ms) */
  upMs: number;
  downMs: number;
  noDataMs: number;
  /** null when the range has no data at all */
  uptime: number | null;
  outages: Outage[];
  /** mean length of the outages that ended in the range (ms); null without any */
  mttrMs: number | null;
  longestMs: number | null;
  noData: { start: number; end: number }[];
  runs: number;
}

export const MIN_GAP_MS = 2 * 60_000;

/** The usual interval of a check: the median gap between its runs. */
export function typicalInterval(runs: readonly Run[]): number | null {
  const gaps: number[] = [];
  for (let i = 1; i < runs.length; i++) if (runs[i].t > runs[i - 1].t) gaps.push(runs[i].t - runs[i - 1].t);
  if (gaps.length === 0) return null;
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor(gaps.length / 2)];
}

const push = (out: Segment[], start: number, end: number, state: SegmentState): void => {
  if (end <= start) return;
  const last = out[out.length - 1];
  if (last && last.state === state && last.end === start) last.end = end;
  else out.push({ start, end, state });
};

/**
 * The timeline of one check over [from, to): `runs` ascending, where the
 * first may lie before `from` (the result in force at the start).
 * `gapMs`: a longer silence is no data (default: 3 × typical, ≥ MIN_GAP_MS).
 */
export function timeline(runs: readonly Run[], from: number, to: number, gapMs?: number): Segment[] {
  const typical = typicalInterval(runs) ?? MIN_GAP_MS;
  const gap = gapMs ?? Math.max(MIN_GAP_MS, 3 * typical);
  const hold = Math.min(typical, gap);
  const out: Segment[] = [];
  let cursor = from;
  for (let i = 0; i < runs.length; i++) {
    const r = runs[i];
    const next = i + 1 < runs.length ? runs[i + 1].t : Infinity;
    if (r.t >= to) break;
    const start = Math.max(r.t, from);
    if (start > cursor) push(out, cursor, start, 'nodata');
    // the result holds until the next run, or for one usual interval across a longer silence
    const until = next - r.t <= gap ? next : r.t + hold;
    const end = Math.min(until, to);
    if (end > start) {
      push(out, start, end, r.fail ? 'down' : 'up');
      cursor = end;
    } else cursor = Math.max(cursor, start);
  }
  if (cursor < to) push(out, cursor, to, 'nodata');
  return out;
}

/** Figures of a timeline (see the module comment). */
export function summarise(segments: readonly Segment[], from: number, to: number, runs: number): Report {
  let upMs = 0;
  let downMs = 0;
  let noDataMs = 0;
  const outages: Outage[] = [];
  const noData: { start: number; end: number }[] = [];
  for (const s of segments) {
    const len = s.end - s.start;
    if (s.state === 'up') upMs += len;
    else if (s.state === 'down') {
      downMs += len;
      outages.push({ start: s.start, end: s.end, ongoing: s.end >= to });
    } else {
      noDataMs += len;
      noData.push({ start: s.start, end: s.end });
    }
  }
  const ended = outages.filter((o) => !o.ongoing);
  const lengths = outages.map((o) => o.end - o.start);
  return {
    from,
    to,
    upMs,
    downMs,
    noDataMs,
    uptime: upMs + downMs > 0 ? (100 * upMs) / (upMs + downMs) : null,
    outages,
    mttrMs: ended.length ? ended.reduce((n, o) => n + (o.end - o.start), 0) / ended.length : null,
    longestMs: lengths.length ? Math.max(...lengths) : null,
    noData,
    runs,
  };
}

/** The timeline of a group: down while any member with data is down, up while all with data are up. */
export function combine(members: readonly Segment[][], from: number, to: number): Segment[] {
  const cuts = new Set<number>([from, to]);
  for (const m of members) for (const s of m) cuts.add(s.start).add(s.end);
  const points = [...cuts].filter((t) => t >= from && t <= to).sort((a, b) => a - b);
  const idx = members.map(() => 0);
  const out: Segment[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i], points[i + 1]];
    let any = false;
    let down = false;
    members.forEach((m, k) => {
      while (idx[k] < m.length && m[idx[k]].end <= a) idx[k]++;
      const s = m[idx[k]];
      if (s && s.start <= a && s.state !== 'nodata') {
        any = true;
        if (s.state === 'down') down = true;
      }
    });
    push(out, a, b, !any ? 'nodata' : down ? 'down' : 'up');
  }
  return out;
}
