/**
 * Runs one check type the way the runner does: options parsed by the type's
 * schema (defaults applied, `validate` consulted) and an AbortSignal that
 * fires at the check's timeout with a TimeoutError.
 */
import { expect } from 'vitest';
import { checkType } from '../../../src/checks/registry.ts';
import type { Outcome, RunContext } from '../../../src/checks/types.ts';
import { initialState } from '../../../src/engine/state.ts';
import { sleep } from '../../../src/checks/shared/errors.ts';
import { silentLogger } from '../../../src/log.ts';

export interface RunResult extends Outcome {
  /** wall time of the run in ms (for "ended by its timeout" bounds only) */
  elapsedMs: number;
}

export function parseOptions(type: string, raw: Record<string, unknown>): Record<string, unknown> {
  const t = checkType(type);
  if (!t) throw new Error(`unknown type ${type}`);
  const parsed = t.options.safeParse(raw);
  expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
  return parsed.data as Record<string, unknown>;
}

export async function runCheck(type: string, raw: Record<string, unknown>, base = process.cwd()): Promise<RunResult> {
  const t = checkType(type)!;
  const opts = parseOptions(type, raw);
  const problems = t.validate?.(opts, { base, pluginDirs: [], sysRoot: '/sys', procRoot: '/proc' }) ?? [];
  expect(problems).toEqual([]);
  const seconds = typeof opts.timeout === 'number' ? opts.timeout : t.defaultTimeout!;
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(Object.assign(new Error(`no result within ${seconds} s`), { name: 'TimeoutError' })),
    seconds * 1000,
  );
  const config = {
    name: `t-${type}`, type, subType: null, trigger: null, threshold: 1, retries: 1, priority: 0, paused: false,
    failAction: true, passAction: true, publish: null, remoteId: null, options: raw, actions: [], depends: [],
  };
  const ctx: RunContext = {
    signal: controller.signal,
    now: () => Date.now(),
    sleep: (ms) => sleep(ms, controller.signal),
    check: { config, state: initialState(), displayType: type },
    zone: null,
    site: { name: 'net', timezone: null, check: () => undefined, runMember: () => Promise.resolve(initialState()) },
    log: silentLogger(),
    saveOptions: () => Promise.resolve(),
    env: { base, pluginDirs: [], sysRoot: '/sys', procRoot: '/proc' },
    scratch: {},
  };
  const started = Date.now();
  try {
    const o = await t.run(opts, ctx);
    return { ...o, elapsedMs: Date.now() - started };
  } finally {
    clearTimeout(timer);
    controller.abort(new Error('run finished'));
  }
}

export function metric(o: Outcome, name: string): number | undefined {
  return o.metrics?.find((m) => m.name === name)?.value;
}
