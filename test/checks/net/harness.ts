/**
 * Runs one check type by name the way the runner does (test/helpers/run-type.ts),
 * with the type's `validate` consulted first as loading the site would.
 */
import { expect } from 'vitest';
import { checkType } from '../../../src/checks/registry.ts';
import type { AnyCheckType, Outcome } from '../../../src/checks/types.ts';
import { parseOptions as parse, runDirect } from '../../helpers/run-type.ts';

export interface RunResult extends Outcome {
  /** wall time of the run in ms (for "ended by its timeout" bounds only) */
  elapsedMs: number;
}

function typeOf(type: string): AnyCheckType {
  const t = checkType(type);
  if (!t) throw new Error(`unknown type ${type}`);
  return t;
}

export function parseOptions(type: string, raw: Record<string, unknown>): Record<string, unknown> {
  return parse(typeOf(type), raw);
}

export async function runCheck(type: string, raw: Record<string, unknown>, base = process.cwd()): Promise<RunResult> {
  const t = typeOf(type);
  const env = { base, pluginDirs: [], sysRoot: '/sys', procRoot: '/proc' };
  expect(t.validate?.(parse(t, raw), env) ?? []).toEqual([]);
  const { outcome, elapsed } = await runDirect(t, raw, { env, name: `t-${type}`, site: 'net' });
  return { ...outcome, elapsedMs: elapsed };
}

export function metric(o: Outcome, name: string): number | undefined {
  return o.metrics?.find((m) => m.name === name)?.value;
}
