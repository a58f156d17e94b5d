/**
 * `temp` — a temperature against a threshold with hysteresis (spec §4.12,
 * §3.3): a Comet web thermometer over HTTP as in fletchck, or (siteward) a
 * local hwmon sensor such as the CPU package.
 */
import { z } from 'zod';
import { defineCheck } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { fixed } from '../shared/format.ts';
import { levelFails, levelWarns } from '../shared/level.ts';
import { detailLine } from '../shared/errors.ts';
import { isFailing } from '../../engine/state.ts';
import { CometError, cometCelsius, decodeXml, fetchEventXml } from './comet.ts';
import { readHwmon } from './hwmon.ts';
import { hostName } from '../../config/text-limits.ts';

export const TempOptions = z.looseObject({
  ...commonCheckOptions,
  source: z
    .enum(['comet', 'hwmon'])
    .default('comet')
    .describe('"comet": a Comet web thermometer over HTTP (fletchck); "hwmon": a local sensor under /sys/class/hwmon (siteward)'),
  hostname: hostName.default('').describe("comet: the thermometer's host name or address"),
  port: z.int().min(1).max(65535).default(80).describe('comet: HTTP port'),
  timeout: z.number().positive().default(10).describe('seconds for the whole reading'),
  temperature: z.number().default(50).describe('fail above this temperature in °C (fletchck does not use `level` here)'),
  hysteresis: z.number().min(0).default(2).describe('once failing, pass again only below temperature − hysteresis'),
  warnTemperature: z.number().optional().describe('siteward: WARN above this temperature in °C (below `temperature`)'),
  chip: z.string().min(1).optional().describe('hwmon: chip name (e.g. coretemp, k10temp, nvme) or folder (hwmon2); default: the first chip with a sensor'),
  label: z.string().min(1).optional().describe('hwmon: sensor label (e.g. "Package id 0", "Tctl", "Composite") or tempN; default: the chip\'s first sensor'),
});

const DEG = '\u00b0C';

export const temp = defineCheck({
  type: 'temp',
  info: {
    summary: 'A temperature: a Comet web thermometer (HTTP event.xml) or a local hwmon sensor.',
    pass: 'the reading in °C is at or below `temperature` (with hysteresis once failing).',
    fletchck: true,
  },
  options: TempOptions,
  defaultTimeout: 10,
  async run(o, ctx) {
    const failing = isFailing(ctx.check.state.failState);
    if (o.source === 'hwmon') {
      const subject = o.chip ?? 'hwmon';
      try {
        const r = await readHwmon(ctx.env.sysRoot, o.chip, o.label);
        return outcome(`${r.chip}/${r.label}`, r.celsius, o.temperature, o.hysteresis, failing, { level: o.warnTemperature, warning: ctx.check.state.warn });
      } catch (e) {
        return { fail: true, log: [detailLine(subject, e)], level: null };
      }
    }
    try {
      const res = await fetchEventXml(o.hostname, o.port, ctx.signal);
      // fletchck reads the body only on 200; anything else is "unable to read"
      if (res.status !== 200) throw new CometError();
      const t = cometCelsius(decodeXml(res.body, res.contentType));
      return outcome(o.hostname, t, o.temperature, o.hysteresis, failing, { level: o.warnTemperature, warning: ctx.check.state.warn });
    } catch (e) {
      return { fail: true, log: [detailLine(o.hostname, e)], level: null };
    }
  },
});

function outcome(subject: string, t: number, threshold: number, hysteresis: number, failing: boolean, w: { level?: number; warning: boolean }) {
  return {
    fail: levelFails(t, threshold, hysteresis, failing),
    warn: levelWarns(t, w.level, hysteresis, w.warning),
    log: [`${subject}: ${fixed(t, 1)}${DEG} Target: ${threshold}${DEG}`],
    level: `${fixed(t, 1)}${DEG}`,
    metrics: Number.isFinite(t) ? [{ name: 'temperature', value: t, unit: DEG, ...(w.level !== undefined ? { warn: w.level } : {}), crit: threshold }] : [],
  };
}
