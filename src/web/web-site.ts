/**
 * What the web UI (its server, routes and page models) uses of the site: a
 * narrow view of the façade, handed in by src/wiring.ts — never the whole
 * Site with its engine parts (no runner, scheduler or database handle to
 * reach around the engine through).
 */
import type { Site } from '../site.ts';

export type WebSite = Pick<
  Site,
  | 'name'
  | 'loaded'
  | 'settings'
  | 'configPath'
  | 'base'
  | 'clock'
  | 'log'
  | 'bus'
  | 'entry'
  | 'state'
  | 'issuesFor'
  | 'sortedChecks'
  | 'nextRun'
  | 'env'
  | 'warn'
  | 'mutate'
  | 'announceConfig'
  | 'runNow'
  | 'store'
  | 'db'
  | 'siteLog'
  | 'storage'
  | 'ops'
  | 'notifier'
  | 'runtime'
  | 'zone'
>;
