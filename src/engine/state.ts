/**
 * The check state machine (spec §3.2, §4.14): a pure function from
 * (rules, state, input, now) to (state', events). No I/O, no clock, no type
 * switches: the runner and the MQTT receiver feed it inputs.
 */

/** bool, or for a sequence the failing member names ('' = pass). Compared by value. */
export type FailState = boolean | string;

export interface StateMetric {
  name: string;
  value: number;
  unit?: string;
}

export interface CheckState {
  failState: FailState;
  failCount: number;
  /** A remote check's threshold as published by its owner (spec §7.3); null for local checks. */
  threshold: number | null;
  softFail: string | null;
  level: string | null;
  log: string[];
  lastCheck: number | null;
  lastFail: number | null;
  lastPass: number | null;
  lastUpdate: number | null;
  /**
   * siteward: true while the current failing state was never announced (entered
   * through a dependency soft-fail). Recovery from it sends no PASS, and a real
   * failure that follows it sends FAIL (fixes spec §3.2 "[bug] soft-fail then
   * recovery sends PASS").
   */
  silent: boolean;
  metrics: StateMetric[];
}

/** spec §3.1: new checks start in FAIL. */
export function initialState(): CheckState {
  return {
    failState: true, failCount: 0, threshold: null, softFail: null, level: null, log: [],
    lastCheck: null, lastFail: null, lastPass: null, lastUpdate: null, silent: false, metrics: [],
  };
}

export interface Rules {
  threshold: number;
  failAction: boolean;
  passAction: boolean;
  paused: boolean;
}

/** The state machine's rules as a check's config states them: the one place they are read from config. */
export function rulesOf(c: Rules): Rules {
  return { threshold: c.threshold, failAction: c.failAction, passAction: c.passAction, paused: c.paused };
}

export type Input =
  /** the check is paused (spec §3.2 step 1) */
  | { kind: 'paused' }
  /** a dependency is failing: this run soft-fails without running (spec §3.2 step 3) */
  | { kind: 'softfail'; dependency: string }
  /** the final outcome of a run (after retries) */
  | {
      kind: 'result';
      fail: FailState;
      log: string[];
      level?: string | null;
      softFail?: string | null;
      metrics?: StateMetric[];
    }
  /** a state update received from another instance (spec §4.14) */
  | { kind: 'remote'; data: RemoteData }
  /**
   * this instance's own verdict on a remote check — no update for its
   * timeout, or its instance went offline (federation/staleness.ts): a fact,
   * not a flaky measurement, so it fails at once (threshold 1)
   */
  | { kind: 'verdict'; log: string[] };

/** A validated remote payload's `data` with times already parsed (spec §7.4). */
export interface RemoteData {
  failState: FailState;
  failCount: number | null;
  threshold: number | null;
  log: string[];
  softFail: string | null;
  level: string | null;
  lastCheck: number | null;
  lastFail: number | null;
  lastPass: number | null;
}

export type StateEvent = {
  kind: 'transition';
  to: 'FAIL' | 'PASS';
  from: FailState;
  /** whether actions should be notified (rules + silent soft-fail handling) */
  notify: boolean;
};

export interface Step {
  state: CheckState;
  events: StateEvent[];
}

export const isFailing = (f: FailState): boolean => f !== false && f !== '';

/** getState() text (spec §3.2). */
export function stateText(state: CheckState, paused: boolean): 'PAUSED' | 'FAIL' | 'PASS' {
  if (paused) return 'PAUSED';
  return isFailing(state.failState) ? 'FAIL' : 'PASS';
}

export function step(rules: Rules, prev: CheckState, input: Input, now: number): Step {
  if (input.kind === 'remote') return remoteStep(rules, prev, input.data, now);
  if (input.kind === 'verdict') return step({ ...rules, threshold: 1 }, prev, { kind: 'result', fail: true, log: input.log }, now);

  // 1. Paused: no run, no notification; lastCheck and failCount untouched.
  if (rules.paused || input.kind === 'paused') {
    return { state: { ...prev, log: ['PAUSED'], failState: false, softFail: null, silent: false }, events: [] };
  }

  // 2–3. A failing dependency: soft fail, failState set directly, counter untouched.
  if (input.kind === 'softfail') {
    return {
      state: {
        ...prev,
        lastCheck: now,
        softFail: input.dependency,
        log: [`SOFTFAIL (depends=${input.dependency})`],
        failState: true,
        // entering from PASS is silent; an already announced FAIL stays announced
        silent: isFailing(prev.failState) ? prev.silent : true,
        level: prev.level,
      },
      events: [],
    };
  }

  const state: CheckState = {
    ...prev,
    lastCheck: now,
    softFail: input.softFail ?? null,
    log: input.log,
    level: input.level === undefined ? prev.level : input.level,
    metrics: input.metrics ?? [],
  };
  const events: StateEvent[] = [];

  if (isFailing(input.fail)) {
    // 6. count; report FAIL once the threshold is reached and the value changed
    state.failCount = prev.failCount + 1;
    const changed = input.fail !== prev.failState || prev.silent;
    if (state.failCount >= rules.threshold && changed) {
      events.push({ kind: 'transition', to: 'FAIL', from: prev.failState, notify: rules.failAction });
      state.failState = input.fail;
      state.lastFail = now;
      state.silent = false;
    }
  } else {
    // 7. any passing run resets the counter and reports PASS if it was failing
    state.failCount = 0;
    if (isFailing(prev.failState)) {
      events.push({ kind: 'transition', to: 'PASS', from: prev.failState, notify: rules.passAction && !prev.silent });
      state.lastPass = now;
    }
    state.failState = input.fail;
    state.silent = false;
  }
  return { state, events };
}

/** spec §4.14 "On receiving an update". */
function remoteStep(rules: Rules, prev: CheckState, d: RemoteData, now: number): Step {
  const state: CheckState = {
    ...prev,
    failState: d.failState,
    failCount: d.failCount ?? 0,
    threshold: d.threshold,
    log: d.log,
    softFail: d.softFail,
    level: d.level,
    lastCheck: d.lastCheck,
    lastFail: d.lastFail,
    lastPass: d.lastPass,
    lastUpdate: d.lastCheck ?? now,
    silent: false,
    metrics: prev.metrics,
  };
  if (rules.paused) {
    state.failState = false;
    return { state, events: [] };
  }
  const events: StateEvent[] = [];
  if (isFailing(d.failState)) {
    // fletchck compares the remote's own counters; a null counter (which crashes
    // fletchck's MQTT thread, spec §7.4 [bug]) counts as "threshold reached".
    const reached = d.failCount === null || d.threshold === null || d.failCount >= d.threshold;
    if (reached && d.failState !== prev.failState) {
      events.push({ kind: 'transition', to: 'FAIL', from: prev.failState, notify: rules.failAction });
    }
  } else if (isFailing(prev.failState)) {
    events.push({ kind: 'transition', to: 'PASS', from: prev.failState, notify: rules.passAction && !prev.silent });
  }
  return { state, events };
}

/**
 * Combines the attempts of one run (spec §3.2 step 4): only the last attempt's
 * log is kept; attempts after the first start with `Retry k/N`; when more than
 * one attempt was made and the last failed, `Failed after N tries` is appended.
 */
export function retryLog(attemptLog: string[], attempt: number, retries: number): string[] {
  return attempt > 1 ? [`Retry ${attempt}/${retries}`, ...attemptLog] : attemptLog;
}

export function finishRetries(log: string[], attempts: number, failed: boolean): string[] {
  return attempts > 1 && failed ? [...log, `Failed after ${attempts} tries`] : log;
}
