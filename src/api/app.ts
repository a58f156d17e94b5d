/**
 * Everything the API subsystem serves, as one Hono app the web UI (or the
 * standalone listener, service.ts) mounts:
 *
 *   /api/v1/*            REST API (bearer tokens), OpenAPI at /api/v1/openapi.json
 *   /metrics             Prometheus exposition (optionally token-protected)
 *   /push/<token>        push-check heartbeats (no auth: the token is the secret)
 *   /badge/<check>/…svg  opt-in public badges
 *   /healthz             liveness for Docker/systemd/load balancers
 *
 * These paths carry no cookies and use no CSRF tokens: a web UI that mounts
 * them must exempt API_PATH_PREFIXES from its session and CSRF middleware.
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiSite } from './api-site.ts';
import { VERSION } from '../version.ts';
import { bodyLimits } from '../util/body-limit.ts';
import { isStorageError } from '../store/health.ts';
import { PushHub } from '../checks/push/hub.ts';
import { ApiError, sendError, zodError } from './errors.ts';
import { authenticate, type AuthEnv } from './auth.ts';
import { siteTokens, type TokenStore } from './tokens.ts';
import { SiteMetrics, type MetricsProviders } from './metrics.ts';
import { pushRoutes } from './push.ts';
import { badgeRoutes } from './badges.ts';
import { checkRoutes } from './routes/checks.ts';
import { actionRoutes } from './routes/actions.ts';
import { siteRoutes } from './routes/site.ts';
import { opsRoutes } from './routes/ops.ts';
import type { RouteDeps } from './routes/common.ts';
import { reportRoutes } from './routes/reports.ts';
import { zoneHealth, zoneRoutes } from './routes/zone.ts';

/** Paths served by apiRoutes(): exempt them from the web UI's session and CSRF middleware. */
export const API_PATH_PREFIXES = ['/api/', '/metrics', '/push/', '/badge/', '/healthz'] as const;

export type ApiDeps = MetricsProviders;

export interface ApiRoutesOptions {
  /**
   * The address the serving listener binds (webui.hostname, api.hostname):
   * /metrics needs a token by default unless it is a loopback address.
   * Absent: an in-process app (tests), treated as loopback.
   */
  listenHost?: () => string | null | undefined;
}

/** 'localhost', 127.0.0.0/8 and ::1: reachable from this host only. */
export function isLoopbackHost(host: string | null | undefined): boolean {
  if (host === null || host === undefined || host === '') return false;
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** What the API keeps per site: one token store, one metrics registry, one push hub. */
export interface ApiContext {
  site: ApiSite;
  tokens: TokenStore;
  metrics: SiteMetrics;
  push: PushHub;
  /** the remote-write export's trouble, shown in /healthz (docs/metrics.md); absent: no export */
  remoteWrite?: ApiDeps['remoteWrite'];
}

/**
 * The API state of a site. Built once by its owner (wiring.ts builds one and
 * hands it to the web UI's mount and to the API's own listener, so they share
 * the push hub and the counters); nothing keeps it on the side.
 */
export function createApiContext(site: ApiSite, deps: ApiDeps = {}): ApiContext {
  const push = new PushHub(site);
  const ctx: ApiContext = { site, tokens: siteTokens(site), metrics: new SiteMetrics(site, deps), push, remoteWrite: deps.remoteWrite };
  push.attach();
  return ctx;
}

/** The REST API alone (mounted at /api/v1 by apiRoutes). Exported for the OpenAPI tests. */
export function restApi(d: RouteDeps): OpenAPIHono<AuthEnv> {
  const v1 = new OpenAPIHono<AuthEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        const where = result.target === 'json' ? 'request body' : result.target === 'query' ? 'query' : result.target;
        return sendError(c, zodError(result.error, (result as { data?: unknown }).data, where));
      }
      return undefined;
    },
  });
  v1.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'an API token (swt_…) with scope read, operate or admin',
  });
  checkRoutes(v1, d);
  actionRoutes(v1, d);
  siteRoutes(v1, d);
  reportRoutes(v1, d);
  opsRoutes(v1, d);
  zoneRoutes(v1, d);
  v1.doc31('/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'siteward API',
      version: VERSION,
      description: 'Checks, actions, state and history of a siteward site. Scopes nest: read ⊂ operate ⊂ admin. See docs/api.md.',
    },
    servers: [{ url: '/api/v1' }],
  });
  v1.onError((e, c) => {
    if (e instanceof ApiError) return sendError(c, e);
    if (e instanceof HTTPException && e.status < 500) return sendError(c, new ApiError('invalid_request', e.message || 'bad request'));
    // the database refused a write (a full disk): a temporary condition, said as such
    if (isStorageError(e)) return sendError(c, new ApiError('save_failed', `siteward cannot store this now: ${(e as Error).message}`));
    d.site.log.error({ err: e, path: c.req.path }, 'API request failed');
    return sendError(c, new ApiError('internal', 'internal error'));
  });
  // a sub-app's notFound() is not used once mounted with route(), so a last catch-all answers in JSON
  v1.all('*', (c) => sendError(c, new ApiError('not_found', `no such endpoint: ${c.req.method} ${c.req.path}`)));
  return v1;
}

