/**
 * `memory` — share of RAM in use, from /proc/meminfo (spec §4.10).
 */
import { readSmallText } from '../shared/procfs.ts';
import { join } from 'node:path';
import { z } from 'zod';
import { defineCheck } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { percentLevel, padded, sizeUnit } from '../shared/format.ts';
import { levelFails, levelWarns, warnLevelOption } from '../shared/level.ts';
import { detailLine } from '../shared/errors.ts';
import { isFailing } from '../../engine/state.ts';

export const MemoryOptions = z.looseObject({
  ...commonCheckOptions,
  level: z.number().min(0).max(100).default(85).describe('fail above this used percentage'),
  hysteresis: z.number().min(0).default(5).describe('once failing, pass again only below level − hysteresis'),
  ...warnLevelOption,
});

type MeminfoKey = 'MemTotal' | 'MemFree' | 'Buffers' | 'Cached' | 'SReclaimable' | 'MemAvailable';
/** one pattern per /proc/meminfo key, made once (not per run); without the g flag, exec keeps no state */
const MEMINFO = Object.fromEntries(
  (['MemTotal', 'MemFree', 'Buffers', 'Cached', 'SReclaimable', 'MemAvailable'] as const).map((k) => [k, new RegExp(`^${k}:\\s+(\\d+)`, 'm')]),
) as Record<MeminfoKey, RegExp>;

/** psutil's virtual_memory() on Linux: percent = (total − available) / total. */
export async function memoryUsage(procRoot: string): Promise<{ total: number; available: number; used: number; percent: number }> {
  const text = await readSmallText(join(procRoot, 'meminfo'));
  const kb = (key: MeminfoKey): number | undefined => {
    const m = MEMINFO[key].exec(text);
    return m ? Number(m[1]) * 1024 : undefined;
  };
  const total = kb('MemTotal');
  if (!total) throw new Error('MemTotal missing from meminfo');
  const free = kb('MemFree') ?? 0;
  const buffers = kb('Buffers') ?? 0;
  const cached = (kb('Cached') ?? 0) + (kb('SReclaimable') ?? 0);
  const available = kb('MemAvailable') ?? free + buffers + cached;
  let used = total - free - buffers - cached;
  if (used < 0) used = total - free;
  const percent = Math.round(((total - available) / total) * 1000) / 10;
  return { total, available, used, percent };
}

export const memory = defineCheck({
  type: 'memory',
  info: {
    summary: 'Share of RAM in use (total − available).',
    pass: 'used % at or below `level` (with hysteresis once failing).',
    fletchck: true,
  },
  options: MemoryOptions,
  defaultTimeout: 5,
  async run(o, ctx) {
    try {
      const m = await memoryUsage(ctx.env.procRoot);
      const u = sizeUnit(m.total);
      return {
        fail: levelFails(m.percent, o.level, o.hysteresis, isFailing(ctx.check.state.failState)),
        warn: levelWarns(m.percent, o.warnLevel, o.hysteresis, ctx.check.state.warn),
        level: percentLevel(m.percent),
        log: [`Memory: ${padded(m.percent, 2, 0)}% ${u.fmt(m.used)}/${u.fmt(m.total)}${u.unit}, ${u.fmt(m.available)}${u.unit} Available, Target: ${o.level}%`],
        metrics: [
          { name: 'used_percent', value: m.percent, unit: '%', ...(o.warnLevel !== undefined ? { warn: o.warnLevel } : {}), crit: o.level, min: 0, max: 100 },
          { name: 'available_bytes', value: m.available, unit: 'B', min: 0, max: m.total },
        ],
      };
    } catch (e) {
      return { fail: true, log: [detailLine('memory', e)] };
    }
  },
});
