/**
 * What the web UI (its server, routes and page models) uses of the site: a
 * narrow interface, built by src/wiring.ts (`webSiteView`) as an object of
 * just these members and handed in — never the Site façade with its engine
 * parts (no runner, scheduler or runtime to reach around the engine through).
 */
import type { SiteView } from '../site-view.ts';
import type { SiteLogStore } from '../store/sitelog.ts';
import type { RunEnv } from '../checks/types.ts';
import type { SiteRuntime } from '../site-runtime.ts';

export interface WebSite extends SiteView {
  readonly configPath: string;
  /** what checks may need from the site (template previews) */
  readonly env: RunEnv;
  readonly siteLog: Pick<SiteLogStore, 'all' | 'clear'>;
  /** how a check's type is shown (a check type's displayType hook) */
  readonly runtime: Pick<SiteRuntime, 'displayType'>;
  announceConfig(event: string, quiet?: 'info' | 'warn'): void;
}
