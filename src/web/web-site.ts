/**
 * What the web UI (its server, routes and page models) uses of the site: a
 * narrow interface, built by src/wiring.ts (`webSiteView`) as an object of just
 * these members and handed in — never the Site façade with its engine parts
 * (no runner, scheduler or runtime to reach around the engine through).
 */
import type { Database as Db } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { LoadedSite, SiteSettings } from '../config/load.ts';
import type { Issue } from '../config/issues.ts';
import type { Doc } from '../config/edits.ts';
import type { MutateResult } from '../config/live.ts';
import type { CheckEntry } from '../config/model.ts';
import type { StateStore } from '../store/state.ts';
import type { SiteLogStore } from '../store/sitelog.ts';
import type { StoreHealth } from '../store/health.ts';
import type { Clock } from '../engine/clock.ts';
import type { RunReason } from '../engine/runner.ts';
import type { SiteBus } from '../engine/events.ts';
import type { CheckState } from '../engine/state.ts';
import type { RunEnv } from '../checks/types.ts';
import type { Notifier } from '../actions/dispatch.ts';
import type { ZoneHook } from '../zone/hook.ts';
import type { Ops } from '../ops/ops.ts';
import type { SiteRuntime } from '../site-runtime.ts';

export interface WebSite {
  /** the config in force now (replaced whole by each edit) */
  readonly loaded: LoadedSite;
  readonly settings: SiteSettings;
  readonly name: string;
  readonly configPath: string;
  readonly base: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** transitions and config changes, live (SSE) */
  readonly bus: SiteBus;
  /** what checks may need from the site (template previews) */
  readonly env: RunEnv;
  /** the HA zone's hook: null while this node is in no zone */
  readonly zone: ZoneHook | null;
  /** sessions, TOTP, certificates, incidents and chart tiers keep their tables here */
  readonly db: Db;
  readonly store: StateStore;
  readonly siteLog: Pick<SiteLogStore, 'all' | 'clear'>;
  readonly storage: Pick<StoreHealth, 'problem'>;
  readonly ops: Ops;
  readonly notifier: Notifier;
  /** how a check's type is shown (a check type's displayType hook) */
  readonly runtime: Pick<SiteRuntime, 'displayType'>;
  entry(name: string): CheckEntry | undefined;
  state(name: string): CheckState;
  issuesFor(name: string): Issue[];
  sortedChecks(): CheckEntry[];
  nextRun(name: string): number | null;
  warn(message: string, level?: 'info' | 'warn'): void;
  mutate(edit: (doc: Doc) => Doc, opts?: { renamed?: [string, string][]; allowErrors?: boolean }): Promise<MutateResult>;
  announceConfig(event: string, quiet?: 'info' | 'warn'): void;
  runNow(name: string, reason?: RunReason): Promise<CheckState | null>;
}
