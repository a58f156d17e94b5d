/**
 * /status (site summary), /metrics/all (every check with its state, level
 * and latest metrics, remote checks included: what Tailmon's
 * /api/all_metrics needed) and /tokens (admin: create, list, revoke).
 */
import { createRoute } from '@hono/zod-openapi';
import { z } from 'zod';
import { stateText } from '../../engine/state.ts';
import { VERSION } from '../../version.ts';
import { ApiError, apiIssues } from '../errors.ts';
import { AllMetricsSchema, CreatedTokenSchema, NewTokenSchema, StatusSchema, TokenSchema } from '../schemas.ts';
import { scopeAllows, type TokenInfo } from '../tokens.ts';
import { iso, parseExpiry } from '../views.ts';
import { ERRORS, body, json, notFound, secured, type ApiApp, type RouteDeps } from './common.ts';

export function tokenJson(t: TokenInfo): z.infer<typeof TokenSchema> {
  return { ...t, created: iso(t.created)!, expires: iso(t.expires), lastUsed: iso(t.lastUsed), revoked: iso(t.revoked) };
}

export function siteRoutes(app: ApiApp, { site, tokens }: RouteDeps): void {
  app.openapi(
    createRoute(
      secured(tokens, 'read', {
        method: 'get',
        path: '/status',
        tags: ['site'],
        summary: 'Site summary: counts by state, failing checks, problems',
        responses: { 200: json(StatusSchema, 'the site'), 401: ERRORS[401] },
      }),
    ),
    (c) => {
      const counts = { PASS: 0, WARN: 0, FAIL: 0, PAUSED: 0 };
      const failing: string[] = [];
      let inactive = 0;
      for (const e of site.sortedChecks()) {
        const st = stateText(site.state(e.config.name), e.config.paused);
        counts[st]++;
        if (st === 'FAIL') failing.push(e.config.name);
        if (!e.active) inactive++;
      }
      const { running, waiting } = site.runner.load;
      return c.json(
        {
          site: site.name,
          version: VERSION,
          time: iso(site.clock.now())!,
          fail: failing.length > 0,
          checks: { total: site.loaded.checks.size, ...counts, inactive },
          failing,
          runner: { running, waiting },
          issues: apiIssues(site.loaded.issues),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute(
      secured(tokens, 'read', {
        method: 'get',
        path: '/metrics/all',
        tags: ['site'],
        summary: 'Every check with its state, level and latest metrics (remote checks included), in one call',
        responses: { 200: json(AllMetricsSchema, 'all checks'), 401: ERRORS[401] },
      }),
    ),
    (c) => {
      const checks = site.sortedChecks().map((e) => {
        const s = site.state(e.config.name);
        return {
          name: e.config.name,
          type: e.config.type,
          displayType: site.runtime.displayType(e),
          remote: e.config.type === 'remote',
          state: stateText(s, e.config.paused),
          level: s.level,
          softFail: s.softFail,
          lastCheck: iso(s.lastCheck),
          lastUpdate: iso(s.lastUpdate),
          metrics: s.metrics.map((m) => ({ name: m.name, value: m.value, ...(m.unit !== undefined ? { unit: m.unit } : {}) })),
        };
      });
      return c.json({ site: site.name, time: iso(site.clock.now())!, checks }, 200);
    },
  );

  const tag = ['tokens'];
  app.openapi(
    createRoute(
      secured(tokens, 'admin', {
        method: 'get',
        path: '/tokens',
        tags: tag,
        summary: 'List API tokens (never their secrets)',
        responses: { 200: json(z.object({ tokens: z.array(TokenSchema) }), 'the tokens'), 401: ERRORS[401], 403: ERRORS[403] },
      }),
    ),
    (c) => c.json({ tokens: tokens.list().map(tokenJson) }, 200),
  );

  app.openapi(
    createRoute(
      secured(tokens, 'admin', {
        method: 'post',
        path: '/tokens',
        tags: tag,
        summary: 'Create an API token; the secret is in this response only',
        request: body(NewTokenSchema),
        responses: { 201: json(CreatedTokenSchema, 'created'), 400: ERRORS[400], 401: ERRORS[401], 403: ERRORS[403] },
      }),
    ),
    (c) => {
      const b = c.req.valid('json');
      let expires: number | null = null;
      if (b.expires !== undefined) {
        expires = parseExpiry(b.expires, site.clock.now());
        if (expires === null)
          throw new ApiError('invalid_request', '`expires` must be an ISO 8601 time or a duration such as 30d, 12h, 90m', [
            { path: ['expires'], at: 'expires', message: 'unreadable time', severity: 'error' },
          ]);
      }
      // a token cannot make one that outlives it or has a wider scope (a leaked short-lived token must stay short-lived)
      const by = c.get('token');
      if (!scopeAllows(by.scope, b.scope)) throw new ApiError('forbidden', `this token (scope "${by.scope}") cannot create a token with scope "${b.scope}"`);
      if (by.expires !== null && (expires === null || expires > by.expires)) {
        throw new ApiError('forbidden', `this token expires at ${iso(by.expires)!}: a token it creates must expire no later (give "expires")`, [
          { path: ['expires'], at: 'expires', message: `must be no later than ${iso(by.expires)!}`, severity: 'error' },
        ]);
      }
      const made = tokens.create({ name: b.name, scope: b.scope, expires });
      site.warn(`API token ${JSON.stringify(b.name)} (${b.scope}) created by token ${c.get('token').prefix}`);
      return c.json({ token: made.secret, info: tokenJson(made.token) }, 201);
    },
  );

  app.openapi(
    createRoute(
      secured(tokens, 'admin', {
        method: 'delete',
        path: '/tokens/{id}',
        tags: tag,
        summary: 'Revoke an API token',
        request: { params: z.object({ id: z.coerce.number().int().min(1) }) },
        responses: { 204: { description: 'revoked' }, 401: ERRORS[401], 403: ERRORS[403], 404: ERRORS[404] },
      }),
    ),
    (c) => {
      const { id } = c.req.valid('param');
      const t = tokens.get(id);
      if (!t || t.revoked !== null) throw notFound('token', id);
      tokens.revoke(id);
      site.warn(`API token ${JSON.stringify(t.name)} revoked`);
      return c.body(null, 204);
    },
  );
}
