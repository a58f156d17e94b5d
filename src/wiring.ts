/**
 * What a running siteward is made of besides the engine: the services (web
 * UI, MQTT federation, API), the notifier and the migrations they own. The
 * CLI asks this module; each subsystem adds itself here in one place.
 */
import type { Site, SiteOptions, SiteService } from './site.ts';
import type { MigrationSet } from './store/db.ts';
import { OUTBOX_MIGRATIONS } from './actions/outbox/store.ts';
import { createOutbox } from './actions/outbox/site.ts';
import { MqttFederation } from './federation/mqtt.ts';
import { WebService } from './web/server.ts';
import { WEB_MIGRATIONS } from './web/sessions.ts';

export interface RunFlags {
  /** `--port`: overrides webui.port for this run */
  port?: number;
  /** `--webui=false`: run without the web UI */
  webui: boolean;
}

export function migrations(): MigrationSet[] {
  return [OUTBOX_MIGRATIONS, WEB_MIGRATIONS];
}

/** The durable outbox (docs/actions.md) delivers notifications. */
export function notifierFactory(): SiteOptions['notifier'] {
  return createOutbox;
}

/**
 * The web UI (when enabled). More HTTP endpoints (REST API, /metrics, /push,
 * /badge) join the same server with `web.mount(path, honoApp)` here.
 */
export function webService(flags: RunFlags): WebService | null {
  if (!flags.webui) return null;
  return new WebService({ port: flags.port });
}

export function services(_site: Site, flags: RunFlags): SiteService[] {
  const out: SiteService[] = [];
  const web = webService(flags);
  if (web) out.push(web);
  // MQTT federation: idle without an `mqtt` section, and it follows config edits (spec §7.6)
  out.push(new MqttFederation());
  return out;
}
