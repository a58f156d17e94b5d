/**
 * Everything the routes share, built once per web server (src/web/app.ts).
 */
import type { Hono } from 'hono';
import type { WebSite } from './web-site.ts';
import type { Assets } from './assets.ts';
import type { LoginGuard } from './login-guard.ts';
import type { WebEnv } from './context.ts';
import type { LiveHub } from './live.ts';
import type { SessionStore } from './sessions.ts';
import type { TotpStore } from './twofactor/store.ts';
import type { PendingLogins } from './twofactor/pending.ts';
import type { Throttle } from './login-guard.ts';
import type { OidcClient } from './oidc/client.ts';
import type { FederationView } from '../federation/mqtt.ts';
import type { HostBoard } from './hosts/board.ts';
import type { GlanceCache } from './glance-cache.ts';
import type { StateTally } from './tally.ts';
import type { CertStore } from './certs.ts';
import type { FleetSource } from '../fleet/service.ts';
import type { Pages } from './page-props.ts';

/**
 * A sub-app mounted on the same server (REST API, /metrics, /push, /badge).
 * It gets the security headers and the session lookup (`c.get('auth')`);
 * it does its own authorisation (e.g. with `need()` or bearer tokens).
 * `csrf: false` exempts its unsafe methods from the session CSRF check — only
 * for endpoints that never accept the session cookie as authority.
 */
export interface WebExtension {
  path: string;
  app: Hono<WebEnv>;
  /** false: the whole mount is exempt from the session CSRF check */
  csrf?: boolean;
  /** path prefixes exempt from the session CSRF check (bearer-token and public endpoints) */
  exempt?: readonly string[];
}

export interface WebDeps {
  site: WebSite;
  sessions: SessionStore;
  /** password verification with its throttles and concurrency cap */
  logins: LoginGuard;
  /** served over HTTPS (Secure cookies, HSTS) */
  secure: boolean;
  assets: Assets;
  hub: LiveHub;
  /** TOTP second factor: the per-user store, sign-ins waiting for a code, wrong-code throttle per user */
  twofactor: { store: TotpStore; pending: PendingLogins; throttle: Throttle };
  /** single sign-on (OpenID Connect relying party) */
  oidc: OidcClient;
  /** the MQTT federation of this process (wiring.ts), null without one */
  federation: FederationView | null;
  /** the hosts view's index and history reader (src/web/hosts/) */
  hosts: HostBoard;
  /** the checks list's heartbeat bars and uptime, kept until a check runs (src/web/glance-cache.ts) */
  glances: GlanceCache;
  /** every check's display state and the counts by state, kept between requests (src/web/tally.ts) */
  tally: StateTally;
  /** the certificate each TLS check was last shown (the check page's panel) */
  certs: CertStore;
  /** the zones this instance watches (src/fleet/), null without a `fleet` key */
  fleet?: FleetSource | null;
  /** the pages and partials the UI draws (views/index.ts, handed in at start-up: src/web/pages.ts) */
  pages: Pages;
  /** `--port`: the listen port regardless of webui.port */
  portOverride?: number;
}
