/**
 * TrueNAS pool cards (issue 22 "Hosts"): one card per pool of a `truenas`
 * check, read from the check's last result — the per-pool line and the
 * `<pool>_used_percent` metric that src/checks/truenas/assess.ts writes, the
 * check's `warnLevel` (WARN) and `level` (FAIL; its options with defaults
 * applied) as the capacity bar's marks,
 * and the problem lines that name the pool or one of its disks. Pure.
 */
import type { CheckState } from '../../engine/state.ts';

export interface PoolVM {
  check: string;
  pool: string;
  /** ZFS pool status as TrueNAS reports it (ONLINE, DEGRADED, …), null when the last result did not say */
  status: string | null;
  healthy: boolean;
  /** used %, null when TrueNAS gave no size */
  used: number | null;
  /** the check's WARN level (%), when set */
  warn: number | null;
  /** the check's FAIL level (%) */
  crit: number | null;
  /** where the capacity stands against the marks */
  band: 'ok' | 'warn' | 'crit' | 'unknown';
  /** problem lines about this pool or its disks */
  problems: string[];
}

const SUFFIX = '_used_percent';
/** assess.ts: `<pool>: <STATUS>[ (unhealthy)][, <n>% used a/bT], Target: <n>%` */
const POOL_LINE = /^(.+?): ([A-Z_]+)( \(unhealthy\))?(?:, .*)?, Target: [\d.]+%$/;

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function poolsOf(check: string, state: Pick<CheckState, 'log' | 'metrics'>, options: Record<string, unknown>): PoolVM[] {
  const found = new Map<string, PoolVM>();
  const pool = (name: string): PoolVM => {
    let p = found.get(name);
    if (!p) {
      p = { check, pool: name, status: null, healthy: true, used: null, warn: num(options.warnLevel), crit: num(options.level), band: 'unknown', problems: [] };
      found.set(name, p);
    }
    return p;
  };
  // the metrics name the pools exactly (a pool name may hold ": ")
  for (const m of state.metrics) {
    if (!m.name.endsWith(SUFFIX)) continue;
    const p = pool(m.name.slice(0, -SUFFIX.length));
    p.used = m.value;
  }
  for (const line of state.log) {
    const known = [...found.keys()].find((n) => line.startsWith(`${n}: `));
    const m = POOL_LINE.exec(line);
    if (known !== undefined && m) {
      const p = pool(known);
      p.status = line.slice(known.length + 2).split(/[ ,]/)[0];
      p.healthy = !line.includes(' (unhealthy)');
    } else if (m && known === undefined) {
      const p = pool(m[1]);
      p.status = m[2];
      p.healthy = !m[3];
    }
  }
  for (const line of state.log) {
    for (const p of found.values()) {
      if (line.startsWith(`Pool ${p.pool} `) || line.startsWith(`${p.pool}/`)) p.problems.push(line);
    }
  }
  for (const p of found.values()) {
    if (p.status !== null && p.status !== 'ONLINE') p.healthy = false;
    p.band = p.used === null ? 'unknown' : p.crit !== null && p.used > p.crit ? 'crit' : p.warn !== null && p.used > p.warn ? 'warn' : 'ok';
  }
  return [...found.values()];
}
