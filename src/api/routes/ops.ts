/**
 * Operations on a check (issue 19, docs/operations.md): acknowledge its
 * failure, start or end maintenance now, and read its decision trace.
 * Operator work: the `operate` scope.
 */
import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { ApiError } from '../errors.ts';
import { CheckDetailSchema, NameParam } from '../schemas.ts';
import { checkDetail, iso } from '../views.ts';
import { endMaintenance, maintenanceNow, MAX_NOTE, type CommandDeps } from '../../ops/commands.ts';
import { MAX_ADHOC_MINUTES } from '../../ops/adhoc.ts';
import { guardEdit } from '../../config/trust.ts';
import { ERRORS, body, json, notFound, secured, type ApiApp, type RouteDeps } from './common.ts';

const AckBody = z.object({ comment: z.string().max(MAX_NOTE).default('') }).meta({ id: 'AckRequest' });
const MaintenanceBody = z
  .object({
    minutes: z.int().min(1).max(MAX_ADHOC_MINUTES).default(60).describe('how long, from now'),
    reason: z.string().max(MAX_NOTE).default(''),
  })
  .meta({ id: 'MaintenanceRequest' });

const DecisionSchema = z
  .object({
    t: z.string(),
    kind: z.enum(['transition', 'maintenance-end', 'escalation']),
    to: z.string(),
    from: z.string(),
    result: z.string().nullable(),
    failCount: z.int(),
    threshold: z.int(),
    retries: z.int(),
    dependency: z.string().nullable(),
    maintenance: z.string().nullable(),
    ack: z.object({ by: z.string(), at: z.string(), comment: z.string() }).nullable(),
    escalationStep: z.int().nullable(),
    notified: z.array(z.string()),
    skipped: z.array(z.object({ action: z.string(), why: z.string() })),
    summary: z.string(),
  })
  .meta({ id: 'Decision' });
const TraceSchema = z.object({ decisions: z.array(DecisionSchema).describe('newest first') }).meta({ id: 'Trace' });

export function opsRoutes(app: ApiApp, { site, tokens }: RouteDeps): void {
  const tag = ['checks'];
  const entry = (name: string): void => {
    if (!site.entry(name)) throw notFound('check', name);
  };
  const deps = (admin: boolean): CommandDeps => ({
    ops: site.ops,
    now: () => site.clock.now(),
    warn: (m, l) => site.warn(m, l),
    // the `maintenance` section is operator work; guardEdit still applies the admin rule to anything else
    mutate: (edit) => site.mutate(guardEdit(admin, edit, {})),
  });
  const fail = (error: string): never => {
    throw new ApiError(/not failing|not in maintenance|recurring/.test(error) ? 'conflict' : 'invalid_config', error);
  };

  app.openapi(
    createRoute(
      secured(tokens, 'operate', {
        method: 'post',
        path: '/checks/{name}/ack',
        tags: tag,
        summary: 'Acknowledge a failing check: reminders and escalation stop until it recovers',
        request: { params: NameParam, ...body(AckBody) },
        responses: {
          200: json(CheckDetailSchema, 'the check, with its ack'),
          400: ERRORS[400],
          401: ERRORS[401],
          403: ERRORS[403],
          404: ERRORS[404],
          409: ERRORS[409],
        },
      }),
    ),
    (c) => {
      const { name } = c.req.valid('param');
      entry(name);
      const token = c.get('token');
      const r = site.ops.acknowledge(name, `token ${token.name}`, c.req.valid('json').comment);
      if (!r.ok) fail(r.error);
      return c.json(checkDetail(site, site.entry(name)!, token.scope === 'admin'), 200);
    },
  );

  app.openapi(
    createRoute(
      secured(tokens, 'operate', {
        method: 'post',
        path: '/checks/{name}/maintenance',
        tags: tag,
        summary: 'Put a check in maintenance now for some minutes (saved as a window in the site file)',
        request: { params: NameParam, ...body(MaintenanceBody) },
        responses: {
          200: json(CheckDetailSchema, 'the check, with its window'),
          400: ERRORS[400],
          401: ERRORS[401],
          403: ERRORS[403],
          404: ERRORS[404],
          422: ERRORS[422],
        },
      }),
    ),
    async (c) => {
      const { name } = c.req.valid('param');
      entry(name);
      const token = c.get('token');
      const b = c.req.valid('json');
      const r = await maintenanceNow(deps(token.scope === 'admin'), name, b.minutes, `token ${token.name}`, b.reason);
      if (!r.ok) fail(r.error);
      return c.json(checkDetail(site, site.entry(name)!, token.scope === 'admin'), 200);
    },
  );

  app.openapi(
    createRoute(
      secured(tokens, 'operate', {
        method: 'post',
        path: '/checks/{name}/maintenance/end',
        tags: tag,
        summary: 'End the one-off maintenance covering a check now (a check still failing then notifies once)',
        request: { params: NameParam },
        responses: { 200: json(CheckDetailSchema, 'the check'), 401: ERRORS[401], 403: ERRORS[403], 404: ERRORS[404], 409: ERRORS[409] },
      }),
    ),
    async (c) => {
      const { name } = c.req.valid('param');
      entry(name);
      const token = c.get('token');
      const r = await endMaintenance(deps(token.scope === 'admin'), name, `token ${token.name}`);
      if (!r.ok) fail(r.error);
      return c.json(checkDetail(site, site.entry(name)!, token.scope === 'admin'), 200);
    },
  );

  app.openapi(
    createRoute(
      secured(tokens, 'read', {
        method: 'get',
        path: '/checks/{name}/trace',
        tags: tag,
        summary: 'Why it alerted (or not): the decision taken for each transition, end of maintenance and escalation step',
        request: { params: NameParam, query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(50) }) },
        responses: { 200: json(TraceSchema, 'decisions, newest first'), 401: ERRORS[401], 404: ERRORS[404] },
      }),
    ),
    (c) => {
      const { name } = c.req.valid('param');
      entry(name);
      const decisions = site.ops.decisions(name, c.req.valid('query').limit).map((d) => ({
        ...d,
        t: iso(d.t)!,
        ack: d.ack ? { ...d.ack, at: iso(d.ack.at)! } : null,
      }));
      return c.json({ decisions }, 200);
    },
  );
}
