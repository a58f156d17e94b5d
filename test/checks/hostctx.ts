/**
 * Runs one check type directly (no site, no state machine) the way the runner
 * would: options parsed by the type's schema, an AbortSignal that fires at the
 * timeout, a stated previous state, injectable env and scratch.
 */
import type { AnyCheckType, Outcome, RunContext, RunEnv } from '../../src/checks/types.ts';
import { initialState, type CheckState } from '../../src/engine/state.ts';
import { sleep } from '../../src/checks/shared/errors.ts';
import { silentLogger } from '../../src/log.ts';

export interface RunOpts {
  /** previous reported state; default: a new check (failing) */
  state?: Partial<CheckState>;
  env?: Partial<RunEnv>;
  scratch?: Record<string, unknown>;
  now?: () => number;
}

/** The state of a check that last passed. */
export const passing: Partial<CheckState> = { failState: false };

export function parseOptions(type: AnyCheckType, raw: Record<string, unknown>): Record<string, unknown> {
  const r = type.options.safeParse(raw);
  if (!r.success) throw new Error(`options do not parse: ${JSON.stringify(r.error.issues)}`);
  return r.data as Record<string, unknown>;
}

export async function runType(type: AnyCheckType, raw: Record<string, unknown>, o: RunOpts = {}): Promise<Outcome> {
  const opts = parseOptions(type, raw);
  const seconds = typeof opts.timeout === 'number' ? opts.timeout : type.defaultTimeout;
  const controller = new AbortController();
  const timer = seconds === null ? null : setTimeout(() => {
    const e = new Error(`no result within ${seconds} s`);
    e.name = 'TimeoutError';
    controller.abort(e);
  }, seconds * 1000);
  const config = {
    name: `test-${type.type}`, type: type.type, subType: null, trigger: null, threshold: 1, retries: 1, priority: 0, paused: false,
    failAction: true, passAction: true, publish: null, remoteId: null, options: raw, actions: [], depends: [],
  };
  const ctx: RunContext = {
    signal: controller.signal,
    now: o.now ?? (() => Date.now()),
    sleep: (ms) => sleep(ms, controller.signal),
    check: { config, state: { ...initialState(), ...o.state }, displayType: type.type },
    zone: null,
    site: { name: 'test', timezone: null, check: () => undefined, runMember: () => Promise.resolve(initialState()) },
    log: silentLogger(),
    saveOptions: () => Promise.resolve(),
    env: { base: '/', pluginDirs: [], sysRoot: '/sys', procRoot: '/proc', ...o.env },
    scratch: o.scratch ?? {},
  };
  try {
    return await type.run(opts, ctx);
  } finally {
    if (timer) clearTimeout(timer);
    // the runner aborts the signal when a run ends, so late listeners clean up
    if (!controller.signal.aborted) controller.abort(new Error('run finished'));
  }
}
