/**
 * What operations (./ops.ts, ./escalation.ts) ask of the site: the narrow
 * host src/ops/site.ts builds, and the notification rules of a check.
 */
import type { Clock } from '../engine/clock.ts';
import type { CheckState } from '../engine/state.ts';
import type { OpsConfig } from './config.ts';
import type { CheckFacts } from './maintenance.ts';

export interface CheckRules {
  failAction: boolean;
  passAction: boolean;
  threshold: number;
  retries: number;
  actions: string[];
  escalation: string | null;
  /** false when the check is paused or not runnable */
  live: boolean;
}

export interface OpsHost {
  clock: Clock;
  readOnly: boolean;
  config(): OpsConfig;
  checks(): Iterable<string>;
  facts(name: string): CheckFacts | null;
  rules(name: string): CheckRules | null;
  state(name: string): CheckState;
  actionActive(action: string): boolean;
  /** whether an action notifies on WARN (issue 19 WARN state) */
  actionWarns?(action: string): boolean;
  /** queues a notification of the check's current state to `actions` */
  send(name: string, actions: string[], kind: 'transition' | 'escalation'): void;
  warn(message: string, level?: 'info' | 'warn'): void;
  /** a check became quiet or loud (ack, window start/end): reminders reconsider it */
  quietChanged(name: string): void;
  /** days of decision trace to keep (the history's) */
  keepDays(): number;
}
