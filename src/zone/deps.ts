/**
 * What the zone service uses of the site, passed in by src/wiring.ts (never
 * the whole Site, docs/architecture.md), and its options: the config in
 * force, the engine's entries and states, the notifier, and the federation's
 * paths for a received config revision (mutate) and a peer's run
 * (applyRemote). Moved out of service.ts (issue 23) unchanged.
 */
import type { Logger } from 'pino';
import type { LoadedSite, SiteSettings } from '../config/load.ts';
import type { FederationDeps } from '../federation/deps.ts';
import type { NotifySite } from './notify.ts';

export interface ZoneServiceOptions {
  /** this node's name (cli: --node, SITEWARD_NODE, host name) */
  node: string;
}

/** What the zone uses of the site (passed in by wiring.ts; never the whole Site): the notification side's part, and more. */
export interface ZoneDeps extends NotifySite {
  readonly loaded: LoadedSite;
  readonly settings: SiteSettings;
  readonly configPath: string;
  readonly base: string;
  readonly log: Logger;
  /** config replication saves a received revision through the site's one mutation path */
  mutate: FederationDeps['mutate'];
  /** state replication feeds the owner's runs in through the remote path */
  applyRemote: FederationDeps['applyRemote'];
}
