/**
 * Where the API's own listener listens (`api.hostname`/`api.port`, or
 * SITEWARD_API_HOSTNAME / SITEWARD_API_PORT in containers). Apart from the
 * listener itself so that deciding costs nothing: the API's modules are
 * loaded only when there is a listener (docs/performance.md).
 */
import type { ApiSite } from './api-site.ts';

export interface ListenOptions {
  /** '' or null: every interface */
  hostname: string | null;
  /** 0: a port the OS picks (tests) */
  port: number;
  cert?: string | null;
  key?: string | null;
}

/** Where the API listener should listen, or null for no listener. */
export function apiListenOptions(site: Pick<ApiSite, 'settings'>, env: NodeJS.ProcessEnv = process.env): ListenOptions | null {
  const api = site.settings.api;
  const envPort = env.SITEWARD_API_PORT ? Number.parseInt(env.SITEWARD_API_PORT, 10) : null;
  if (envPort !== null && !(envPort >= 0 && envPort <= 65535)) throw new Error(`SITEWARD_API_PORT: ${JSON.stringify(env.SITEWARD_API_PORT)} is not a port`);
  const port = envPort ?? api?.port ?? null;
  if (port === null) return null;
  return { hostname: env.SITEWARD_API_HOSTNAME ?? api?.hostname ?? 'localhost', port, cert: api?.cert ?? null, key: api?.key ?? null };
}
