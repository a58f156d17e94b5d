/**
 * Judging TrueNAS's answers: `pool.query` entries (status, healthy, usage,
 * and the read/write/checksum error counters of every disk in the topology)
 * and `alert.list` entries (not dismissed, at or above a level). Pure, so
 * every rule is tested without a server.
 */
import type { Metric } from '../types.ts';
import { percentLevel, sizeUnit } from '../shared/format.ts';

/** TrueNAS alert levels, lowest first (middlewared AlertLevel). */
export const ALERT_LEVELS = ['INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL', 'ALERT', 'EMERGENCY'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

interface VdevStats {
  read_errors?: number;
  write_errors?: number;
  checksum_errors?: number;
}
interface Vdev {
  name?: string;
  type?: string;
  status?: string;
  disk?: string | null;
  device?: string | null;
  stats?: VdevStats;
  children?: Vdev[];
}
export interface Pool {
  name: string;
  status?: string;
  healthy?: boolean;
  status_detail?: string | null;
  size?: number | null;
  allocated?: number | null;
  topology?: Record<string, Vdev[] | undefined> | null;
}
export interface Alert {
  level?: string;
  dismissed?: boolean;
  formatted?: string | null;
  text?: string;
  klass?: string;
}

export interface Assessment {
  /** one line per pool */
  info: string[];
  /** reasons to fail, most important last */
  problems: string[];
  /** highest pool usage, % */
  maxUsed: number | null;
  metrics: Metric[];
}

const n = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Leaf devices (disks, files) of a topology, with the category they sit in. */
function leaves(v: Vdev, category: string, out: { vdev: Vdev; category: string }[]): void {
  if (v.children && v.children.length > 0) for (const c of v.children) leaves(c, category, out);
  else out.push({ vdev: v, category });
}

function diskName(v: Vdev): string {
  return v.disk || v.device || v.name || '?';
}

/** Alert text without markup: `formatted` carries HTML (<br>, <a>…), `text` is a template. */
export function alertText(a: Alert): string {
  const raw = a.formatted ?? a.text ?? a.klass ?? '';
  const plain = raw
    .replace(/<br\s*\/?>/gi, ' ')
    .replace(/<[^>]*>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > 300 ? `${plain.slice(0, 300)}…` : plain;
}

export function assessPools(pools: Pool[], usageLevel: number): Assessment {
  const info: string[] = [];
  const problems: string[] = [];
  const metrics: Metric[] = [];
  let maxUsed: number | null = null;
  for (const p of pools) {
    const status = p.status ?? 'UNKNOWN';
    let usage = '';
    if (typeof p.size === 'number' && p.size > 0 && typeof p.allocated === 'number') {
      const pct = Math.round((p.allocated / p.size) * 1000) / 10;
      maxUsed = Math.max(maxUsed ?? 0, pct);
      const u = sizeUnit(p.size);
      usage = `, ${percentLevel(pct).trim()} used ${u.fmt(p.allocated)}/${u.fmt(p.size)}${u.unit}`;
      metrics.push({ name: `${p.name}_used_percent`, value: pct, unit: '%', crit: usageLevel, min: 0, max: 100 });
    }
    info.push(`${p.name}: ${status}${p.healthy === false ? ' (unhealthy)' : ''}${usage}, Target: ${usageLevel}%`);
    if (status !== 'ONLINE' || p.healthy === false) {
      problems.push(`Pool ${p.name} ${status}${p.status_detail ? `: ${p.status_detail}` : ''}`);
    }
    const devs: { vdev: Vdev; category: string }[] = [];
    for (const [category, vdevs] of Object.entries(p.topology ?? {})) {
      for (const v of vdevs ?? []) leaves(v, category, devs);
    }
    for (const { vdev, category } of devs) {
      const s = vdev.stats ?? {};
      const [r, w, c] = [n(s.read_errors), n(s.write_errors), n(s.checksum_errors)];
      const name = `${p.name}/${diskName(vdev)}`;
      // spares sit idle as AVAIL (or INUSE once they stand in)
      const okStates = category === 'spare' ? ['AVAIL', 'INUSE', 'ONLINE'] : ['ONLINE'];
      if (vdev.status && !okStates.includes(vdev.status)) problems.push(`${name}: ${vdev.status}`);
      if (r + w + c > 0) problems.push(`${name}: ${r} read, ${w} write, ${c} checksum errors`);
    }
  }
  return { info, problems, maxUsed, metrics };
}

/** Active alerts at or above `min`, as lines `Alert <LEVEL>: <text>`, most severe last. */
export function assessAlerts(alerts: Alert[], min: AlertLevel): string[] {
  const rank = (l: string | undefined): number => ALERT_LEVELS.indexOf((l ?? '') as AlertLevel);
  return alerts
    .filter((a) => !a.dismissed && rank(a.level) >= rank(min))
    .sort((a, b) => rank(a.level) - rank(b.level))
    .map((a) => `Alert ${a.level}: ${alertText(a)}`);
}
