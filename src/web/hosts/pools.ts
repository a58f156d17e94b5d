/**
 * TrueNAS pool cards (issue 22 "Hosts"): one card per pool of a `truenas`
 * check, read from the check's last result — the per-pool line and the
 * `<pool>_used_percent` metric that src/checks/truenas/assess.ts writes, the
 * check's `warnLevel` (WARN) and `level` (FAIL; its options with defaults
 * applied) as the capacity bar's marks,
 * and the problem lines that name the pool or one of its disks. Pure.
 */
import type { CheckState } from '../../engine/state.ts';
import { diskState, type NasSummary } from '../../checks/truenas/topology.ts';

/** TrueMonitor's capacity bands, used where the check sets no warnLevel / level of its own. */
export const DEFAULT_BANDS = { warn: 70, crit: 85 } as const;

export interface DiskVM {
  name: string;
  status: string;
  state: 'ok' | 'warn' | 'fail';
  /** drive name, status and error counts: the square's title and accessible name */
  label: string;
}

export interface VdevVM {
  /** mirror, raidz2, stripe, cache, log, spare… */
  label: string;
  status: string;
  disks: DiskVM[];
}

export interface NasAlertVM {
  check: string;
  level: string;
  text: string;
}

export interface PoolVM {
  check: string;
  pool: string;
  /** ZFS pool status as TrueNAS reports it (ONLINE, DEGRADED, …), null when the last result did not say */
  status: string | null;
  healthy: boolean;
  /** used %, null when TrueNAS gave no size */
  used: number | null;
  /** the warning mark (%): the check's warnLevel, else DEFAULT_BANDS.warn */
  warn: number | null;
  /** the failing mark (%): the check's level, else DEFAULT_BANDS.crit */
  crit: number | null;
  /** whether the marks are the check's own levels or the default bands */
  marks: { warn: 'check' | 'default'; crit: 'check' | 'default' };
  /** the vdev layout from the check's last run here; null when not known (before a run since start) */
  vdevs: VdevVM[] | null;
  /** disks and vdevs the check left out (size limits) */
  omitted: number;
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

function vdevLabel(category: string, type: string): string {
  // cache, log and spare devices are named by their role; data (and special/dedup) by their layout
  if (['cache', 'log', 'spare'].includes(category)) return type === 'STRIPE' || type === 'DISK' ? category : `${category} ${type.toLowerCase()}`;
  const t = type.toLowerCase();
  return category === 'data' ? t : `${category} ${t}`;
}

function vdevsOf(nas: NasSummary['pools'][number]): VdevVM[] {
  return nas.vdevs.map((v) => ({
    label: vdevLabel(v.category, v.type),
    status: v.status,
    disks: v.disks.map((d) => ({
      name: d.name,
      status: d.status,
      state: diskState(d),
      label: `${d.name}: ${d.status}, ${d.read} read, ${d.write} write, ${d.checksum} checksum errors`,
    })),
  }));
}

/**
 * `options`: the check's options as written (unset levels fall back to
 * DEFAULT_BANDS); `nas`: its last pool layout, when known.
 */
export function poolsOf(check: string, state: Pick<CheckState, 'log' | 'metrics'>, options: Record<string, unknown>, nas: NasSummary | null = null): PoolVM[] {
  const found = new Map<string, PoolVM>();
  const warn = num(options.warnLevel);
  const crit = num(options.level);
  const pool = (name: string): PoolVM => {
    let p = found.get(name);
    if (!p) {
      p = {
        check,
        pool: name,
        status: null,
        healthy: true,
        used: null,
        warn: warn ?? DEFAULT_BANDS.warn,
        crit: crit ?? DEFAULT_BANDS.crit,
        marks: { warn: warn === null ? 'default' : 'check', crit: crit === null ? 'default' : 'check' },
        vdevs: null,
        omitted: 0,
        band: 'unknown',
        problems: [],
      };
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
  for (const np of nas?.pools ?? []) {
    const p = found.get(np.name);
    if (!p) continue;
    p.vdevs = vdevsOf(np);
    p.omitted = np.omitted;
  }
  for (const p of found.values()) {
    if (p.status !== null && p.status !== 'ONLINE') p.healthy = false;
    p.band = p.used === null ? 'unknown' : p.crit !== null && p.used > p.crit ? 'crit' : p.warn !== null && p.used > p.warn ? 'warn' : 'ok';
  }
  return [...found.values()];
}
