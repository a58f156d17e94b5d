/**
 * "Why did it alert (or not)?" (issue 19): the decision taken for one
 * transition or one later notification (end of maintenance, escalation step),
 * as data. `decide` is pure and table-tested: given the state machine's event
 * and what operations know (maintenance, ack), it says which actions are
 * notified and why each other one is not.
 */
import type { StateEvent } from '../engine/state.ts';

export type DecisionKind = 'transition' | 'maintenance-end' | 'escalation';

export interface Decision {
  t: number;
  kind: DecisionKind;
  /** the state announced (FAIL, PASS, WARN) */
  to: string;
  /** the state before (PASS, FAIL, WARN, or a sequence's failing members) */
  from: string;
  /** the run's result: its last log line */
  result: string | null;
  failCount: number;
  threshold: number;
  retries: number;
  /** the failing dependency when this was a soft fail */
  dependency: string | null;
  maintenance: string | null;
  ack: { by: string; at: number; comment: string } | null;
  /** escalation step (1-based) for kind 'escalation' */
  escalationStep: number | null;
  notified: string[];
  skipped: { action: string; why: string }[];
  /** one sentence for people */
  summary: string;
}

export interface DecideInput {
  t: number;
  event: Pick<StateEvent, 'to' | 'from' | 'notify' | 'fromWarn'>;
  rules: { failAction: boolean; passAction: boolean; threshold: number; retries: number };
  state: { failCount: number; softFail: string | null; log: readonly string[] };
  /** the check's actions, with whether each can send */
  actions: readonly { name: string; active: boolean; warn?: boolean }[];
  maintenance: string | null;
  ack: Decision['ack'];
}

const fromText = (f: StateEvent['from'], warn?: boolean): string => (f === true ? 'FAIL' : f === false || f === '' ? (warn ? 'WARN' : 'PASS') : String(f));

/** The decision for a state-machine transition. */
export function decide(i: DecideInput): Decision {
  const { event, rules } = i;
  let blocked: string | null = null;
  if (!event.notify) {
    if (event.to === 'FAIL' && !rules.failAction) blocked = 'failAction is off for this check';
    else if (event.to === 'WARN' && !rules.failAction) blocked = 'failAction is off for this check';
    else if (event.to === 'PASS' && !rules.passAction) blocked = 'passAction is off for this check';
    else if (event.to === 'PASS') blocked = 'the failure was never announced (it came from a failing dependency)';
    else blocked = 'the state machine did not ask for a notification';
  } else if (i.maintenance !== null) {
    blocked = `in maintenance (window "${i.maintenance}")`;
  }
  // WARN, and the way back from it to PASS, go only to actions that asked (notifyWarn)
  const warnOnly =
    event.to === 'WARN'
      ? 'the action does not notify on WARN (notifyWarn)'
      : event.fromWarn && event.to === 'PASS'
        ? 'the action was not told of the WARN (notifyWarn)'
        : null;
  const notified: string[] = [];
  const skipped: Decision['skipped'] = [];
  for (const a of i.actions) {
    if (blocked) skipped.push({ action: a.name, why: blocked });
    else if (!a.active) skipped.push({ action: a.name, why: 'the action has a configuration error' });
    else if (warnOnly && !a.warn) skipped.push({ action: a.name, why: warnOnly });
    else notified.push(a.name);
  }
  const to = event.to;
  let summary: string;
  if (notified.length) summary = `${to}: notified ${notified.join(', ')}`;
  else if (blocked) summary = `${to}: nobody notified: ${blocked}`;
  else if (i.actions.length === 0) summary = `${to}: nobody notified: the check has no actions`;
  else summary = `${to}: nobody notified`;
  return {
    t: i.t,
    kind: 'transition',
    to,
    from: fromText(event.from, event.fromWarn),
    result: i.state.log[i.state.log.length - 1] ?? null,
    failCount: i.state.failCount,
    threshold: rules.threshold,
    retries: rules.retries,
    dependency: i.state.softFail,
    maintenance: i.maintenance,
    ack: i.ack,
    escalationStep: null,
    notified,
    skipped,
    summary,
  };
}
