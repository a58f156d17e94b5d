/**
 * A real Site (temp site file, in-memory SQLite, fake clock) with the API
 * mounted, and one token per scope.
 */
import type { Hono } from 'hono';
import { openTestSite, type TestSite } from '../helpers/site.ts';
import { apiRoutes, createApiContext, type ApiContext, type ApiDeps } from '../../src/api/app.ts';
import { API_MIGRATIONS, SCOPES, type Scope } from '../../src/api/tokens.ts';
import type { SiteOptions } from '../../src/site.ts';
import { apiSiteView } from '../../src/wiring.ts';

export interface ApiTestSite extends TestSite {
  app: Hono;
  /** the API state the app serves (tokens, push hub, counters) */
  api: ApiContext;
  token: Record<Scope, string>;
  /** a request with the token of `scope` (or none), JSON body when given */
  call(method: string, path: string, o?: { scope?: Scope | null; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
}

export async function openApiSite(doc: Record<string, unknown>, opts: Partial<SiteOptions> & { deps?: ApiDeps } = {}): Promise<ApiTestSite> {
  const t = await openTestSite(doc, { dbPath: ':memory:', migrations: [API_MIGRATIONS], ...opts });
  const ctx = createApiContext(apiSiteView(t.site), opts.deps);
  const app = apiRoutes(ctx);
  await ctx.push.settled();
  const token = Object.fromEntries(SCOPES.map((s) => [s, ctx.tokens.create({ name: `test-${s}`, scope: s }).secret])) as Record<Scope, string>;
  const call: ApiTestSite['call'] = (method, path, o = {}) => {
    const headers: Record<string, string> = { ...o.headers };
    const scope = o.scope === undefined ? 'admin' : o.scope;
    if (scope) headers.authorization = `Bearer ${token[scope]}`;
    let body: string | undefined;
    if (o.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(o.body);
    }
    return Promise.resolve(app.request(path, { method, headers, body }));
  };
  return { ...t, app, api: ctx, token, call };
}
