/**
 * Uptime/SLA reports (src/reports/): the page for all checks and groups,
 * one check's outages, the same as CSV, and a check's raw history as CSV.
 * Readers (viewer and up) may see them, like the check pages. The JSON
 * form is the API's GET /api/v1/reports (src/api/routes/reports.ts).
 */
import { Hono } from 'hono';
import { need, type WebContext, type WebEnv } from '../context.ts';
import type { WebDeps } from '../deps.ts';
import { html, pageCtx } from '../render.tsx';
import { displayTime } from '../../util/time.ts';
import { historyCsv, MAX_RUNS, parseRange, reportCsv, siteReport, type Range } from '../../reports/service.ts';
import { reportJson } from '../../reports/json.ts';
import { reportSource, statusPageSource } from '../../reports/source.ts';
import { notFound } from './checks.tsx';
import type { ReportFormValues } from '../view-data.ts';

const param = (c: WebContext, k: string): string | undefined => {
  const v = c.req.query(k);
  return v ? v.slice(0, 40) : undefined;
};

export function rangeOf(c: WebContext, now: number, zone: string | null): { v: ReportFormValues; query: string; range: Range | { error: string } } {
  const q = { month: param(c, 'month'), from: param(c, 'from'), to: param(c, 'to') };
  // a month wins over from/to only when no dates are given
  const pick = q.from || q.to ? { from: q.from, to: q.to } : { month: q.month };
  const query = new URLSearchParams(Object.entries(pick).filter((e): e is [string, string] => !!e[1])).toString();
  return { v: { month: q.month ?? '', from: q.from ?? '', to: q.to ?? '' }, query, range: parseRange(pick, now, zone) };
}

function csv(c: WebContext, body: string, file: string): Response {
  c.header('Content-Disposition', `attachment; filename="${file.replace(/[^A-Za-z0-9._-]/g, '_')}"`);
  return c.body(body, 200, { 'Content-Type': 'text/csv; charset=utf-8' });
}

export function reportRoutes(d: WebDeps): Hono<WebEnv> {
  const { CheckReportPage, ReportsPage } = d.pages;
  const r = new Hono<WebEnv>();
  const { site } = d;
  const zone = (): string | null => site.settings.timezone;
  const time = (t: number): string => displayTime(t, zone());

  r.get('/reports', need('viewer'), (c) => {
    const { v, query, range } = rangeOf(c, site.clock.now(), zone());
    const ctx = pageCtx(c, d, { kind: 'page' });
    if ('error' in range) return html(c, <ReportsPage ctx={ctx} v={v} query={query} label="" report={null} error={range.error} time={time} />, 400);
    const report = siteReport(reportSource(site), range, site.clock.now(), zone());
    return html(c, <ReportsPage ctx={ctx} v={v} query={query} label={range.label} report={report} time={time} />);
  });

  r.get('/reports.csv', need('viewer'), (c) => {
    const { range } = rangeOf(c, site.clock.now(), zone());
    if ('error' in range) return c.text(range.error, 400);
    return csv(c, reportCsv(siteReport(reportSource(site), range, site.clock.now(), zone())), `siteward-report-${range.label}.csv`);
  });

  r.get('/reports.json', need('viewer'), (c) => {
    const { range } = rangeOf(c, site.clock.now(), zone());
    if ('error' in range) return c.json({ error: range.error }, 400);
    return c.json(reportJson(siteReport(reportSource(site), range, site.clock.now(), zone())));
  });

  r.get('/reports/check/:name', need('viewer'), (c) => {
    const name = c.req.param('name');
    if (!site.entry(name)) return notFound(c, d, `check named "${name}"`);
    const { v, query, range } = rangeOf(c, site.clock.now(), zone());
    const ctx = pageCtx(c, d, { kind: 'page' });
    if ('error' in range) return html(c, <CheckReportPage ctx={ctx} name={name} v={v} query={query} label="" r={null} error={range.error} time={time} />, 400);
    const src = reportSource(site);
    const one = siteReport({ ...src, checks: () => [name], groups: () => [] }, range, site.clock.now(), zone()).checks[0]!;
    return html(c, <CheckReportPage ctx={ctx} name={name} v={v} query={query} label={range.label} r={one} time={time} />);
  });

  // a status page's report (docs/status-pages.md "Reports"): signed-in readers only, also for a public page
  const pageReport = (c: WebContext) => {
    const page = site.settings.statusPages.find((x) => x.slug === c.req.param('slug'));
    if (!page) return { page: null, src: null };
    return { page, src: statusPageSource(reportSource(site), page, (n) => site.entry(n) !== undefined) };
  };

  r.get('/status/:slug/report', need('viewer'), (c) => {
    const { page, src } = pageReport(c);
    if (!page) return notFound(c, d, `status page "${c.req.param('slug')}"`);
    const { v, query, range } = rangeOf(c, site.clock.now(), zone());
    const ctx = pageCtx(c, d, { kind: 'page' });
    const sp = { title: page.title, slug: page.slug };
    if ('error' in range) return html(c, <ReportsPage ctx={ctx} v={v} query={query} label="" report={null} error={range.error} time={time} page={sp} />, 400);
    return html(
      c,
      <ReportsPage ctx={ctx} v={v} query={query} label={range.label} report={siteReport(src, range, site.clock.now(), zone())} time={time} page={sp} />,
    );
  });

  r.get('/status/:slug/report.csv', need('viewer'), (c) => {
    const { page, src } = pageReport(c);
    if (!page) return c.text('no such status page', 404);
    const { range } = rangeOf(c, site.clock.now(), zone());
    if ('error' in range) return c.text(range.error, 400);
    return csv(c, reportCsv(siteReport(src, range, site.clock.now(), zone())), `${page.slug}-report-${range.label}.csv`);
  });

  r.get('/status/:slug/report.json', need('viewer'), (c) => {
    const { page, src } = pageReport(c);
    if (!page) return c.json({ error: 'no such status page' }, 404);
    const { range } = rangeOf(c, site.clock.now(), zone());
    if ('error' in range) return c.json({ error: range.error }, 400);
    return c.json(reportJson(siteReport(src, range, site.clock.now(), zone())));
  });

  // the raw history of one check, oldest first (the range as for reports; default this month)
  r.get('/check/:name/history.csv', need('viewer'), (c) => {
    const name = c.req.param('name');
    if (!site.entry(name)) return notFound(c, d, `check named "${name}"`);
    const { range } = rangeOf(c, site.clock.now(), zone());
    if ('error' in range) return c.text(range.error, 400);
    const rows = site.store.history(name, range.from, range.to - 1, MAX_RUNS).reverse();
    return csv(c, historyCsv(rows, zone()), `${name}-history-${range.label}.csv`);
  });

  return r;
}
