/**
 * Runs one check type's `run()` the way the runner does — options parsed by
 * the type's schema, an AbortSignal that fires at the timeout with a
 * TimeoutError and is aborted when the run ends — without a site or a state
 * machine. The ssh, dns and hostile-server tests call it directly;
 * test/checks/hostctx.ts, net/harness.ts and the contract suite are thin
 * layers over it.
 */
import type { AnyCheckType, Outcome, RunContext, RunEnv } from '../../src/checks/types.ts';
import { initialState, type CheckState } from '../../src/engine/state.ts';
import { sleep } from '../../src/checks/shared/errors.ts';
import { silentLogger } from '../../src/log.ts';

export interface DirectRunOpts {
  /** the check's previous state; default: a new check */
  state?: Partial<CheckState>;
  env?: Partial<RunEnv>;
  scratch?: Record<string, unknown>;
  now?: () => number;
  /** the check's name (default `test-<type>`) and its site's */
  name?: string;
  site?: string;
  /** called for every option patch the check asks to save */
  saveOptions?: (patch: Record<string, unknown>) => Promise<void>;
}

export interface DirectRun {
  outcome: Outcome;
  /** wall time of the run in ms (for "ends by its timeout" bounds, never for speed) */
  elapsed: number;
  /** option patches the check asked to save */
  saved: Record<string, unknown>[];
}

export function parseOptions(type: AnyCheckType, raw: Record<string, unknown>): Record<string, unknown> {
  const r = type.options.safeParse(raw);
  if (!r.success) throw new Error(`options of ${type.type} do not parse: ${JSON.stringify(r.error.issues)}`);
  return r.data as Record<string, unknown>;
}

/** The context the runner would hand `type.run` for a check with options `raw`. */
export function runContext(signal: AbortSignal, type: AnyCheckType, raw: Record<string, unknown>, o: DirectRunOpts = {}): RunContext {
  const config = {
    name: o.name ?? `test-${type.type}`,
    type: type.type,
    subType: null,
    trigger: null,
    threshold: 1,
    retries: 1,
    priority: 0,
    paused: false,
    failAction: true,
    passAction: true,
    publish: null,
    remoteId: null,
    options: raw,
    actions: [],
    depends: [],
  };
  return {
    signal,
    now: o.now ?? (() => Date.now()),
    sleep: (ms) => sleep(ms, signal),
    check: { config, state: { ...initialState(), ...o.state }, displayType: type.type },
    zone: null,
    site: { name: o.site ?? 'test', timezone: null, check: () => undefined, runMember: () => Promise.resolve(initialState()) },
    log: silentLogger(),
    saveOptions: async (patch) => {
      await o.saveOptions?.(patch);
    },
    env: { base: '/tmp', pluginDirs: [], sysRoot: '/sys', procRoot: '/proc', ...o.env },
    scratch: o.scratch ?? {},
  };
}

export async function runDirect(type: AnyCheckType, raw: Record<string, unknown>, o: DirectRunOpts = {}): Promise<DirectRun> {
  const opts = parseOptions(type, raw);
  const seconds = typeof opts.timeout === 'number' ? opts.timeout : type.defaultTimeout;
  const controller = new AbortController();
  const timer =
    seconds === null || seconds === undefined
      ? null
      : setTimeout(() => {
          controller.abort(Object.assign(new Error(`no result within ${seconds} s`), { name: 'TimeoutError' }));
        }, seconds * 1000);
  const saved: Record<string, unknown>[] = [];
  const ctx = runContext(controller.signal, type, raw, {
    ...o,
    saveOptions: async (patch) => {
      saved.push(patch);
      await o.saveOptions?.(patch);
    },
  });
  const started = Date.now();
  try {
    const outcome = await type.run(opts, ctx);
    return { outcome, elapsed: Date.now() - started, saved };
  } finally {
    if (timer) clearTimeout(timer);
    // the runner aborts the signal when a run ends, so late listeners clean up
    if (!controller.signal.aborted) controller.abort(new Error('run finished'));
  }
}
