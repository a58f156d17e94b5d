/**
 * What a running siteward is made of besides the engine: the services (web
 * UI, MQTT federation, API listener), the notifier and the migrations they
 * own. The CLI asks this module; each subsystem adds itself here in one place.
 */
import type { Site, SiteOptions, SiteService } from './site.ts';
import type { MigrationSet } from './store/db.ts';
import { OUTBOX_MIGRATIONS } from './actions/outbox/store.ts';
import { createOutbox } from './actions/outbox/site.ts';
import { MqttFederation, type FederationView } from './federation/mqtt.ts';
import type { WebService } from './web/server.ts';
import { WEB_MIGRATIONS } from './web/sessions.ts';
import { API_MIGRATIONS } from './api/tokens.ts';
import { apiListenOptions } from './api/listen.ts';
import type { ApiContext, ApiDeps } from './api/app.ts';
import { outboxStats } from './api/providers.ts';
import { ZoneService } from './zone/service.ts';
import { nodeName } from './zone/config.ts';
import { RemoteWriteService } from './export/remote-write/service.ts';
import type { RemoteWriteStats } from './api/providers.ts';

export interface RunFlags {
  /** `--port`: overrides webui.port for this run */
  port?: number;
  /** `--webui=false`: run without the web UI */
  webui: boolean;
  /** `--node`: this node's name in an HA zone (docs/ha.md) */
  node?: string;
}

export function migrations(): MigrationSet[] {
  return [OUTBOX_MIGRATIONS, WEB_MIGRATIONS, API_MIGRATIONS];
}

/** The durable outbox (docs/actions.md) delivers notifications. */
export function notifierFactory(): SiteOptions['notifier'] {
  return createOutbox;
}

/** What /metrics reads from the outbox and the federation (handed over, never looked up). */
export function apiDeps(site: Site, federation: FederationView | null, remoteWrite?: RemoteWriteStats): ApiDeps {
  return {
    remoteWrite,
    outbox: outboxStats(site.notifier, () => site.loaded.actions.keys()),
    federation: {
      connected: () => federation?.isRunning === true && federation.connected,
      received: () => (federation?.isRunning ? federation.snapshot().received : 0),
      rejected: () => (federation?.isRunning ? federation.snapshot().rejectedTotal : 0),
    },
  };
}

/**
 * The web UI (when enabled), with the REST API, /metrics, /push, /badge and
 * /healthz on the same server: those authenticate with bearer tokens (or are
 * public), so they are exempt from the session CSRF check. The web UI and
 * the API (Hono, JSX views, argon2, zod-openapi, prom-client) are imported
 * only when they will listen: a headless agent does not carry them
 * (docs/performance.md). `api` is the API state this process shares between
 * its listeners.
 */
export async function webService(site: Site, flags: RunFlags, api: ApiContext, federation: FederationView | null): Promise<WebService | null> {
  if (!flags.webui || !site.settings.webui) return null;
  const [{ WebService: Web }, { API_PATH_PREFIXES, apiRoutes }] = await Promise.all([import('./web/server.ts'), import('./api/app.ts')]);
  const routes = apiRoutes(api, { listenHost: () => site.settings.webui?.hostname ?? null });
  return new Web({ port: flags.port, app: { federation } }).mount('/', routes, { exempt: API_PATH_PREFIXES });
}

/**
 * The services of a running siteward, each part built once here and handed
 * to what uses it: the MQTT federation (to /metrics and the UI), one API
 * state (to the web UI's mount and the API's own listener).
 */
export async function services(site: Site, flags: RunFlags): Promise<SiteService[]> {
  // MQTT federation: idle without an `mqtt` section, and it follows config edits (spec §7.6)
  const federation = new MqttFederation();
  // Prometheus remote-write (src/export/remote-write/): idle without a `remoteWrite` key
  const remoteWrite = new RemoteWriteService();
  const listen = apiListenOptions(site);
  const web = flags.webui && site.settings.webui;
  // the API's state (tokens, counters, push hub) exists once, for whichever listener serves it
  const api = web || listen ? (await import('./api/app.ts')).createApiContext(site, apiDeps(site, federation, remoteWrite.stats)) : null;
  const out: SiteService[] = [];
  const webui = api ? await webService(site, flags, api, federation) : null;
  if (webui) out.push(webui);
  out.push(federation);
  // maintenance windows select by a remote check's instance (src/ops): handed over here;
  // nothing is known of remote instances while the federation is not running
  site.remotes = {
    get instance() {
      return federation.isRunning ? federation.instance : null;
    },
    remoteInfo: (name) => (federation.isRunning ? federation.remoteInfo(name) : { instance: null }),
  };
  // HA zone membership (src/zone/): idle without a `zone` key
  out.push(new ZoneService({ node: nodeName(flags.node) }));
  out.push(remoteWrite);
  // the API's own listener (`api.port`), e.g. for push heartbeats with the web UI off
  if (listen && api) {
    const { ApiService } = await import('./api/service.ts');
    out.push(new ApiService(listen, api));
  }
  return out;
}
