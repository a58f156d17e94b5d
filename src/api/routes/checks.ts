/**
 * /checks: list (filters), get, create, replace, patch (and rename), delete
 * (the collection routes, collection.ts, shared with /actions),
 * run now, pause/resume, history and notifications of a check. Every write
 * goes through Site.mutate, as the web UI's do.
 */
import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import type { ApiSite } from '../api-site.ts';
import { deleteCheck, putCheck } from '../../config/edits.ts';
import { newCheckOptions } from '../../checks/registry.ts';
import { ApiError } from '../errors.ts';
import { checkNotifications } from '../providers.ts';
import {
  CheckDetailSchema,
  CheckEntrySchema,
  CheckListQuery,
  CheckListSchema,
  CheckPatchSchema,
  CreateCheckSchema,
  HistoryQuery,
  HistorySchema,
  NameParam,
  NotificationsSchema,
} from '../schemas.ts';
import { checkDetail, checkSummary, iso, parseTime, rawCheck } from '../views.ts';
import { collectionRoutes } from './collection.ts';
import { ERRORS, applyEdit, json, notFound, secured, type ApiApp, type RouteDeps } from './common.ts';

function entryOr404(site: ApiSite, name: string): NonNullable<ReturnType<ApiSite['entry']>> {
  const e = site.entry(name);
  if (!e) throw notFound('check', name);
  return e;
}

export function checkRoutes(app: ApiApp, { site, tokens }: RouteDeps): void {
  const detail = (name: string, admin: boolean): z.infer<typeof CheckDetailSchema> => checkDetail(site, entryOr404(site, name), admin);
  const tag = ['checks'];

  app.openapi(
    createRoute(
      secured(tokens, 'read', {
        method: 'get',
        path: '/checks',
        tags: tag,
        summary: 'List checks (priority order), optionally filtered',
        request: { query: CheckListQuery },
        responses: { 200: json(CheckListSchema, 'the checks'), 400: ERRORS[400], 401: ERRORS[401] },
      }),
    ),
    (c) => {
      const q = c.req.valid('query');
      const name = q.name?.toLowerCase();
      const types = q.type ? new Set(q.type.split(',').map((t) => t.trim())) : null;
      const checks = site
        .sortedChecks()
        .map((e) => checkSummary(site, e))
        .filter(
          (s) =>
            (!name || s.name.toLowerCase().includes(name)) && (!types || types.has(s.type) || types.has(s.displayType)) && (!q.state || s.state === q.state),
        );
      return c.json({ checks }, 200);
    },
  );

  app.openapi(
    createRoute(
      secured(tokens, 'read', {
        method: 'get',
        path: '/checks/{name}',
        tags: tag,
        summary: 'A check: config, state, log, metrics, problems',
        request: { params: NameParam },
        responses: { 200: json(CheckDetailSchema, 'the check'), 401: ERRORS[401], 404: ERRORS[404] },
      }),
    ),
    (c) => c.json(detail(c.req.valid('param').name, c.get('token').scope === 'admin'), 200),
  );

  collectionRoutes(
    app,
    { site, tokens },
    {
      key: 'checks',
      kind: 'check',
      a: 'a check',
      schemas: { entry: CheckEntrySchema, create: CreateCheckSchema, patch: CheckPatchSchema, view: CheckDetailSchema },
      summaries: {
        create: 'Create a check',
        put: 'Create or replace a check',
        patch: 'Change some keys of a check (JSON merge patch); `name` renames it',
        delete: 'Delete a check (and remove it from depends and sequences)',
      },
      exists: (name) => site.entry(name) !== undefined,
      view: detail,
      fresh: newCheckOptions,
      put: (doc, name, entry, from) => putCheck(doc, name, entry, from),
      remove: deleteCheck,
    },
  );

  app.openapi(
    createRoute(
      secured(tokens, 'operate', {
        method: 'post',
        path: '/checks/{name}/run',
        tags: tag,
        summary: 'Run a check now and return its state afterwards',
        request: { params: NameParam },
        responses: { 200: json(CheckDetailSchema, 'the state after the run'), 401: ERRORS[401], 403: ERRORS[403], 404: ERRORS[404], 503: ERRORS[503] },
      }),
    ),
    async (c) => {
      const { name } = c.req.valid('param');
      entryOr404(site, name);
      await site.runNow(name, 'manual');
      // it ran, but a result that is only in memory is not acknowledged as done
      if (site.runtime.unstoredCount > 0)
        throw new ApiError('save_failed', `the check ran, but its result could not be stored: ${site.storage.problem?.message ?? 'the database refused it'}`);
      return c.json(detail(name, c.get('token').scope === 'admin'), 200);
    },
  );

  for (const [verb, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const) {
    app.openapi(
      createRoute(
        secured(tokens, 'operate', {
          method: 'post',
          path: `/checks/{name}/${verb}`,
          tags: tag,
          summary: paused ? 'Pause a check (saved in the site file)' : 'Resume a paused check',
          request: { params: NameParam },
          responses: { 200: json(CheckDetailSchema, 'the check'), 401: ERRORS[401], 403: ERRORS[403], 404: ERRORS[404], 422: ERRORS[422], 503: ERRORS[503] },
        }),
      ),
      async (c) => {
        const { name } = c.req.valid('param');
        entryOr404(site, name);
        if (site.entry(name)!.config.paused !== paused) {
          await applyEdit(site, c.get('token').scope, (doc) => putCheck(doc, name, { ...(rawCheck(site.loaded, name) ?? {}), paused }), ['checks', name]);
        }
        return c.json(detail(name, c.get('token').scope === 'admin'), 200);
      },
    );
  }

  app.openapi(
    createRoute(
      secured(tokens, 'read', {
        method: 'get',
        path: '/checks/{name}/history',
        tags: tag,
        summary: 'Runs in a time window and the latest transitions',
        request: { params: NameParam, query: HistoryQuery },
        responses: { 200: json(HistorySchema, 'runs, newest first'), 400: ERRORS[400], 401: ERRORS[401], 404: ERRORS[404] },
      }),
    ),
    (c) => {
      const { name } = c.req.valid('param');
      entryOr404(site, name);
      const q = c.req.valid('query');
      const now = site.clock.now();
      const from = parseTime(q.from, now - 86_400_000);
      const to = parseTime(q.to, now);
      if (from === null || to === null) throw new ApiError('invalid_request', '`from` and `to` must be ISO 8601 times or ms since the epoch');
      const runs = site.store.history(name, from, to, q.limit).map((r) => ({ ...r, t: iso(r.t)! }));
      const transitions = site.store.transitions(name, 100).map((t) => ({ ...t, t: iso(t.t)! }));
      return c.json({ runs, transitions }, 200);
    },
  );

  app.openapi(
    createRoute(
      secured(tokens, 'read', {
        method: 'get',
        path: '/checks/{name}/notifications',
        tags: tag,
        summary: 'Notification deliveries of a check (when the site keeps a delivery record)',
        request: { params: NameParam, query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }) },
        responses: { 200: json(NotificationsSchema, 'deliveries, newest first'), 401: ERRORS[401], 404: ERRORS[404] },
      }),
    ),
    async (c) => {
      const { name } = c.req.valid('param');
      entryOr404(site, name);
      const list = checkNotifications(site.notifier, name, c.req.valid('query').limit);
      return c.json(
        {
          available: true,
          notifications: list.map((n) => ({ ...n, created: iso(n.created)!, delivered: iso(n.delivered) })),
        },
        200,
      );
    },
  );
}
