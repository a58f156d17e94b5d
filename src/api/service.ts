/**
 * The API's own listener: serves apiRoutes() (REST API, /metrics, /push,
 * badges, /healthz) on `api.hostname:api.port`, so push checks and scraping
 * work with the web UI off (`--webui=false`, or no `webui` section).
 * SITEWARD_API_HOSTNAME / SITEWARD_API_PORT override the file (containers).
 */
import { createServer as createHttps } from 'node:https';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import type { Logger } from 'pino';
import type { SiteService } from '../site-service.ts';
import { apiRoutes, type ApiContext } from './app.ts';
import type { ListenOptions } from './listen.ts';
import { readTlsFiles } from '../config/tls-files.ts';
import { listenProblem } from '../util/listen-error.ts';
import { STOP_GRACE_MS } from '../federation/close.ts';

export { apiListenOptions, type ListenOptions } from './listen.ts';

export class ApiService implements SiteService {
  readonly name = 'api';
  /** a configured listener that cannot listen stops the daemon, as the web UI does */
  readonly required = true;
  private server: Server | null = null;

  /** `api`: the site's API state (wiring.ts shares one with the web UI); `site`: the site folder (TLS files) and the log */
  constructor(
    private readonly listen: ListenOptions,
    private readonly api: ApiContext,
    private readonly site: { readonly base: string; readonly log: Logger },
  ) {}

  /** The port actually bound (after start). */
  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? 0;
  }

  get tls(): boolean {
    return Boolean(this.listen.cert && this.listen.key);
  }

  async start(): Promise<void> {
    const site = this.site;
    const app = apiRoutes(this.api, { listenHost: () => this.listen.hostname });
    const l = this.listen;
    const server = (
      this.tls
        ? createAdaptorServer({
            fetch: app.fetch,
            createServer: createHttps,
            serverOptions: await readTlsFiles(site.base, 'api', l.cert!, l.key!),
          })
        : createAdaptorServer({ fetch: app.fetch })
    ) as Server;
    await new Promise<void>((ok, reject) => {
      const fail = (e: Error): void => reject(new Error(listenProblem(e, l.hostname, l.port)));
      server.once('error', fail);
      server.listen(l.port, l.hostname || undefined, () => {
        server.off('error', fail);
        ok();
      });
    });
    this.server = server;
    site.log.info({ hostname: l.hostname || '*', port: this.port, tls: this.tls }, 'API listener started');
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((done) => {
      // a request still running after the grace is cut: a stop is bounded (src/federation/close.ts)
      const cut = setTimeout(() => server.closeAllConnections(), STOP_GRACE_MS);
      server.close(() => (clearTimeout(cut), done()));
      // keep-alive clients must not hold the shutdown
      server.closeIdleConnections();
    });
  }
}
