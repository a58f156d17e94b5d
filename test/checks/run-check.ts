/**
 * Runs one check type's `run()` against a real server without a site
 * (test/helpers/run-type.ts), recording the option patches it saves.
 */
import type { AnyCheckType } from '../../src/checks/types.ts';
import { runDirect, type DirectRun } from '../helpers/run-type.ts';

export type RunResult = DirectRun;

export function runCheck(
  type: AnyCheckType,
  raw: Record<string, unknown>,
  opts: { saveOptions?: (patch: Record<string, unknown>) => Promise<void> } = {},
): Promise<RunResult> {
  return runDirect(type, raw, opts);
}
