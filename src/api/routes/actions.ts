/**
 * /actions: list, get, create, replace, patch (and rename), delete, test.
 */
import { createRoute } from '@hono/zod-openapi';
import { deleteAction, putAction } from '../../config/edits.ts';
import { ApiError } from '../errors.ts';
import { ActionEntrySchema, ActionListSchema, ActionPatchSchema, ActionViewSchema, CreateActionSchema, NameParam, TestResultSchema } from '../schemas.ts';
import { actionView, mergePatch, rawAction, storable } from '../views.ts';
import { testNotification } from '../../actions/test-notification.ts';
import { ERRORS, applyEdit, body, json, notFound, secured, type ApiApp, type RouteDeps } from './common.ts';

export function actionRoutes(app: ApiApp, { site, tokens }: RouteDeps): void {
  const tag = ['actions'];
  const view = (name: string, admin: boolean): NonNullable<ReturnType<typeof actionView>> => {
    const v = actionView(site, name, admin);
    if (!v) throw notFound('action', name);
    return v;
  };

  app.openapi(createRoute(secured(tokens, 'read', {
    method: 'get', path: '/actions', tags: tag, summary: 'List actions',
    responses: { 200: json(ActionListSchema, 'the actions'), 401: ERRORS[401] },
  })), (c) => {
    const admin = c.get('token').scope === 'admin';
    return c.json({ actions: [...site.loaded.actions.keys()].map((n) => view(n, admin)) }, 200);
  });

  app.openapi(createRoute(secured(tokens, 'read', {
    method: 'get', path: '/actions/{name}', tags: tag, summary: 'An action',
    request: { params: NameParam },
    responses: { 200: json(ActionViewSchema, 'the action'), 401: ERRORS[401], 404: ERRORS[404] },
  })), (c) => c.json(view(c.req.valid('param').name, c.get('token').scope === 'admin'), 200));

  app.openapi(createRoute(secured(tokens, 'admin', {
    method: 'post', path: '/actions', tags: tag, summary: 'Create an action',
    request: body(CreateActionSchema, 'the action as in the site file, plus its name'),
    responses: { 201: json(ActionViewSchema, 'created'), 400: ERRORS[400], 401: ERRORS[401], 403: ERRORS[403], 409: ERRORS[409], 422: ERRORS[422] },
  })), async (c) => {
    const raw = (await c.req.json()) as Record<string, unknown>;
    const name = c.req.valid('json').name;
    if (site.action(name)) throw new ApiError('conflict', `an action named ${JSON.stringify(name)} exists`);
    await applyEdit(site, c.get('token').scope, (doc) => putAction(doc, name, storable(raw)), ['actions', name]);
    return c.json(view(name, true), 201);
  });

  app.openapi(createRoute(secured(tokens, 'admin', {
    method: 'put', path: '/actions/{name}', tags: tag, summary: 'Create or replace an action',
    request: { params: NameParam, ...body(ActionEntrySchema, 'the action as in the site file') },
    responses: {
      200: json(ActionViewSchema, 'replaced'), 201: json(ActionViewSchema, 'created'),
      400: ERRORS[400], 401: ERRORS[401], 403: ERRORS[403], 422: ERRORS[422],
    },
  })), async (c) => {
    const { name } = c.req.valid('param');
    const existed = site.action(name) !== undefined;
    const raw = (await c.req.json()) as Record<string, unknown>;
    await applyEdit(site, c.get('token').scope, (doc) => putAction(doc, name, storable(raw)), ['actions', name]);
    return c.json(view(name, true), existed ? 200 : 201);
  });

  app.openapi(createRoute(secured(tokens, 'admin', {
    method: 'patch', path: '/actions/{name}', tags: tag, summary: 'Change some keys of an action (JSON merge patch); `name` renames it',
    request: { params: NameParam, ...body(ActionPatchSchema) },
    responses: { 200: json(ActionViewSchema, 'changed'), 400: ERRORS[400], 401: ERRORS[401], 403: ERRORS[403], 404: ERRORS[404], 409: ERRORS[409], 422: ERRORS[422] },
  })), async (c) => {
    const { name } = c.req.valid('param');
    view(name, true);
    const patch = (await c.req.json()) as Record<string, unknown>;
    const to = typeof patch.name === 'string' ? patch.name : name;
    if (to !== name && site.action(to)) throw new ApiError('conflict', `an action named ${JSON.stringify(to)} exists`);
    const previous = rawAction(site.loaded, name) ?? {};
    const next = storable(mergePatch(previous, patch) as Record<string, unknown>);
    await applyEdit(site, c.get('token').scope, (doc) => putAction(doc, to, next, name), ['actions', to], { actions: to !== name ? [[name, to]] : [] });
    return c.json(view(to, true), 200);
  });

  app.openapi(createRoute(secured(tokens, 'admin', {
    method: 'delete', path: '/actions/{name}', tags: tag, summary: 'Delete an action (and remove it from every check)',
    request: { params: NameParam },
    responses: { 204: { description: 'deleted' }, 401: ERRORS[401], 403: ERRORS[403], 404: ERRORS[404], 422: ERRORS[422] },
  })), async (c) => {
    const { name } = c.req.valid('param');
    view(name, true);
    await applyEdit(site, c.get('token').scope, (doc) => deleteAction(doc, name), ['actions', name]);
    return c.body(null, 204);
  });

  app.openapi(createRoute(secured(tokens, 'operate', {
    method: 'post', path: '/actions/{name}/test', tags: tag, summary: 'Send a test notification through an action now (spec §5.6)',
    request: { params: NameParam },
    responses: { 200: json(TestResultSchema, 'whether it was delivered'), 401: ERRORS[401], 403: ERRORS[403], 404: ERRORS[404] },
  })), async (c) => {
    const { name } = c.req.valid('param');
    view(name, true);
    const r = await site.notifier.test(name, testNotification(site.name, site.settings.timezone, site.clock.now()));
    site.warn(`Action ${name} tested through the API: ${r.ok ? 'ok' : `failed (${r.error ?? 'unknown error'})`}`);
    return c.json(r.ok ? { ok: true } : { ok: false, error: r.error ?? 'unknown error' }, 200);
  });
}
