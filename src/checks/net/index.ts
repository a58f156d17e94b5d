/**
 * `net` — a network interface's link state and throughput (siteward). The
 * rates are the change of the /proc/net/dev byte counters since the
 * previous run (kept in the check's scratch space), so a run never waits,
 * except the first one, which takes its own short window (as `cpu` does).
 */
import { z } from 'zod';
import { defineCheck, type Metric } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { fixed } from '../shared/format.ts';
import { levelFails, levelWarns } from '../shared/level.ts';
import { detailLine } from '../shared/errors.ts';
import { isFailing } from '../../engine/state.ts';
import { operstateOk, readCounters, readOperstate, type Counters } from './procnet.ts';

export const NetOptions = z.looseObject({
  ...commonCheckOptions,
  interface: z
    .string()
    .regex(/^[^\s/:]{1,15}$/, 'an interface name (1–15 characters, no spaces, "/" or ":")')
    .describe('interface name as in `ip link` (eth0, enp3s0, wlan0, br0…)'),
  level: z.number().positive().optional().describe('fail above this rate in Mbit/s; without it only the link state is checked'),
  hysteresis: z.number().min(0).default(0).describe('Mbit/s: once failing, pass again only below level − hysteresis'),
  warnLevel: z.number().positive().optional().describe('siteward: WARN above this rate in Mbit/s (below `level`)'),
  direction: z
    .enum(['max', 'rx', 'tx', 'sum'])
    .default('max')
    .describe('rate compared with level: the larger of receive and transmit (max), receive, transmit, or both added (sum)'),
  sample: z
    .number()
    .min(0)
    .max(10)
    .default(1)
    .describe('seconds the first run (with no earlier counters) measures over; 0: report rates from the second run on'),
  timeout: z.number().positive().default(5).describe('seconds for the whole run'),
});
type NetOpts = z.output<typeof NetOptions>;

interface Sample extends Counters {
  at: number;
}

const MBIT = 1e6 / 8; // bytes per second in one Mbit/s

function rates(a: Sample, b: Sample, fallbackSeconds: number): { rx: number; tx: number; rxErrors: number; txErrors: number } | null {
  // counters going backwards: the interface was re-created or a 32-bit counter wrapped
  if (b.rxBytes < a.rxBytes || b.txBytes < a.txBytes) return null;
  let dt = (b.at - a.at) / 1000;
  if (dt <= 0) dt = fallbackSeconds;
  if (dt <= 0) return null;
  return {
    rx: (b.rxBytes - a.rxBytes) / dt / MBIT,
    tx: (b.txBytes - a.txBytes) / dt / MBIT,
    rxErrors: Math.max(0, b.rxErrors - a.rxErrors),
    txErrors: Math.max(0, b.txErrors - a.txErrors),
  };
}

function compared(o: NetOpts, r: { rx: number; tx: number }): number {
  switch (o.direction) {
    case 'rx':
      return r.rx;
    case 'tx':
      return r.tx;
    case 'sum':
      return r.rx + r.tx;
    default:
      return Math.max(r.rx, r.tx);
  }
}

const mbit = (v: number): string => `${fixed(v, 1)} Mbit/s`;

export const net = defineCheck({
  type: 'net',
  info: {
    summary: 'A network interface: link state and receive/transmit rates.',
    pass: 'the interface exists and is up (or "unknown", as loopback and tunnels report), and with `level` its rate is at or below it (with hysteresis once failing).',
  },
  options: NetOptions,
  defaultTimeout: 5,
  async run(o, ctx) {
    const key = `net:${o.interface}`;
    try {
      const take = async (): Promise<Sample | undefined> => {
        const c = await readCounters(ctx.env.procRoot, o.interface);
        return c && { ...c, at: ctx.now() };
      };
      let cur = await take();
      if (!cur) {
        delete ctx.scratch[key];
        return { fail: true, log: [`${o.interface}: no such interface`], level: null };
      }
      const state = await readOperstate(ctx.env.sysRoot, o.interface);
      let prev = ctx.scratch[key] as Sample | undefined;
      let r = prev ? rates(prev, cur, 0) : null;
      if (!r && o.sample > 0 && operstateOk(state)) {
        // no usable earlier counters: measure over a short window, with a timer
        prev = cur;
        await ctx.sleep(o.sample * 1000);
        cur = (await take()) ?? cur;
        r = rates(prev, cur, o.sample);
      }
      ctx.scratch[key] = cur;

      const stateText = state ?? 'unknown';
      if (!operstateOk(state)) {
        return { fail: true, log: [`${o.interface}: link ${stateText}`], level: stateText };
      }
      if (!r) {
        return { fail: false, log: [`${o.interface}: link ${stateText}, rates from the next run`], level: null };
      }
      const v = compared(o, r);
      const target = o.level === undefined ? '' : `, Target: ${mbit(o.level)}`;
      const fail = o.level !== undefined && levelFails(v, o.level, o.hysteresis, isFailing(ctx.check.state.failState));
      const crit = (d: 'rx' | 'tx'): Partial<Metric> =>
        o.level !== undefined && (o.direction === d || o.direction === 'max')
          ? { crit: o.level, ...(o.warnLevel !== undefined ? { warn: o.warnLevel } : {}) }
          : {};
      return {
        fail,
        warn: levelWarns(v, o.warnLevel, o.hysteresis, ctx.check.state.warn),
        log: [`${o.interface}: link ${stateText}, rx ${mbit(r.rx)}, tx ${mbit(r.tx)}${target}`],
        level: mbit(v),
        metrics: [
          { name: 'rx_rate', value: r.rx, unit: 'Mbit/s', min: 0, ...crit('rx') },
          { name: 'tx_rate', value: r.tx, unit: 'Mbit/s', min: 0, ...crit('tx') },
          { name: 'rx_errors', value: r.rxErrors, min: 0 },
          { name: 'tx_errors', value: r.txErrors, min: 0 },
        ],
      };
    } catch (e) {
      return { fail: true, log: [detailLine(o.interface, e)], level: null };
    }
  },
});
