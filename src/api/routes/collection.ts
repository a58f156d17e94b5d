/**
 * Create, replace, patch (and rename) and delete for the site file's named
 * collections (`checks`, `actions`): one implementation, so the two cannot
 * drift. Every write goes through Site.mutate (applyEdit), as the web UI's do.
 */
import { createRoute } from '@hono/zod-openapi';
import type { z } from 'zod';
import type { Doc } from '../../config/edits.ts';
import { rawEntry, type EntryCollection } from '../../config/raw.ts';
import { ApiError } from '../errors.ts';
import { NameParam } from '../schemas.ts';
import { mergePatch, storable } from '../views.ts';
import { ERRORS, applyEdit, body, json, notFound, secured, type ApiApp, type RouteDeps } from './common.ts';

type Obj = Record<string, unknown>;

export interface Collection<V extends z.ZodType> {
  /** the site file's key and the URL segment */
  key: EntryCollection;
  /** 'check' / 'action' (error messages) */
  kind: 'check' | 'action';
  /** 'a check' / 'an action' */
  a: string;
  schemas: { entry: z.ZodType; create: z.ZodType; patch: z.ZodType; view: V };
  summaries: { create: string; put: string; patch: string; delete: string };
  exists(name: string): boolean;
  /** the entry as the API shows it (after a write: to an admin) */
  view(name: string, admin: boolean): z.infer<V>;
  /** an entry made through the API (a check gets the options new checks start with) */
  fresh(entry: Obj): Obj;
  put(doc: Doc, name: string, entry: Obj, from?: string): Doc;
  remove(doc: Doc, name: string): Doc;
}

export function collectionRoutes<V extends z.ZodType>(app: ApiApp, { site, tokens }: RouteDeps, c: Collection<V>): void {
  const tags = [c.key];
  const path = `/${c.key}`;
  const taken = (name: string): ApiError => new ApiError('conflict', `${c.a} named ${JSON.stringify(name)} exists`);
  const mustExist = (name: string): void => {
    if (!c.exists(name)) throw notFound(c.kind, name);
  };

  app.openapi(
    createRoute(
      secured(tokens, 'admin', {
        method: 'post',
        path,
        tags,
        summary: c.summaries.create,
        request: body(c.schemas.create, `the ${c.kind} as in the site file, plus its name`),
        responses: {
          201: json(c.schemas.view, 'created'),
          400: ERRORS[400],
          401: ERRORS[401],
          403: ERRORS[403],
          409: ERRORS[409],
          422: ERRORS[422],
          503: ERRORS[503],
        },
      }),
    ),
    async (ctx) => {
      const raw = (await ctx.req.json()) as Obj;
      const name = (ctx.req.valid('json') as { name: string }).name;
      if (c.exists(name)) throw taken(name);
      await applyEdit(site, ctx.get('token').scope, (doc) => c.put(doc, name, c.fresh(storable(raw))), [c.key, name]);
      return ctx.json(c.view(name, true), 201);
    },
  );

  app.openapi(
    createRoute(
      secured(tokens, 'admin', {
        method: 'put',
        path: `${path}/{name}`,
        tags,
        summary: c.summaries.put,
        request: { params: NameParam, ...body(c.schemas.entry, `the ${c.kind} as in the site file`) },
        responses: {
          200: json(c.schemas.view, 'replaced'),
          201: json(c.schemas.view, 'created'),
          400: ERRORS[400],
          401: ERRORS[401],
          403: ERRORS[403],
          422: ERRORS[422],
          503: ERRORS[503],
        },
      }),
    ),
    async (ctx) => {
      const { name } = ctx.req.valid('param');
      const existed = c.exists(name);
      const entry = storable((await ctx.req.json()) as Obj);
      await applyEdit(site, ctx.get('token').scope, (doc) => c.put(doc, name, existed ? entry : c.fresh(entry)), [c.key, name]);
      return ctx.json(c.view(name, true), existed ? 200 : 201);
    },
  );

  app.openapi(
    createRoute(
      secured(tokens, 'admin', {
        method: 'patch',
        path: `${path}/{name}`,
        tags,
        summary: c.summaries.patch,
        request: { params: NameParam, ...body(c.schemas.patch) },
        responses: {
          200: json(c.schemas.view, 'changed'),
          400: ERRORS[400],
          401: ERRORS[401],
          403: ERRORS[403],
          404: ERRORS[404],
          409: ERRORS[409],
          422: ERRORS[422],
          503: ERRORS[503],
        },
      }),
    ),
    async (ctx) => {
      const { name } = ctx.req.valid('param');
      mustExist(name);
      const patch = (await ctx.req.json()) as Obj;
      const to = typeof patch.name === 'string' ? patch.name : name;
      if (to !== name && c.exists(to)) throw taken(to);
      const previous = rawEntry(site.loaded.doc, c.key, name) ?? {};
      const next = storable(mergePatch(previous, patch) as Obj);
      const renamed = to !== name ? [[name, to] as [string, string]] : [];
      await applyEdit(site, ctx.get('token').scope, (doc) => c.put(doc, to, next, name), [c.key, to], { [c.key]: renamed });
      return ctx.json(c.view(to, true), 200);
    },
  );

  app.openapi(
    createRoute(
      secured(tokens, 'admin', {
        method: 'delete',
        path: `${path}/{name}`,
        tags,
        summary: c.summaries.delete,
        request: { params: NameParam },
        responses: { 204: { description: 'deleted' }, 401: ERRORS[401], 403: ERRORS[403], 404: ERRORS[404], 422: ERRORS[422], 503: ERRORS[503] },
      }),
    ),
    async (ctx) => {
      const { name } = ctx.req.valid('param');
      mustExist(name);
      await applyEdit(site, ctx.get('token').scope, (doc) => c.remove(doc, name), [c.key, name]);
      return ctx.body(null, 204);
    },
  );
}
