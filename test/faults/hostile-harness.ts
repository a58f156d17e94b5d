/**
 * Runs one check type against one hostile server (test/servers/hostile.ts)
 * as the runner would (options parsed by the type's schema, an AbortSignal
 * at the timeout), measuring the test process's memory around the run.
 */
import { checkTypes } from '../../src/checks/registry.ts';
import type { AnyCheckType } from '../../src/checks/types.ts';
import { startHostile, type Script } from '../servers/hostile.ts';
import { loopbackCert } from '../servers/loopback-cert.ts';
import { HOST } from '../servers/common.ts';
import { runDirect as runCheck, type DirectRun as RunResult } from '../helpers/run-type.ts';
import { asBuffer, hostileFixtures, type HostileCase } from './hostile-fixtures.ts';
import { measure, type MemoryUse } from './meter.ts';

/**
 * Each check's timeout in these runs, seconds: a dripping server needs only
 * a short one; a flood gets long enough that a check keeping what it reads
 * would outgrow the memory bound before its timeout saves it.
 */
export const TIMEOUT_S = { drip: 2, flood: 10 } as const;

export interface NetworkCase {
  type: AnyCheckType;
  c: HostileCase;
  label: string;
}

/** Registered types without a fixture entry (must be none). */
export function missingFixtures(): string[] {
  return checkTypes.map((t) => t.type).filter((t) => !hostileFixtures[t]);
}

/** Every (network type, case) pair, derived from the registry. */
export function networkCases(): NetworkCase[] {
  const out: NetworkCase[] = [];
  for (const type of checkTypes) {
    const f = hostileFixtures[type.type];
    if (!f || !Array.isArray(f)) continue;
    for (const c of f) out.push({ type, c, label: `${type.type} (${c.name})` });
  }
  return out;
}

export interface HostileRun {
  result: RunResult;
  use: MemoryUse;
  /** bytes the server wrote */
  sent: number;
}

export async function runHostile(n: NetworkCase, mode: 'drip' | 'flood', o: { memory?: boolean } = {}): Promise<HostileRun> {
  const { c } = n;
  let script: Script;
  if (mode === 'drip') {
    if (c.drip === undefined) throw new Error(`${n.label} has no drip`);
    script = { kind: 'drip', bytes: asBuffer(c.drip) };
  } else {
    script = { kind: 'flood', prefix: typeof c.flood.prefix === 'function' ? c.flood.prefix : asBuffer(c.flood.prefix), unit: asBuffer(c.flood.unit) };
  }
  const server = await startHostile({ transport: c.transport, starts: c.starts, script, tls: await loopbackCert() });
  try {
    const raw = { ...c.options({ host: HOST, port: server.port }), timeout: TIMEOUT_S[mode] };
    const run = (): Promise<RunResult> => runCheck(n.type, raw);
    if (o.memory === false) {
      const result = await run();
      return { result, use: { livePeak: 0, rssPeak: 0, retained: 0 }, sent: total(server.sent) };
    }
    const { value, use } = await measure(run);
    return { result: value, use, sent: total(server.sent) };
  } finally {
    await server.close();
  }
}

const total = (xs: number[]): number => xs.reduce((a, x) => a + x, 0);
