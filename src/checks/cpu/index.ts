/**
 * `cpu` — system-wide CPU utilisation since the previous run (spec §4.11),
 * from /proc/stat. The first run waits one second between two samples, but
 * with a timer (fletchck blocks a worker thread for that second).
 */
import { readSmallText } from '../shared/procfs.ts';
import { join } from 'node:path';
import { z } from 'zod';
import { defineCheck } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { percentLevel, padded } from '../shared/format.ts';
import { levelFails, levelWarns, warnLevelOption } from '../shared/level.ts';
import { detailLine } from '../shared/errors.ts';
import { isFailing } from '../../engine/state.ts';

export const CpuOptions = z.looseObject({
  ...commonCheckOptions,
  level: z.number().min(0).max(100).default(80).describe('fail above this busy percentage'),
  hysteresis: z.number().min(0).default(5).describe('once failing, pass again only below level − hysteresis'),
  ...warnLevelOption,
});

interface Sample {
  busy: number;
  total: number;
}

export async function cpuSample(procRoot: string): Promise<Sample> {
  const text = await readSmallText(join(procRoot, 'stat'));
  // the first line that starts with "cpu " (found, not split: /proc/stat's intr line alone can be kilobytes)
  const at = text.startsWith('cpu ') ? 0 : text.indexOf('\ncpu ') + 1;
  if (at === 0 && !text.startsWith('cpu ')) throw new Error('no cpu line in /proc/stat');
  const end = text.indexOf('\n', at);
  const line = end < 0 ? text.slice(at) : text.slice(at, end);
  // user nice system idle iowait irq softirq steal guest guest_nice; guests are inside user/nice
  const v = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  const idle = v[3] + (v[4] ?? 0);
  return { busy: total - idle, total };
}

export function busyPercent(a: Sample, b: Sample): number {
  const dt = b.total - a.total;
  if (dt <= 0) return 0;
  return Math.round(((b.busy - a.busy) / dt) * 1000) / 10;
}

export const cpu = defineCheck({
  type: 'cpu',
  info: {
    summary: 'System-wide CPU utilisation since the previous run.',
    pass: 'busy % at or below `level` (with hysteresis once failing).',
    fletchck: true,
  },
  options: CpuOptions,
  defaultTimeout: 5,
  async run(o, ctx) {
    try {
      let prev = ctx.scratch.cpu as Sample | undefined;
      let cur = await cpuSample(ctx.env.procRoot);
      if (!prev || cur.total - prev.total < 1) {
        // no usable previous sample (first run): take a second one a second later
        prev = cur;
        await ctx.sleep(1000);
        cur = await cpuSample(ctx.env.procRoot);
      }
      ctx.scratch.cpu = cur;
      const pct = busyPercent(prev, cur);
      return {
        fail: levelFails(pct, o.level, o.hysteresis, isFailing(ctx.check.state.failState)),
        warn: levelWarns(pct, o.warnLevel, o.hysteresis, ctx.check.state.warn),
        level: percentLevel(pct),
        log: [`CPU: ${padded(pct, 2, 0)}%, Target: ${o.level}%`],
        metrics: [
          { name: 'busy_percent', value: pct, unit: '%', ...(o.warnLevel !== undefined ? { warn: o.warnLevel } : {}), crit: o.level, min: 0, max: 100 },
        ],
      };
    } catch (e) {
      return { fail: true, log: [detailLine('cpu', e)] };
    }
  },
});
