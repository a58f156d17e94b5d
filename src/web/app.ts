/**
 * The web UI as a Hono app built from a Site: security headers on every
 * response, session lookup, CSRF check on every unsafe request, the page
 * routes (each with its role guard), static files, the live-update stream,
 * and any extra sub-apps (REST API, /metrics, …) mounted on the same server.
 */
import { join } from 'node:path';
import { Hono } from 'hono';
import type { FederationView } from '../federation/mqtt.ts';
import type { WebSite } from './web-site.ts';
import { loadAssets, staticRoutes } from './assets.ts';
import { PasswordChecker, sessionBinding, type Verify } from './auth.ts';
import { LoginGuard, PAIR_THROTTLE, Throttle } from './login-guard.ts';
import { TotpStore } from './twofactor/store.ts';
import { PendingLogins } from './twofactor/pending.ts';
import { OidcClient } from './oidc/client.ts';
import { twoFactorRoutes } from './routes/twofactor.tsx';
import { oidcRoutes } from './routes/oidc.tsx';
import { reportRoutes } from './routes/reports.tsx';
import { sessionMiddleware, type WebEnv } from './context.ts';
import { csrfMiddleware } from './csrf.ts';
import { formBodyMiddleware } from './form-body.ts';
import type { WebDeps, WebExtension } from './deps.ts';
import { securityHeaders } from './headers.ts';
import { compression } from './compress.ts';
import { BADGE_PREFIX } from '../api/badges.ts';
import { bodyLimits } from '../util/body-limit.ts';
import { LiveHub } from './live.ts';
import { liveMessages } from './render.tsx';
import { loadSigningKey, SessionStore } from './sessions.ts';
import { CertStore } from './certs.ts';
import { authRoutes } from './routes/auth.tsx';
import { homeRoutes } from './routes/home.tsx';
import { checksRoutes } from './routes/checks.tsx';
import { checkRoutes } from './routes/check.tsx';
import { opsRoutes } from './routes/ops.tsx';
import { actionsRoutes } from './routes/actions.tsx';
import { usersRoutes } from './routes/users.tsx';
import { configRoutes } from './routes/config.tsx';
import { eventRoutes } from './routes/events.ts';
import { tokenRoutes } from './routes/tokens.tsx';
import { isStorageError } from '../store/health.ts';
import { statusPageRoutes } from './routes/status-pages.tsx';
import { ackLinkRoutes, ACK_LINK_PREFIX } from './routes/ack-link.tsx';
import { chartRoutes } from './routes/charts.tsx';
import { hostRoutes } from './routes/hosts.tsx';
import { HostBoard, hostSource } from './hosts/board.ts';
import { GlanceCache } from './glance-cache.ts';
import { StateTally } from './tally.ts';
import { fleetRoutes } from './routes/fleet.tsx';
import type { FleetSource } from '../fleet/service.ts';
import { AdminOnly } from './scope.ts';
import { AdminRequired } from '../config/trust.ts';
import { failed } from './routes/checks.tsx';
import { handedPages, type Pages } from './pages.ts';

export type { WebEnv } from './context.ts';
export type { WebExtension } from './deps.ts';

export interface WebAppOptions {
  /** served over HTTPS (Secure cookies, HSTS, __Host- cookie names) */
  secure: boolean;
  /** session signing key; default: `<site file stem>.session-key` in the site folder */
  keyPath?: string;
  extensions?: WebExtension[];
  /** password verification (tests count calls); default argon2 */
  verify?: Verify;
  /** password verifications at once (default MAX_VERIFICATIONS) */
  maxVerifications?: number;
  /** live-update batch window (ms) */
  flushMs?: number;
  portOverride?: number;
  /** the MQTT federation of this process, for its status on the config and check pages */
  federation?: FederationView | null;
  /** the zones this instance watches, for /fleet */
  fleet?: FleetSource | null;
  /** the pages to draw; default: those the entry point handed in (src/web/pages.ts) */
  pages?: Pages;
}

export interface WebApp {
  app: Hono<WebEnv>;
  deps: WebDeps;
  /** ends live streams and stops listening to the site */
  close(): void;
  /** the status pages' start-up warm-up has finished (src/web/routes/status-pages.tsx) */
  statusReady: Promise<void>;
}

export function signingKeyPath(site: WebSite): string {
  const stem = site.configPath.slice(site.base.length + 1).replace(/\.(json|conf)$/i, '');
  return join(site.base, `${stem}.session-key`);
}

