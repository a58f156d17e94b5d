/**
 * Shared pieces of the route modules: scope-guarded route configs (the scope
 * also goes into the OpenAPI document), standard error responses, and
 * applying a site edit through Site.mutate with API errors.
 */
import type { OpenAPIHono, RouteConfig } from '@hono/zod-openapi';
import type { z } from 'zod';
import type { ApiSite } from '../api-site.ts';
import type { Doc } from '../../config/edits.ts';
import { AdminRequired, guardEdit, type Renames } from '../../config/trust.ts';
import { formatIssue, type PathSegment } from '../../config/issues.ts';
import { ApiError, ErrorSchema, apiIssues } from '../errors.ts';
import { requireScope, type AuthEnv } from '../auth.ts';
import { jsonBodyGuard } from '../json-body.ts';
import type { Scope, TokenStore } from '../tokens.ts';

export type ApiApp = OpenAPIHono<AuthEnv>;

export interface RouteDeps {
  site: ApiSite;
  tokens: TokenStore;
}

const errorContent = { 'application/json': { schema: ErrorSchema } };

export const ERRORS = {
  400: { description: 'invalid request (`invalid_request`, with the path of every invalid field)', content: errorContent },
  401: { description: 'no valid token (`unauthorized`, `token_expired`, `token_revoked`)', content: errorContent },
  403: { description: 'the token lacks the scope (`forbidden`)', content: errorContent },
  404: { description: 'no such check or action (`not_found`)', content: errorContent },
  409: { description: 'the name is taken (`conflict`)', content: errorContent },
  422: { description: 'the change would make the site invalid (`invalid_config`, with site-file paths)', content: errorContent },
  503: { description: 'nothing could be stored: a full or failing disk (`save_failed`, with Retry-After); nothing changed', content: errorContent },
} as const;

export function json<T extends z.ZodType>(schema: T, description: string): { description: string; content: { 'application/json': { schema: T } } } {
  return { description, content: { 'application/json': { schema } } };
}

export function body<T extends z.ZodType>(
  schema: T,
  description = 'JSON body',
): { body: { required: true; description: string; content: { 'application/json': { schema: T } } } } {
  return { body: { required: true, description, content: { 'application/json': { schema } } } };
}

/** A route that needs a bearer token with `scope` (documented in the OpenAPI security and description). */
export function secured<R extends RouteConfig>(tokens: TokenStore, scope: Scope, route: R): R {
  return {
    ...route,
    security: [{ bearer: [] }],
    description: `${route.description ?? route.summary ?? ''}\n\nScope: \`${scope}\``.trim(),
    // the token first: a body is read (and checked, src/api/json-body.ts) only for a caller allowed here
    middleware: [requireScope(tokens, scope), jsonBodyGuard()],
  };
}

/**
 * Applies an edit through Site.mutate (validate → atomic save → live apply)
 * or throws an ApiError. Below the admin scope the admin rule of
 * src/config/trust.ts applies (403 `forbidden`, with the paths it concerns).
 */
export async function applyEdit(site: ApiSite, scope: Scope, edit: (doc: Doc) => Doc, base: PathSegment[], renamed: Renames = {}): Promise<void> {
  let r;
  try {
    r = await site.mutate(guardEdit(scope === 'admin', edit, { renamed }), { renamed: [...(renamed.checks ?? [])] as [string, string][] });
  } catch (e) {
    if (e instanceof AdminRequired) throw new ApiError('forbidden', e.message, apiIssues(e.issues, base));
    throw e;
  }
  if (r.ok) return;
  const unsaved = r.issues.find((i) => i.path.length === 0);
  if (unsaved) throw new ApiError('save_failed', unsaved.message);
  throw new ApiError('invalid_config', `the change was refused: ${r.issues.map(formatIssue).join('; ')}`, apiIssues(r.issues, base));
}

export function notFound(kind: 'check' | 'action' | 'token', name: string | number): ApiError {
  return new ApiError('not_found', `no ${kind} named ${JSON.stringify(name)}`);
}
