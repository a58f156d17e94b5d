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

/** Usage as psutil reports it: used = total − free-to-root; percent of what users can reach. */
export async function diskUsage(path: string): Promise<{ total: number; used: number; free: number; percent: number }> {
  const s = await statfs(path);
  const total = s.blocks * s.bsize;
  const used = (s.blocks - s.bfree) * s.bsize;
  const free = s.bavail * s.bsize;
  const percent = used + free > 0 ? (used / (used + free)) * 100 : 0;
  return { total, used, free, percent: Math.round(percent * 10) / 10 };
}

export const disk = defineCheck({
  type: 'disk',
  info: {
    summary: 'Used space on a local file system.',
    pass: 'used % at or below `level` (with hysteresis once failing).',
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
          { name: 'used_percent', value: du.percent, unit: '%', crit: o.level, min: 0, max: 100 },
          { name: 'used_bytes', value: du.used, unit: 'B', min: 0, max: du.total },
          { name: 'free_bytes', value: du.free, unit: 'B', min: 0, max: du.total },
        ],
      };
    } catch (e) {
      return { fail: true, log: [detailLine(o.volume, e)] };
    }
  },
});