export async function buildWebApp(site: WebSite, o: WebAppOptions): Promise<WebApp> {
  const pages = o.pages ?? (await handedPages());
  const key = await loadSigningKey(o.keyPath ?? signingKeyPath(site));
  const now = (): number => site.clock.now();
  const sessions = new SessionStore(site.db, key, now);
  const extensions = [...(o.extensions ?? [])];
  const alive = (id: string): boolean => sessions.alive(id, (u, source) => sessionBinding(site.settings.webui, u, source));
  // the hub renders with the deps it is part of: the renderer reads them when a batch goes out, after both exist
  const hub: LiveHub = new LiveHub(site, (client, batch) => liveMessages(site, deps, client, batch), { alive, flushMs: o.flushMs, fleet: o.fleet });
  const deps: WebDeps = {
    site,
    sessions,
    logins: new LoginGuard(now, new PasswordChecker(o.verify), o.maxVerifications),
    secure: o.secure,
    assets: loadAssets(),
    hub,
    twofactor: {
      store: new TotpStore(site.db, key, now, () => site.name),
      pending: new PendingLogins(now),
      throttle: new Throttle(now, PAIR_THROTTLE),
    },
    oidc: new OidcClient(now, site.base),
    federation: o.federation ?? null,
    hosts: new HostBoard(hostSource(site, o.federation ?? null), site),
    glances: new GlanceCache(site, site.bus),
    tally: new StateTally(site),
    certs: new CertStore(site.db, now, site.bus),
    fleet: o.fleet ?? null,
    portOverride: o.portOverride,
    pages,
  };

  const app = new Hono<WebEnv>();
  // outermost: it sees every answer last (pages, API, static files; never the event stream)
  app.use('*', compression());
  app.use('*', securityHeaders(o.secure, [BADGE_PREFIX]));
  // before anything reads a body (CSRF and form parsing do): 413 beyond the route's limit
  app.use('*', bodyLimits());
  app.use('*', sessionMiddleware(site, sessions, o.secure));
  // /ack/<token>: the signed token is the credential (routes/ack-link.tsx)
  app.use('*', csrfMiddleware({ exempt: () => [`${ACK_LINK_PREFIX}/`, ...extensions.flatMap((e) => (e.csrf === false ? [e.path] : [...(e.exempt ?? [])]))] }));
  app.use('*', formBodyMiddleware());
  // extensions first, so their paths never fall into a page route
  for (const e of extensions) app.route(e.path, e.app);
  app.route('/', staticRoutes(deps.assets));
  app.route('/', authRoutes(deps));
  app.route('/', twoFactorRoutes(deps));
  app.route('/', oidcRoutes(deps));
  app.route('/', homeRoutes(deps));
  app.route('/', eventRoutes(deps));
  app.route('/', checksRoutes(deps));
  app.route('/', checkRoutes(deps));
  app.route('/', opsRoutes(deps));
  app.route('/', ackLinkRoutes(deps));
  app.route('/', actionsRoutes(deps));
  app.route('/', usersRoutes(deps));
  app.route('/', configRoutes(deps));
  app.route('/', tokenRoutes(deps));
  app.route('/', reportRoutes(deps));
  let statusReady: Promise<void> = Promise.resolve();
  app.route(
    '/',
    statusPageRoutes(deps, {
      ready: (p) => {
        statusReady = p;
      },
    }),
  );
  app.route('/', chartRoutes(deps));
  app.route('/', hostRoutes(deps));
  app.route('/', fleetRoutes(deps));
  app.notFound((c) => c.text('not found', 404));
  app.onError((err, c) => {
    // an edit through a check or action route that reached another section (src/web/scope.ts)
    if (err instanceof AdminOnly) return c.text(err.message, 403);
    // a change only an administrator may make (src/config/trust.ts), refused before anything was saved
    if (err instanceof AdminRequired) return failed(c, deps, 'Only an administrator may do this', err.issues, 403);
    // the database refused a write (a full disk: signing in stores a session): say so, not "internal error"
    if (isStorageError(err)) {
      return c.text(
        `siteward cannot store anything right now (${err.message}); nothing was changed. Free space on the disk that holds the site folder and try again.`,
        503,
        { 'Retry-After': '30' },
      );
    }
    site.log.error({ err, path: new URL(c.req.url).pathname }, 'web request failed');
    return c.text('internal error (see the server log)', 500);
  });
  return {
    app,
    deps,
    statusReady,
    close: () => {
      deps.hub.close();
      deps.certs.close();
      deps.hosts.close();
      deps.glances.close();
      deps.tally.close();
    },
  };
}
