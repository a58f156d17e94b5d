/**
 * Runs one check type's `run()` the way the runner does — options parsed by
 * the type's schema, an AbortSignal that fires at the timeout — without a
 * site, for tests of a single check against a real server.
 */
import type { AnyCheckType, Outcome, RunContext } from '../../src/checks/types.ts';
import { initialState } from '../../src/engine/state.ts';
import { sleep } from '../../src/checks/shared/errors.ts';
import { silentLogger } from '../../src/log.ts';

export interface RunResult {
  outcome: Outcome;
  /** wall time of the run in ms (for "ends by its timeout" bounds, never for speed) */
  elapsed: number;
  /** option patches the check asked to save */
  saved: Record<string, unknown>[];
}

export async function runCheck(
  type: AnyCheckType,
  raw: Record<string, unknown>,
  opts: { saveOptions?: (patch: Record<string, unknown>) => Promise<void> } = {},
): Promise<RunResult> {
  const parsed = type.options.safeParse(raw);
  if (!parsed.success) throw new Error(`bad options: ${JSON.stringify(parsed.error.issues)}`);
  const data = parsed.data as Record<string, unknown>;
  const seconds = typeof data.timeout === 'number' ? data.timeout : (type.defaultTimeout ?? 5);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(Object.assign(new Error(`no result within ${seconds} s`), { name: 'TimeoutError' })), seconds * 1000);
  const saved: Record<string, unknown>[] = [];
  const config = {
    name: `test-${type.type}`, type: type.type, subType: null, trigger: null, threshold: 1, retries: 1, priority: 0, paused: false,
    failAction: true, passAction: true, publish: null, remoteId: null, options: raw, actions: [], depends: [],
  };
  const ctx: RunContext = {
    signal: controller.signal,
    now: () => Date.now(),
    sleep: (ms) => sleep(ms, controller.signal),
    check: { config, state: initialState(), displayType: type.type },
    zone: null,
    site: { name: 'test', timezone: null, check: () => undefined, runMember: () => Promise.resolve(initialState()) },
    log: silentLogger(),
    saveOptions: async (patch) => {
      saved.push(patch);
      await opts.saveOptions?.(patch);
    },
    env: { base: '/tmp', pluginDirs: [], sysRoot: '/sys', procRoot: '/proc' },
    scratch: {},
  };
  const started = Date.now();
  try {
    const outcome = await type.run(data, ctx);
    return { outcome, elapsed: Date.now() - started, saved };
  } finally {
    clearTimeout(timer);
  }
}
