/**
 * /actions: list, get, test; create, replace, patch (and rename), delete
 * are the collection routes (collection.ts), shared with /checks.
 */
import { createRoute } from '@hono/zod-openapi';
import { deleteAction, putAction } from '../../config/edits.ts';
import { ActionEntrySchema, ActionListSchema, ActionPatchSchema, ActionViewSchema, CreateActionSchema, NameParam, TestResultSchema } from '../schemas.ts';
import { actionView } from '../views.ts';
import { collectionRoutes } from './collection.ts';
import { testNotification } from '../../actions/test-notification.ts';
import { ERRORS, json, notFound, secured, type ApiApp, type RouteDeps } from './common.ts';
import { withSiteDefaults } from '../../actions/template.ts';

export function actionRoutes(app: ApiApp, { site, tokens }: RouteDeps): void {
  const tag = ['actions'];
  const view = (name: string, admin: boolean): NonNullable<ReturnType<typeof actionView>> => {
    const v = actionView(site, name, admin);
    if (!v) throw notFound('action', name);
    return v;
  };

  app.openapi(
    createRoute(
      secured(tokens, 'read', {
        method: 'get',
        path: '/actions',
        tags: tag,
        summary: 'List actions',
        responses: { 200: json(ActionListSchema, 'the actions'), 401: ERRORS[401] },
      }),
    ),
    (c) => {
      const admin = c.get('token').scope === 'admin';
      return c.json({ actions: [...site.loaded.actions.keys()].map((n) => view(n, admin)) }, 200);
    },
  );

  app.openapi(
    createRoute(
      secured(tokens, 'read', {
        method: 'get',
        path: '/actions/{name}',
        tags: tag,
        summary: 'An action',
        request: { params: NameParam },
        responses: { 200: json(ActionViewSchema, 'the action'), 401: ERRORS[401], 404: ERRORS[404] },
      }),
    ),
    (c) => c.json(view(c.req.valid('param').name, c.get('token').scope === 'admin'), 200),
  );

  collectionRoutes(
    app,
    { site, tokens },
    {
      key: 'actions',
      kind: 'action',
      a: 'an action',
      schemas: { entry: ActionEntrySchema, create: CreateActionSchema, patch: ActionPatchSchema, view: ActionViewSchema },
      summaries: {
        create: 'Create an action',
        put: 'Create or replace an action',
        patch: 'Change some keys of an action (JSON merge patch); `name` renames it',
        delete: 'Delete an action (and remove it from every check)',
      },
      exists: (name) => site.action(name) !== undefined,
      view,
      fresh: (entry) => entry,
      put: (doc, name, entry, from) => putAction(doc, name, entry, from),
      remove: deleteAction,
    },
  );

  app.openapi(
    createRoute(
      secured(tokens, 'operate', {
        method: 'post',
        path: '/actions/{name}/test',
        tags: tag,
        summary: 'Send a test notification through an action now (spec §5.6)',
        request: { params: NameParam },
        responses: { 200: json(TestResultSchema, 'whether it was delivered'), 401: ERRORS[401], 403: ERRORS[403], 404: ERRORS[404] },
      }),
    ),
    async (c) => {
      const { name } = c.req.valid('param');
      view(name, true);
      const r = await site.notifier.test(
        name,
        withSiteDefaults(testNotification(site.name, site.settings.timezone, site.clock.now()), site.settings.notifications),
      );
      site.warn(`Action ${name} tested through the API: ${r.ok ? 'ok' : `failed (${r.error ?? 'unknown error'})`}`);
      return c.json(r.ok ? { ok: true } : { ok: false, error: r.error ?? 'unknown error' }, 200);
    },
  );
}