/** Every API-subsystem route of a site, as one Hono app. */
export function apiRoutes(ctx: ApiContext, o: ApiRoutesOptions = {}): Hono {
  const { site } = ctx;
  const app = new Hono();
  // first: 413 beyond the route's limit, before a token or a body is looked at
  app.use('*', bodyLimits());

  app.get('/healthz', (c) => {
    const up = site.isStarted && site.db.open;
    // a monitor that cannot store its results is not ok (issue 16)
    const problem = up ? site.storage.problem : null;
    const status = !up ? 'starting' : problem ? 'degraded' : 'ok';
    // a failing metrics export is reported, not a reason for 503: the checks and alerts still work (docs/metrics.md)
    const rw = ctx.remoteWrite?.problem() ?? null;
    const remoteWrite = rw ? { remoteWrite: { error: rw.error, since: new Date(rw.since).toISOString(), queued: ctx.remoteWrite!.queued() } } : {};
    // the zone's warnings (message authentication, a config that does not reach this node): not a reason for 503
    const zone = zoneHealth(site.zone);
    return c.json(
      {
        status,
        version: VERSION,
        ...(problem ? { problem: problem.message, since: new Date(problem.since).toISOString() } : {}),
        ...remoteWrite,
        ...(zone ? { zone } : {}),
      },
      status === 'ok' ? 200 : 503,
      { 'Cache-Control': 'no-store' },
    );
  });

  // metricsAuth: true always, false never, null (default): off loopback (check names are not for the network)
  const metricsNeedToken = (): boolean => site.settings.api?.metricsAuth ?? (o.listenHost ? !isLoopbackHost(o.listenHost()) : false);
  app.get('/metrics', async (c) => {
    if (metricsNeedToken()) {
      try {
        authenticate(ctx.tokens, c.req.header('authorization'), 'read');
      } catch (e) {
        if (e instanceof ApiError) return sendError(c, e);
        throw e;
      }
    }
    return c.body(await ctx.metrics.text(), 200, { 'Content-Type': ctx.metrics.contentType, 'Cache-Control': 'no-store' });
  });

  app.route('/', pushRoutes(site, ctx.push));
  app.route('/', badgeRoutes(site));
  app.route('/api/v1', restApi({ site, tokens: ctx.tokens }));
  return app;
}

/** Mounts apiRoutes() on an existing Hono app (the web UI's). */
export function mountApi(app: Hono, ctx: ApiContext, o: ApiRoutesOptions = {}): Hono {
  app.route('/', apiRoutes(ctx, o));
  return app;
}
