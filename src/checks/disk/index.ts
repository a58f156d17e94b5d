/**
 * `disk` — file-system usage of a volume (spec §4.9).
 */
import { statfs } from 'node:fs/promises';
import { z } from 'zod';
import { defineCheck } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { percentLevel, padded, sizeUnit } from '../shared/format.ts';
import { levelFails, levelWarns, warnLevelOption } from '../shared/level.ts';
import { detailLine } from '../shared/errors.ts';
import { isFailing } from '../../engine/state.ts';

export const DiskOptions = z.looseObject({
  ...commonCheckOptions,
  volume: z.string().default('/').describe('mount point or any path on the file system'),
  level: z.number().min(0).max(100).default(90).describe('fail above this used percentage'),
  hysteresis: z.number().min(0).default(2).describe('once failing, pass again only below level − hysteresis'),
  ...warnLevelOption,
});

export interface DiskUsage {
  total: number;
  used: number;
  /** free for unprivileged users (reserved blocks excluded) */
  free: number;
  /** used / total (spec §4.9, fletchck's `shutil.disk_usage`): the `level` and the log line */
  percent: number;
  /** used / (used + free), as df and psutil print it: reserved blocks count as neither (an extra metric) */
  dfPercent: number;
}

const oneDecimal = (x: number): number => Math.round(x * 10) / 10;

/**
 * Usage of a file system from its statvfs figures as Python's
 * `shutil.disk_usage` computes it: total = blocks, used = blocks − free
 * blocks, free = blocks available to users (spec §4.9).
 */
export function usageOf(s: { blocks: number; bfree: number; bavail: number; bsize: number }): DiskUsage {
  const total = s.blocks * s.bsize;
  const used = (s.blocks - s.bfree) * s.bsize;
  const free = s.bavail * s.bsize;
  return {
    total,
    used,
    free,
    // unrounded: the level is "%2.0f" of the exact figure (9.49 is " 9%", not 9.5 then 10)
    percent: total > 0 ? (used / total) * 100 : 0,
    dfPercent: used + free > 0 ? (used / (used + free)) * 100 : 0,
  };
}

export async function diskUsage(path: string): Promise<DiskUsage> {
  return usageOf(await statfs(path));
}

export const disk = defineCheck({
  type: 'disk',
  info: {
    summary: 'Used space on a local file system.',
    pass: 'used % (used of total, as fletchck) at or below `level` (with hysteresis once failing).',
    fletchck: true,
  },
  options: DiskOptions,
  defaultTimeout: 5,
  async run(o, ctx) {
    try {
      const du = await diskUsage(o.volume);
      const u = sizeUnit(du.total);
      const fail = levelFails(du.percent, o.level, o.hysteresis, isFailing(ctx.check.state.failState));
      return {
        fail,
        warn: !fail && levelWarns(du.percent, o.warnLevel, o.hysteresis, ctx.check.state.warn),
        level: percentLevel(du.percent),
        log: [`${o.volume}: ${padded(du.percent, 2, 0)}% ${u.fmt(du.used)}/${u.fmt(du.total)}${u.unit}, ${u.fmt(du.free)}${u.unit} Free, Target: ${o.level}%`],
        metrics: [
          {
            name: 'used_percent',
            value: oneDecimal(du.percent),
            unit: '%',
            ...(o.warnLevel !== undefined ? { warn: o.warnLevel } : {}),
            crit: o.level,
            min: 0,
            max: 100,
          },
          { name: 'used_bytes', value: du.used, unit: 'B', min: 0, max: du.total },
          { name: 'free_bytes', value: du.free, unit: 'B', min: 0, max: du.total },
          { name: 'used_percent_df', value: oneDecimal(du.dfPercent), unit: '%', min: 0, max: 100 },
        ],
      };
    } catch (e) {
      return { fail: true, log: [detailLine(o.volume, e)] };
    }
  },
});
