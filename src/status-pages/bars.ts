/**
 * The 90-day uptime bar of a status page as SVG markup (classes only, no
 * inline style: the CSP). One rect per day, or per run of days alike
 * (no data, or all runs passed) with the range in its <title>, so a year
 * of quiet days is a few elements. Built as a string: a page of 500
 * checks is 45,000 days, and the finished days of a check are drawn once
 * a day (BarCache) — only today's rect is new on each request.
 */
/** One day of a check's 90-day bar (model.ts builds them). */
export type DayClass = 'none' | 'up' | 'warn' | 'down';
export interface DayVM {
  date: string;
  runs: number;
  fails: number;
  percent: number | null;
  cls: DayClass;
}

const W = 4;
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
/** An uptime as people read it: "100 %", "99.31 %", "no data". */
export const pctText = (p: number | null): string => (p === null ? 'no data' : `${p >= 99.995 ? '100' : p.toFixed(2)} %`);

function title(from: DayVM, to: DayVM, runs: number, percent: number | null): string {
  const when = from.date === to.date ? from.date : `${from.date} to ${to.date}`;
  return `${when}: ${percent === null ? 'no data' : `${pctText(percent)} of ${runs.toLocaleString('en')} run${runs === 1 ? '' : 's'}`}`;
}

/** The rects of days[from, to): runs of "none" days and of fully passing days are one rect each. */
export function rects(days: readonly DayVM[], offset: number): string {
  let out = '';
  for (let i = 0; i < days.length; ) {
    const d = days[i];
    let j = i + 1;
    let runs = d.runs;
    if (d.cls === 'none' || d.cls === 'up') {
      while (j < days.length && days[j].cls === d.cls) runs += days[j++].runs;
    }
    out += `<rect x="${(offset + i) * W}" y="0" width="${(j - i) * W - 1}" height="20" class="ub-${d.cls}"><title>${title(d, days[j - 1], runs, d.percent)}</title></rect>`;
    i = j;
  }
  return out;
}

export function barsSvg(label: string, uptimeText: string, body: string, days: number): string {
  return `<svg class="ubars" viewBox="0 0 ${days * W} 20" preserveAspectRatio="none" role="img" aria-label="${esc(`${label}: ${uptimeText} over ${days} days`)}">${body}</svg>`;
}

/** Finished days' rects per check, redrawn when the day changes. */
export class BarCache {
  private readonly done = new Map<string, { today: string; svg: string }>();

  /** The rects of all days; the last (today) is drawn fresh. */
  body(name: string, days: readonly DayVM[]): string {
    if (days.length === 0) return '';
    const today = days[days.length - 1].date;
    let c = this.done.get(name);
    if (!c || c.today !== today) {
      c = { today, svg: rects(days.slice(0, -1), 0) };
      this.done.set(name, c);
    }
    return c.svg + rects(days.slice(-1), days.length - 1);
  }

  keep(names: ReadonlySet<string>): void {
    for (const k of this.done.keys()) if (!names.has(k)) this.done.delete(k);
  }
}
