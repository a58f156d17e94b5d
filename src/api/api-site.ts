/**
 * What the REST API, /metrics, /push, /badge and /healthz use of the site: a
 * narrow interface, built by src/wiring.ts (`apiSiteView`) as an object of just
 * these members and handed in — never the Site façade itself.
 */
import type { Database as Db } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { LoadedSite, SiteSettings } from '../config/load.ts';
import type { Issue } from '../config/issues.ts';
import type { Doc } from '../config/edits.ts';
import type { MutateResult } from '../config/live.ts';
import type { ActionEntry, CheckEntry } from '../config/model.ts';
import type { StateStore } from '../store/state.ts';
import type { StoreHealth } from '../store/health.ts';
import type { Clock } from '../engine/clock.ts';
import type { Delivered, Runner, RunReason } from '../engine/runner.ts';
import type { Scheduler } from '../engine/scheduler.ts';
import type { SiteBus } from '../engine/events.ts';
import type { CheckState } from '../engine/state.ts';
import type { Notifier } from '../actions/dispatch.ts';
import type { ZoneHook } from '../zone/hook.ts';
import type { Ops } from '../ops/ops.ts';
import type { SiteRuntime } from '../site-runtime.ts';

export interface ApiSite {
  /** the config in force now (replaced whole by each edit) */
  readonly loaded: LoadedSite;
  readonly settings: SiteSettings;
  readonly name: string;
  readonly base: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly bus: SiteBus;
  /** `--run`: nothing is written (push heartbeats are refused) */
  readonly readOnly: boolean;
  /** started and not stopped (/healthz) */
  readonly isStarted: boolean;
  /** the HA zone's hook: null while this node is in no zone */
  readonly zone: ZoneHook | null;
  /** API tokens keep their table here; /healthz asks whether it is open */
  readonly db: Db;
  readonly store: StateStore;
  readonly storage: Pick<StoreHealth, 'problem'>;
  readonly ops: Ops;
  readonly notifier: Notifier;
  /** how a check's type is shown; results not stored yet (a full disk) */
  readonly runtime: Pick<SiteRuntime, 'displayType' | 'unstoredCount'>;
  /** /metrics and /api/v1/site: runs going and waiting */
  readonly runner: Pick<Runner, 'load'>;
  /** /metrics: checks scheduled */
  readonly scheduler: Pick<Scheduler, 'size'>;
  entry(name: string): CheckEntry | undefined;
  action(name: string): ActionEntry | undefined;
  state(name: string): CheckState;
  issuesFor(name: string): Issue[];
  sortedChecks(): CheckEntry[];
  nextRun(name: string): number | null;
  warn(message: string, level?: 'info' | 'warn'): void;
  mutate(edit: (doc: Doc) => Doc, opts?: { renamed?: [string, string][]; allowErrors?: boolean }): Promise<MutateResult>;
  runNow(name: string, reason?: RunReason): Promise<CheckState | null>;
  /** a push heartbeat: an outcome from outside fed to the engine (Site.deliver) */
  deliver(name: string, reason: RunReason, outcome: Delivered): Promise<CheckState | null>;
}
