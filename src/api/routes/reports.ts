/**
 * /reports: the uptime/SLA report of every check and group for a month or
 * any range (src/reports/), as JSON; `check` limits it to one check. The
 * same figures as the web UI's /reports page and its CSV.
 */
import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import { parseRange, siteReport } from '../../reports/service.ts';
import { reportSource, statusPageSource } from '../../reports/source.ts';
import { reportJson } from '../../reports/json.ts';
import { ERRORS, json, notFound, secured, type ApiApp, type RouteDeps } from './common.ts';

const ReportQuery = z.object({
  month: z.string().max(20).optional().describe('YYYY-MM, whole month in the site zone (default: this month)'),
  from: z.string().max(40).optional().describe('YYYY-MM-DD (start of that day in the site zone) or an ISO 8601 time'),
  to: z.string().max(40).optional().describe('YYYY-MM-DD (inclusive: to the end of that day) or an ISO 8601 time'),
  check: z.string().max(1024).optional().describe('only this check (and no groups)'),
  page: z.string().max(100).optional().describe("a status page's slug: its checks, and its groups as the groups"),
});

const Period = z.object({ start: z.string(), end: z.string() });
const Figures = {
  uptime: z.number().nullable().describe('percent of the time with data that passed; null: no data'),
  upSeconds: z.number(),
  downSeconds: z.number(),
  noDataSeconds: z.number(),
  outages: z.array(Period.extend({ ongoing: z.boolean() })),
  mttrSeconds: z.number().nullable().describe('mean length of the outages that ended in the range'),
  longestOutageSeconds: z.number().nullable(),
  noData: z.array(Period).describe('stretches without results, left out of the uptime'),
  runs: z.int(),
};
const ReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  zone: z.string().nullable(),
  groups: z.array(z.object({ name: z.string(), members: z.array(z.string()), ...Figures })),
  checks: z.array(z.object({ name: z.string(), truncated: z.boolean(), ...Figures })),
});

export function reportRoutes(app: ApiApp, { site, tokens }: RouteDeps): void {
  app.openapi(
    createRoute(
      secured(tokens, 'read', {
        method: 'get',
        path: '/reports',
        tags: ['reports'],
        summary: 'Uptime/SLA report of checks and groups for a month or a range',
        request: { query: ReportQuery },
        responses: { 200: json(ReportSchema, 'the report'), 400: ERRORS[400], 401: ERRORS[401], 404: ERRORS[404] },
      }),
    ),
    (c) => {
      const q = c.req.valid('query');
      const now = site.clock.now();
      const zone = site.settings.timezone;
      const range = parseRange(q.from || q.to ? { from: q.from, to: q.to } : { month: q.month }, now, zone);
      if ('error' in range) throw new ApiError('invalid_request', range.error);
      let src = reportSource(site);
      if (q.page !== undefined) {
        const page = site.settings.statusPages.find((p) => p.slug === q.page);
        if (!page) throw new ApiError('not_found', `no status page with the slug ${JSON.stringify(q.page)}`);
        src = statusPageSource(src, page, (n) => site.entry(n) !== undefined);
      }
      if (q.check !== undefined) {
        if (!site.entry(q.check)) throw notFound('check', q.check);
        src = { ...src, checks: () => [q.check!], groups: () => [] };
      }
      return c.json(reportJson(siteReport(src, range, now, zone)), 200);
    },
  );
}
