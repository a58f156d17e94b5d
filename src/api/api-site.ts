/**
 * What the REST API (its routes, /push, /badge, /metrics) uses of the site:
 * a narrow view of the façade, handed in by src/wiring.ts — never the whole
 * Site.
 */
import type { Site } from '../site.ts';

export type ApiSite = Pick<
  Site,
  | 'name'
  | 'loaded'
  | 'settings'
  | 'base'
  | 'clock'
  | 'log'
  | 'bus'
  | 'readOnly'
  | 'isStarted'
  | 'entry'
  | 'action'
  | 'state'
  | 'issuesFor'
  | 'sortedChecks'
  | 'nextRun'
  | 'warn'
  | 'mutate'
  | 'runNow'
  | 'deliver'
  | 'store'
  | 'db'
  | 'storage'
  | 'ops'
  | 'notifier'
  | 'runtime'
  | 'runner'
  | 'scheduler'
  | 'zone'
>;
