/**
 * A compact copy of what TrueNAS said about its pools and alerts, kept with
 * the run's outcome (`Outcome.nas`) for the hosts view's pool cards (issue 22,
 * TrueMonitor's view): per pool its vdev groups (data, cache, log, spare,
 * special, dedup) with their layout (MIRROR, RAIDZ1/2/3, STRIPE…) and one
 * entry per disk with its status and read/write/checksum error counts; and
 * the active alerts (level and plain text). Size-limited: a big or hostile
 * answer never grows a run's outcome past a few tens of kilobytes. Pure.
 */
import { alertText, ALERT_LEVELS, type Alert, type Pool } from './assess.ts';
import type { NasAlert, NasDisk, NasPool } from './summary.ts';

export type { NasAlert, NasDisk, NasPool, NasSummary, NasVdev } from './summary.ts';

export const NAS_LIMITS = { pools: 16, vdevs: 64, disks: 256, alerts: 50, text: 120 } as const;

/** Categories of pool.query's topology, in the order a card shows them. */
export const CATEGORIES = ['data', 'special', 'dedup', 'log', 'cache', 'spare'] as const;

type Vdev = NonNullable<NonNullable<Pool['topology']>[string]>[number];

const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0);
const word = (v: unknown, fallback: string): string => {
  const s = typeof v === 'string' && v !== '' ? v : fallback;
  return s.length > NAS_LIMITS.text ? `${s.slice(0, NAS_LIMITS.text)}…` : s;
};

function leaves(v: Vdev, out: Vdev[], depth = 0): void {
  if (Array.isArray(v.children) && v.children.length > 0 && depth < 4) for (const c of v.children) leaves(c, out, depth + 1);
  else out.push(v);
}

function toDisk(v: Vdev): NasDisk {
  const s = v.stats ?? {};
  return {
    name: word(v.disk || v.device || v.name, '?'),
    status: word(v.status, 'UNKNOWN'),
    read: count(s.read_errors),
    write: count(s.write_errors),
    checksum: count(s.checksum_errors),
  };
}

/** Each pool's vdev layout and disks, within NAS_LIMITS. */
export function compactPools(pools: Pool[]): NasPool[] {
  let disks = 0;
  return pools.slice(0, NAS_LIMITS.pools).map((p) => {
    const out: NasPool = { name: word(p.name, '?'), vdevs: [], omitted: 0 };
    const topo = p.topology && typeof p.topology === 'object' ? p.topology : {};
    const cats = [...CATEGORIES, ...Object.keys(topo).filter((k) => !(CATEGORIES as readonly string[]).includes(k))];
    for (const category of cats) {
      const list = topo[category];
      if (!Array.isArray(list)) continue;
      for (const v of list) {
        if (!v || typeof v !== 'object') continue;
        const leaf = !Array.isArray(v.children) || v.children.length === 0;
        const all: Vdev[] = [];
        leaves(v, all);
        if (out.vdevs.length >= NAS_LIMITS.vdevs || disks >= NAS_LIMITS.disks) {
          out.omitted += all.length;
          continue;
        }
        const keep = all.slice(0, NAS_LIMITS.disks - disks);
        disks += keep.length;
        out.omitted += all.length - keep.length;
        // a disk on its own in data is a stripe member; in cache/log/spare it is just that device
        const type = leaf ? 'STRIPE' : word(v.type, 'UNKNOWN');
        out.vdevs.push({ category: word(category, '?'), type, name: word(v.name, type), status: word(v.status, 'UNKNOWN'), disks: keep.map(toDisk) });
      }
    }
    return out;
  });
}

/** Active alerts, most severe first, as plain text (alertText strips TrueNAS's markup). */
export function compactAlerts(alerts: Alert[]): { alerts: NasAlert[]; moreAlerts: number } {
  const rank = (l: string | undefined): number => ALERT_LEVELS.indexOf((l ?? '') as (typeof ALERT_LEVELS)[number]);
  const active = alerts.filter((a) => a && typeof a === 'object' && !a.dismissed).sort((a, b) => rank(b.level) - rank(a.level));
  return {
    alerts: active.slice(0, NAS_LIMITS.alerts).map((a) => ({ level: word(a.level, 'UNKNOWN'), text: alertText(a) })),
    moreAlerts: Math.max(0, active.length - NAS_LIMITS.alerts),
  };
}

/** How a disk's square is coloured: ONLINE (or an idle spare) ok; errors warn; FAULTED/DEGRADED/UNAVAIL/REMOVED/OFFLINE fail. */
export function diskState(d: NasDisk): 'ok' | 'warn' | 'fail' {
  if (['FAULTED', 'DEGRADED', 'UNAVAIL', 'REMOVED', 'OFFLINE'].includes(d.status)) return 'fail';
  if (d.read + d.write + d.checksum > 0) return 'warn';
  if (['ONLINE', 'AVAIL', 'INUSE'].includes(d.status)) return 'ok';
  return 'warn';
}
