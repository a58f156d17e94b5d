/**
 * What both the web UI (src/web/web-site.ts) and the REST API
 * (src/api/api-site.ts) use of the site: the parts they read and the
 * façade's queries and inputs. src/wiring.ts builds each view as an object
 * of just its members; no service gets the Site façade itself.
 */
import type { Database as Db } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { LoadedSite, SiteSettings } from './config/load.ts';
import type { Issue } from './config/issues.ts';
import type { Doc } from './config/edits.ts';
import type { MutateResult } from './config/live.ts';
import type { CheckEntry } from './config/model.ts';
import type { StateStore } from './store/state.ts';
import type { StoreHealth } from './store/health.ts';
import type { Clock } from './engine/clock.ts';
import type { RunReason } from './engine/runner.ts';
import type { SiteBus } from './engine/events.ts';
import type { CheckState } from './engine/state.ts';
import type { Notifier } from './actions/dispatch.ts';
import type { ZoneHook } from './zone/hook.ts';
import type { Ops } from './ops/ops.ts';

export interface SiteView {
  /** the config in force now (replaced whole by each edit) */
  readonly loaded: LoadedSite;
  readonly settings: SiteSettings;
  readonly name: string;
  readonly base: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** transitions and config changes, live */
  readonly bus: SiteBus;
  /** the HA zone's hook: null while this node is in no zone */
  readonly zone: ZoneHook | null;
  /** the services' own tables (sessions, tokens, certificates, incidents, chart tiers) */
  readonly db: Db;
  readonly store: StateStore;
  readonly storage: Pick<StoreHealth, 'problem'>;
  readonly ops: Ops;
  readonly notifier: Notifier;
  entry(name: string): CheckEntry | undefined;
  state(name: string): CheckState;
  issuesFor(name: string): Issue[];
  sortedChecks(): CheckEntry[];
  nextRun(name: string): number | null;
  warn(message: string, level?: 'info' | 'warn'): void;
  mutate(edit: (doc: Doc) => Doc, opts?: { renamed?: [string, string][]; allowErrors?: boolean }): Promise<MutateResult>;
  runNow(name: string, reason?: RunReason): Promise<CheckState | null>;
}
