/**
 * The web UI service: listens on webui.hostname / port (SITEWARD_WEBUI_HOSTNAME
 * and SITEWARD_WEBUI_PORT override them, `--port` overrides the port again),
 * over HTTPS when webui.cert and webui.key are set, plain HTTP with a warning
 * otherwise (fletchck is HTTPS-only, spec §8.1). It follows configuration
 * changes: new certificate files are loaded in place; a new address, port or
 * protocol moves the listener (and keeps the old one if the new one fails).
 */
import type { Hono } from 'hono';
import { createServer as createHttp, type Server } from 'node:http';
import { createSecureServer, type Http2SecureServer } from 'node:http2';
import type { Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { WebSite } from './web-site.ts';
import type { SiteService } from '../site-service.ts';
import type { WebuiConfig } from '../config/load.ts';
import { readTlsFiles } from '../config/tls-files.ts';
import { listenProblem } from '../util/listen-error.ts';
import { buildWebApp, type WebApp, type WebAppOptions } from './app.ts';
import type { WebExtension } from './deps.ts';
import { webListenOverride, type WebListenOverride } from './listen-env.ts';

export interface WebServiceOptions {
  /** `--port` (0: any free port, for tests) */
  port?: number;
  /** SITEWARD_WEBUI_HOSTNAME / SITEWARD_WEBUI_PORT; default: read from the environment */
  env?: WebListenOverride;
  extensions?: WebExtension[];
  app?: Omit<WebAppOptions, 'secure' | 'extensions' | 'portOverride'>;
}

interface Listening {
  server: Server | Http2SecureServer;
  /** open TLS sockets (HTTP/2 sessions have no closeAllConnections) */
  sockets: Set<Socket>;
  secure: boolean;
  host: string | undefined;
  port: number;
  cert: string | null;
  key: string | null;
}

export class WebService implements SiteService {
  readonly name = 'web';
  /** asked for: a web UI that cannot listen stops the daemon (it must not claim an address it does not serve) */
  readonly required = true;
  private web: WebApp | null = null;
  private live: Listening | null = null;
  private readonly extensions: WebExtension[];
  private onConfig: (() => void) | null = null;
  private moving: Promise<void> = Promise.resolve();

  private readonly env: WebListenOverride;

  /** `site`: what the web UI uses of the site (wiring.ts builds it). */
  constructor(
    private readonly site: WebSite,
    private readonly o: WebServiceOptions = {},
  ) {
    this.extensions = [...(o.extensions ?? [])];
    this.env = o.env ?? webListenOverride();
  }

  /** Adds a sub-app (REST API, /metrics, /push, /badge) before start. */
  mount(path: string, app: WebExtension['app'] | Hono, opts: { csrf?: boolean; exempt?: readonly string[] } = {}): this {
    if (this.web) throw new Error('mount() must be called before the web service starts');
    this.extensions.push({ path, app: app as WebExtension['app'], csrf: opts.csrf, exempt: opts.exempt });
    return this;
  }

  /** The address it listens on (after start), e.g. for tests on port 0. */
  address(): { url: string; port: number; secure: boolean } | null {
    if (!this.live) return null;
    const port = (this.live.server.address() as AddressInfo | null)?.port ?? this.live.port;
    const host = this.live.host && this.live.host !== '0.0.0.0' && this.live.host !== '::' ? this.live.host : '127.0.0.1';
    const shown = host.includes(':') ? `[${host}]` : host;
    return { url: `${this.live.secure ? 'https' : 'http'}://${shown}:${port}`, port, secure: this.live.secure };
  }

  get app(): WebApp | null {
    return this.web;
  }

  async start(): Promise<void> {
    const site = this.site;
    const w = site.settings.webui;
    if (!w) {
      site.warn('Running without webui');
      return;
    }
    this.live = await this.listen(site, w);
    const prev = { ...w };
    let last = prev;
    this.onConfig = () => {
      const next = site.settings.webui;
      if (!next) return;
      const moved = ['hostname', 'port', 'cert', 'key'].some((k) => (next as Record<string, unknown>)[k] !== (last as Record<string, unknown>)[k]);
      last = { ...next };
      if (moved) this.moving = this.moving.then(() => this.follow(site, next));
    };
    site.bus.on('config', this.onConfig);
  }

  private portOf(w: WebuiConfig): number | null {
    return this.o.port ?? this.env.port ?? w.port;
  }

  private hostOf(w: WebuiConfig): string | undefined {
    const h = this.env.hostname ?? w.hostname;
    return h ? h : undefined;
  }

  private async tls(w: WebuiConfig): Promise<{ cert: Buffer; key: Buffer } | null> {
    if (!w.cert || !w.key) return null;
    return readTlsFiles(this.site.base, 'webui', w.cert, w.key);
  }

  private async listen(site: WebSite, w: WebuiConfig): Promise<Listening> {
    const port = this.portOf(w);
    if (port === null) throw new Error('webui.port is not set (use --port or set it in the site file)');
    const tls = await this.tls(w);
    const secure = tls !== null;
    if (!secure) {
      site.warn('Web UI without TLS: set webui.cert and webui.key for HTTPS (plain HTTP exposes passwords and session cookies on the network)');
    }
    // one app per protocol: cookie names and HSTS depend on it
    if (!this.web || this.live?.secure !== secure) {
      this.web?.close();
      this.web = await buildWebApp(site, { ...this.o.app, secure, extensions: this.extensions, portOverride: this.o.port ?? this.env.port });
    }
    const web = this.web;
    const listener = getRequestListener((req, env) => web.app.fetch(req, env), {
      errorHandler: (err) => {
        site.log.error({ err }, 'web request failed');
      },
    });
    // the listener handles its own errors (errorHandler above); nothing awaits it
    const handle = (req: Parameters<typeof listener>[0], res: Parameters<typeof listener>[1]): void => void listener(req, res);
    // HTTPS speaks HTTP/2 (with HTTP/1.1 for old clients): every open page holds
    // an event stream, and HTTP/1.1 browsers allow only six connections per host
    const sockets = new Set<Socket>();
    let server: Server | Http2SecureServer;
    if (secure) {
      const h2 = createSecureServer({ cert: tls.cert, key: tls.key, allowHTTP1: true }, handle);
      h2.on('secureConnection', (sock: Socket) => {
        sockets.add(sock);
        sock.once('close', () => sockets.delete(sock));
      });
      server = h2;
    } else {
      const h1 = createHttp(handle);
      // an idle keep-alive socket must not hold stop() up; SSE streams are ended by the hub
      h1.keepAliveTimeout = 5000;
      server = h1;
    }
    const host = this.hostOf(w);
    await new Promise<void>((resolve, reject) => {
      const fail = (e: Error): void => reject(new Error(listenProblem(e, host, port)));
      server.once('error', fail);
      server.listen(port, host === 'localhost' ? '127.0.0.1' : host, () => {
        server.off('error', fail);
        resolve();
      });
    });
    server.on('error', (e) => site.log.error({ err: e }, 'web server error'));
    server.on('tlsClientError', (e) => site.log.debug({ err: e.message }, 'TLS handshake failed'));
    const live: Listening = { server, sockets, secure, host, port, cert: w.cert, key: w.key };
    const addr = server.address() as AddressInfo;
    site.log.info({ url: `${secure ? 'https' : 'http'}://${host ?? '*'}:${addr.port}` }, 'web UI listening');
    return live;
  }

  /** Applies a changed webui section to the running server. */
  private async follow(site: WebSite, w: WebuiConfig): Promise<void> {
    const cur = this.live;
    if (!cur) return;
    try {
      const tls = await this.tls(w);
      const samePlace = this.hostOf(w) === cur.host && this.portOf(w) === cur.port;
      if (samePlace && cur.secure && tls) {
        (cur.server as Http2SecureServer).setSecureContext({ cert: tls.cert, key: tls.key });
        cur.cert = w.cert;
        cur.key = w.key;
        site.warn('Web UI certificate reloaded');
        return;
      }
      await this.close(cur, false);
      this.live = null;
      this.live = await this.listen(site, w);
      site.warn(`Web UI moved to ${this.address()?.url ?? '?'}`);
    } catch (e) {
      site.warn(`Web UI could not apply the new settings (${(e as Error).message}); keeping the previous ones`);
      if (!this.live) {
        try {
          this.live = await this.listen(site, { ...w, hostname: cur.host ?? '', port: cur.port, cert: cur.cert, key: cur.key });
        } catch (e2) {
          site.warn(`Web UI is down: ${(e2 as Error).message}`);
        }
      }
    }
  }

  private async close(l: Listening, endStreams: boolean): Promise<void> {
    if (endStreams) this.web?.close();
    await new Promise<void>((resolve) => {
      l.server.close(() => resolve());
      if ('closeAllConnections' in l.server) l.server.closeAllConnections();
      for (const s of l.sockets) s.destroy();
    });
  }

  async stop(): Promise<void> {
    if (this.onConfig) this.site.bus.off('config', this.onConfig);
    await this.moving.catch(() => undefined);
    this.web?.close();
    if (this.live) await this.close(this.live, true);
    this.live = null;
  }
}
