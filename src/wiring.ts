/**
 * What a running siteward is made of besides the engine: the services (web
 * UI, MQTT federation, API), the notifier and the migrations they own. The
 * CLI asks this module; each subsystem adds itself here in one place.
 */
import type { Site, SiteOptions, SiteService } from './site.ts';
import type { MigrationSet } from './store/db.ts';
import { API_MIGRATIONS } from './api/tokens.ts';
import { ApiService, apiListenOptions } from './api/service.ts';

export interface RunFlags {
  /** `--port`: overrides webui.port for this run */
  port?: number;
  /** `--webui=false`: run without the web UI */
  webui: boolean;
}

export function migrations(): MigrationSet[] {
  return [API_MIGRATIONS];
}

export function notifierFactory(): SiteOptions['notifier'] {
  return undefined;
}

export function services(site: Site, _flags: RunFlags): SiteService[] {
  const out: SiteService[] = [];
  // the API's own listener (api.port); the web UI also mounts the same routes (src/api/app.ts mountApi)
  const api = apiListenOptions(site);
  if (api) out.push(new ApiService(api));
  return out;
}
