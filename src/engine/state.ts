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
  /** the run's thresholds (src/checks/types.ts Metric): the chart's warning/critical bands */
  warn?: number;
  crit?: number;
  critLow?: number;
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
  /**
   * siteward: the check passes but a level crossed its warning threshold
   * (issue 19). WARN sits between PASS and FAIL: failState stays false, so
   * fletchck peers see PASS (docs/operations.md "WARN").
   */
  warn: boolean;
}

/** spec §3.1: new checks start in FAIL. */
export function initialState(): CheckState {
  return {
    failState: true,
    failCount: 0,
    threshold: null,
    softFail: null,
    level: null,
    log: [],
    lastCheck: null,
    lastFail: null,
    lastPass: null,
    lastUpdate: null,
    silent: false,
    metrics: [],
    warn: false,
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
      /** a passing run whose level is above its warning threshold */
      warn?: boolean;
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
  /** siteward peers: the sender's WARN (a top-level field fletchck ignores) */
  warn?: boolean;
}

export type StateEvent = {
  kind: 'transition';
  to: 'FAIL' | 'PASS' | 'WARN';
  from: FailState;
  /** the state before was WARN (from is then false) */
  fromWarn?: boolean;
  /** whether actions should be notified (rules + silent soft-fail handling) */
  notify: boolean;
  /** siteward: the maintenance window that silenced it (set by src/ops, not by the state machine) */
  maintenance?: string;
};

export interface Step {
  state: CheckState;
  events: StateEvent[];
}

export const isFailing = (f: FailState): boolean => f !== false && f !== '';

/**
 * A check that has never run (nor been heard from): people are shown
 * "pending", while the engine, /status and MQTT keep fletchck's FAIL (spec §3.1).
 */
export function neverRun(s: CheckState): boolean {
  return s.lastCheck === null && s.lastUpdate === null && s.lastFail === null && s.lastPass === null;
}

/** getState() text (spec §3.2). */
export function stateText(state: CheckState, paused: boolean): 'PAUSED' | 'FAIL' | 'PASS' | 'WARN' {
  if (paused) return 'PAUSED';
  if (isFailing(state.failState)) return 'FAIL';
  return state.warn ? 'WARN' : 'PASS';
}

/**
 * siteward WARN (issue 19) on a passing result: PASS ⇄ WARN transitions, and
 * the way out of FAIL says which of the two it lands in. WARN is announced
 * at once (no threshold: it is the early signal); it notifies like a failure
 * (failAction) and its end like a recovery (passAction); which actions hear
 * of it is each action's `notifyWarn` (src/ops/trace.ts).
 */
function passingEvents(rules: Rules, prev: CheckState, warn: boolean): StateEvent[] {
  const fromWarn = prev.warn ? { fromWarn: true } : {};
  if (isFailing(prev.failState)) {
    return [{ kind: 'transition', to: warn ? 'WARN' : 'PASS', from: prev.failState, notify: rules.passAction && !prev.silent }];
  }
  if (warn === prev.warn) return [];
  return [{ kind: 'transition', to: warn ? 'WARN' : 'PASS', from: prev.failState, ...fromWarn, notify: warn ? rules.failAction : rules.passAction }];
}

export function step(rules: Rules, prev: CheckState, input: Input, now: number): Step {
  if (input.kind === 'remote') return remoteStep(rules, prev, input.data, now);
  if (input.kind === 'verdict') return step({ ...rules, threshold: 1 }, prev, { kind: 'result', fail: true, log: input.log }, now);

  // 1. Paused: no run, no notification; lastCheck and failCount untouched.
  if (rules.paused || input.kind === 'paused') {
    return { state: { ...prev, log: ['PAUSED'], failState: false, softFail: null, silent: false, warn: false }, events: [] };
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
      events.push({ kind: 'transition', to: 'FAIL', from: prev.failState, ...(prev.warn ? { fromWarn: true } : {}), notify: rules.failAction });
      state.failState = input.fail;
      state.lastFail = now;
      state.silent = false;
      state.warn = false;
    }
  } else {
    // 7. any passing run resets the counter and reports PASS (or WARN) if it was failing
    state.failCount = 0;
    const warn = input.warn === true;
    events.push(...passingEvents(rules, prev, warn));
    if (isFailing(prev.failState)) state.lastPass = now;
    state.failState = input.fail;
    state.silent = false;
    state.warn = warn;
  }
  return { state, events };
}

/** spec §4.14 "On receiving an update". */
function remoteStep(rules: Rules, prev: CheckState, d: RemoteData, now: number): Step {
  // every field written out (no spread of prev): one object of a fixed shape per update
  const state: CheckState = {
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
    warn: !isFailing(d.failState) && d.warn === true,
  };
  if (rules.paused) {
    state.failState = false;
    state.warn = false;
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
  } else {
    events.push(...passingEvents(rules, prev, state.warn));
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
