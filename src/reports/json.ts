/** A report as JSON (the API's GET /api/v1/reports and the web UI's /reports.json): times ISO 8601, lengths in seconds. */
import type { Report } from './sla.ts';
import type { SiteReport } from './service.ts';

const iso = (t: number): string => new Date(t).toISOString();
const sec = (ms: number | null): number | null => (ms === null ? null : Math.round(ms / 1000));

export interface ReportFiguresJson {
  uptime: number | null;
  upSeconds: number;
  downSeconds: number;
  noDataSeconds: number;
  outages: { start: string; end: string; ongoing: boolean }[];
  mttrSeconds: number | null;
  longestOutageSeconds: number | null;
  noData: { start: string; end: string }[];
  runs: number;
}

export function figuresJson(r: Report): ReportFiguresJson {
  return {
    uptime: r.uptime,
    upSeconds: sec(r.upMs)!,
    downSeconds: sec(r.downMs)!,
    noDataSeconds: sec(r.noDataMs)!,
    outages: r.outages.map((o) => ({ start: iso(o.start), end: iso(o.end), ongoing: o.ongoing })),
    mttrSeconds: sec(r.mttrMs),
    longestOutageSeconds: sec(r.longestMs),
    noData: r.noData.map((p) => ({ start: iso(p.start), end: iso(p.end) })),
    runs: r.runs,
  };
}

export function reportJson(r: SiteReport) {
  return {
    from: iso(r.from),
    to: iso(r.to),
    zone: r.zone,
    groups: r.groups.map((g) => ({ name: g.name, members: g.members, ...figuresJson(g) })),
    checks: r.checks.map((x) => ({ name: x.name, truncated: x.truncated, ...figuresJson(x) })),
  };
}
