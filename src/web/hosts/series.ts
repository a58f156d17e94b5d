/**
 * A host tile's history (issue 22 "Hosts"): the check's main measurement
 * over the last SPAN in 5-minute averages — from the 5-minute roll-up tier
 * (src/store/rollup.ts) for the hours before the roll-up watermark, and from
 * the raw runs after it, averaged into the same slots. The main measurement
 * is the check's first metric (what its chart plots); a remote check, whose
 * updates carry no metrics, is read from the number its level starts with
 * (raw runs only: the tiers keep metrics, not levels).
 */
import type { Database as Db, Statement } from 'better-sqlite3';
import type { StateStore } from '../../store/state.ts';
import { FIVE_MIN } from '../../store/rollup.ts';
import type { MetricNames } from '../../store/rollup.ts';
import { levelNumber } from '../history.ts';
import { slotAverages, type SparkSample } from './spark.ts';

/** How far back a tile's sparkline reaches. */
export const SPAN = 6 * 3_600_000;
/** Most raw runs read for one tile (6 hours of a run every 10 s). */
const MAX_RAW = 2200;

export interface TileSeries {
  samples: SparkSample[];
  unit: string;
}

export class HostSeries {
  private readonly q: { fiveMin: Statement; mark: Statement };

  constructor(
    db: Db,
    private readonly store: Pick<StateStore, 'series'>,
    private readonly codec: Pick<MetricNames, 'names'>,
  ) {
    this.q = {
      fiveMin: db
        .prepare('SELECT t, spec, stats FROM runs_5m WHERE check_id = (SELECT id FROM check_ids WHERE name = ?) AND t >= ? AND t < ? ORDER BY t')
        .raw(true),
      mark: db.prepare("SELECT value FROM kv WHERE key = 'history.rolledUntil'"),
    };
  }

  /** The roll-up watermark (hours before it are in the tiers), null before the first roll-up. */
  watermark(): number | null {
    const mark = this.q.mark.get() as { value: string } | undefined;
    return mark ? Number(mark.value) : null;
  }

  /** The tile's 5-minute samples in [to − SPAN, to]; `w`: the watermark (read once per page). */
  read(name: string, to: number, w: number | null = this.watermark()): TileSeries {
    const from = to - SPAN;
    const rawFrom = w === null ? from : Math.max(from, w);
    const s = this.store.series(name, rawFrom, to, MAX_RAW);
    let metric = s.metric?.name ?? null;
    let unit = s.metric?.unit ?? '';
    const raw: { t: number; v: number }[] = [];
    for (const r of s.rows) {
      if (metric !== null) {
        if (r.value !== null) raw.push({ t: r.t, v: r.value });
        continue;
      }
      const l = levelNumber(r.level);
      if (l) {
        raw.push({ t: r.t, v: l.value });
        unit ||= l.unit;
      }
    }
    const older: SparkSample[] = [];
    if (w !== null && w > from) {
      for (const [t, spec, stats] of this.q.fiveMin.all(name, Math.floor(from / FIVE_MIN) * FIVE_MIN, w) as [number, number | null, string | null][]) {
        if (stats === null) continue;
        const names = this.codec.names(spec);
        metric ??= names[0] ?? null;
        const i = metric === null ? -1 : names.indexOf(metric);
        // each metric's "min:avg:max:p95" (rollup.ts); the average is the slot's value
        const avg = i < 0 ? NaN : Number(stats.split(',')[i]?.split(':')[1]);
        if (Number.isFinite(avg)) older.push({ t, v: avg });
      }
    }
    return { samples: [...older, ...slotAverages(raw, FIVE_MIN)], unit };
  }
}
