/**
 * Runs one host check type directly (no site, no state machine) with a stated
 * previous state and injectable env, scratch and clock
 * (test/helpers/run-type.ts).
 */
import type { AnyCheckType, Outcome, RunEnv } from '../../src/checks/types.ts';
import type { CheckState } from '../../src/engine/state.ts';
import { runDirect } from '../helpers/run-type.ts';

export { parseOptions } from '../helpers/run-type.ts';

export interface RunOpts {
  /** previous reported state; default: a new check (failing) */
  state?: Partial<CheckState>;
  env?: Partial<RunEnv>;
  scratch?: Record<string, unknown>;
  now?: () => number;
}

/** The state of a check that last passed. */
export const passing: Partial<CheckState> = { failState: false };

export async function runType(type: AnyCheckType, raw: Record<string, unknown>, o: RunOpts = {}): Promise<Outcome> {
  return (await runDirect(type, raw, { ...o, env: { base: '/', ...o.env } })).outcome;
}
