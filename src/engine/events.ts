/**
 * The site's event bus: what is announced after a result is committed. The
 * commit itself (site-runtime.ts) writes the state, the history row, the
 * transitions and the outbox's notifications in one transaction — they are
 * not bus listeners, so a crash cannot keep one and lose another. MQTT
 * publish, the live UI, metrics and the site log listen here.
 */
import { EventEmitter } from 'node:events';
import type { CheckState, StateEvent } from './state.ts';
import type { RunReason } from './runner.ts';
import type { Outcome } from '../checks/types.ts';
import type { StoreProblem } from '../store/health.ts';
import type { Notification } from '../actions/types.ts';

export interface SiteEvents {
  /** a check ran (or was paused / soft-failed) and its state was committed */
  run: [{ name: string; state: CheckState; reason: RunReason; durationMs: number | null; outcome: Outcome | null }];
  /** a PASS/FAIL transition (after the run event's state was committed) */
  transition: [{ name: string; event: StateEvent; state: CheckState }];
  /** any committed state change: runs, remote updates, renames */
  state: [{ name: string; state: CheckState }];
  /** the configuration changed (after it was saved) */
  config: [{ changed: string[]; removed: string[]; renamed: [string, string][] }];
  /** a scheduled run started `ms` after its planned time (scheduler lateness, for /metrics) */
  lateness: [{ name: string; ms: number }];
  /** a check was acknowledged or entered/left maintenance: reminders reconsider it (src/ops) */
  quiet: [{ name: string }];
  /** a line was added to the volatile site log */
  log: [{ line: string }];
  /** an action delivered a notification (`sent`) or gave up on it (the HA zone's notified records) */
  delivered: [{ action: string; n: Notification; sent: boolean }];
  /** what siteward cannot store began, changed or ended (null): the UI's banner, /healthz */
  storage: [{ problem: StoreProblem | null }];
}

export class SiteBus extends EventEmitter<SiteEvents> {
  constructor() {
    super();
    // many independent subscribers (UI streams, MQTT, metrics) are normal here
    this.setMaxListeners(0);
  }
}
