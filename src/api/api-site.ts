/**
 * What the REST API, /metrics, /push, /badge and /healthz use of the site: a
 * narrow interface, built by src/wiring.ts (`apiSiteView`) as an object of
 * just these members and handed in — never the Site façade itself.
 */
import type { SiteView } from '../site-view.ts';
import type { ActionEntry } from '../config/model.ts';
import type { CheckState } from '../engine/state.ts';
import type { Delivered, Runner, RunReason } from '../engine/runner.ts';
import type { Scheduler } from '../engine/scheduler.ts';
import type { SiteRuntime } from '../site-runtime.ts';

export interface ApiSite extends SiteView {
  /** `--run`: nothing is written (push heartbeats are refused) */
  readonly readOnly: boolean;
  /** started and not stopped (/healthz) */
  readonly isStarted: boolean;
  /** how a check's type is shown; results not stored yet (a full disk) */
  readonly runtime: Pick<SiteRuntime, 'displayType' | 'unstoredCount'>;
  /** /metrics and /api/v1/site: runs going and waiting */
  readonly runner: Pick<Runner, 'load'>;
  /** /metrics: checks scheduled */
  readonly scheduler: Pick<Scheduler, 'size'>;
  action(name: string): ActionEntry | undefined;
  /** a push heartbeat: an outcome from outside fed to the engine (Site.deliver) */
  deliver(name: string, reason: RunReason, outcome: Delivered): Promise<CheckState | null>;
}
