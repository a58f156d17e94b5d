/**
 * The values a federated host's checks sent lately (issue 22 "Hosts"): a
 * remote update is mirrored state, not a run of this instance's, so it is not
 * written to the runs table (src/engine/commits.ts) and a federated or zone
 * host's tiles had no sparkline. This keeps, in memory only, each remote
 * check's main number (its first metric, else the number its level starts
 * with, as src/web/hosts/series.ts reads a run), summed per 5-minute slot
 * (what the sparkline draws) for the sparkline's span: at most 73 slots per
 * check, whatever the update rate. After a restart the line starts again
 * with the next updates.
 */
import type { SiteBus } from '../../engine/events.ts';
import type { CheckState } from '../../engine/state.ts';
import { levelNumber } from '../history.ts';
import { SPAN } from './series.ts';
import { FIVE_MIN } from '../../store/rollup.ts';
import type { SparkSample } from './spark.ts';

interface Slot {
  /** start of the 5-minute slot */
  t: number;
  sum: number;
  n: number;
}

/** A remote update's main number and unit, null when it carries none. */
export function mainValue(s: Pick<CheckState, 'metrics' | 'level'>): { v: number; unit: string } | null {
  const m = s.metrics?.find((x) => Number.isFinite(x.value));
  if (m) return { v: m.value, unit: m.unit ?? '' };
  const l = levelNumber(s.level);
  return l ? { v: l.value, unit: l.unit } : null;
}

export class RemoteRing {
  private readonly points = new Map<string, { unit: string; at: Slot[] }>();

  private readonly onRun = (e: { name: string; state: CheckState; reason: string }): void => {
    if (e.reason !== 'remote') return;
    const m = mainValue(e.state);
    if (!m) return;
    const now = this.now();
    let p = this.points.get(e.name);
    if (!p) this.points.set(e.name, (p = { unit: m.unit, at: [] }));
    p.unit ||= m.unit;
    const t = Math.floor(now / FIVE_MIN) * FIVE_MIN;
    // a clock stepped back: the slots after now are dropped
    while (p.at.length && p.at[p.at.length - 1].t > t) p.at.pop();
    const last = p.at[p.at.length - 1];
    if (last?.t === t) {
      last.sum += m.v;
      last.n++;
    } else {
      p.at.push({ t, sum: m.v, n: 1 });
    }
    // drop the slots that left the span
    let drop = 0;
    while (drop < p.at.length && p.at[drop].t < now - SPAN - FIVE_MIN) drop++;
    if (drop > 0) p.at.splice(0, drop);
  };

  private readonly onConfig = (e: { removed: string[]; renamed: [string, string][] }): void => {
    for (const [from, to] of e.renamed) {
      const v = this.points.get(from);
      this.points.delete(from);
      if (v) this.points.set(to, v);
      else this.points.delete(to);
    }
    for (const n of e.removed) this.points.delete(n);
  };

  constructor(
    private readonly bus: Pick<SiteBus, 'on' | 'off'>,
    private readonly now: () => number,
  ) {
    bus.on('run', this.onRun);
    bus.on('config', this.onConfig);
  }

  /** Changes whenever the check's slots do (the hosts view's tile cache keys on it). */
  stamp(name: string): string {
    const p = this.points.get(name);
    const last = p?.at[p.at.length - 1];
    return last ? `${last.t}:${last.n}:${p!.at.length}` : '';
  }

  /** A check's 5-minute averages starting in [from, to], oldest first, and their unit; null when it has none. */
  read(name: string, from: number, to: number): { samples: SparkSample[]; unit: string } | null {
    const p = this.points.get(name);
    if (!p) return null;
    const samples = p.at.filter((x) => x.t >= Math.floor(from / FIVE_MIN) * FIVE_MIN && x.t <= to).map((x) => ({ t: x.t, v: x.sum / x.n }));
    return samples.length ? { samples, unit: p.unit } : null;
  }

  close(): void {
    this.bus.off('run', this.onRun);
    this.bus.off('config', this.onConfig);
  }
}
