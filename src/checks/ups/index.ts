/**
 * `ups` — a UPS watched through Network UPS Tools' upsd (spec §4.8): the
 * status flags decide, the battery charge is the level. Beyond fletchck:
 * optional login, a minimum charge and runtime, and metrics.
 */
import { z } from 'zod';
import { defineCheck, type Metric } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { fixed, percentLevel } from '../shared/format.ts';
import { detailLine } from '../shared/errors.ts';
import { strRepr } from '../../util/pyrepr.ts';
import { resolveSecret, SecretSchema } from '../../util/secret.ts';
import { pyFloat } from '../temp/pyfloat.ts';
import { NutError, nutListVars } from './nut.ts';
import { hostName } from '../../config/text-limits.ts';

const noLineBreak = (what: string) => z.string().regex(/^[^\r\n]*$/, `${what} must be one line`);

export const UpsOptions = z.looseObject({
  ...commonCheckOptions,
  upsName: z
    .string()
    .regex(/^[^\s"\\]+$/, 'a UPS name has no spaces, quotes or backslashes')
    .default('ups')
    .describe('UPS name as upsd knows it (the [section] of ups.conf)'),
  hostname: hostName.default('localhost').describe('host running upsd'),
  port: z.int().min(1).max(65535).default(3493).describe('upsd port'),
  timeout: z.number().positive().default(5).describe('seconds for the whole query'),
  username: noLineBreak('username').optional().describe('siteward: upsd user to log in as (sent as USERNAME); none by default, as in fletchck'),
  password: SecretSchema.optional().describe('siteward: password for `username` (sent as PASSWORD): the text, {"env": "NAME"} or {"file": "/path"}'),
  minCharge: z.number().min(0).max(100).optional().describe('siteward: fail when battery.charge is below this percentage, even on line power'),
  minRuntime: z.number().min(0).optional().describe('siteward: fail when battery.runtime is below this many seconds (or not reported)'),
  warnCharge: z.number().min(0).max(100).optional().describe('siteward: WARN when battery.charge is below this percentage (above minCharge)'),
});
type UpsOpts = z.output<typeof UpsOptions>;

/** A variable fletchck requires: missing → Python's `KeyError: '<name>'` line. */
class PyKeyError extends Error {
  constructor(key: string) {
    super(strRepr(key));
    this.name = 'KeyError';
  }
}

function required(vars: Record<string, string>, key: string): string {
  const v = vars[key];
  if (v === undefined) throw new PyKeyError(key);
  return v;
}

/** An optional numeric variable: undefined when missing or not a number. */
function optionalNumber(vars: Record<string, string>, key: string): number | undefined {
  const v = vars[key];
  if (v === undefined) return undefined;
  const n = Number(v.trim());
  return v.trim() !== '' && Number.isFinite(n) ? n : undefined;
}

/** fletchck's decision and log lines for a set of variables, plus siteward's minimums. */
export function judgeUps(
  o: UpsOpts,
  vars: Record<string, string>,
): { fail: boolean; warn?: boolean; lines: string[]; level: string | null; metrics: Metric[] } {
  const status = vars['ups.status'];
  if (status !== undefined && status.trim() === 'WAIT') {
    // upsd has no data from the driver yet (startup): only ups.status exists
    return { fail: true, level: null, metrics: [], lines: ['Unknown UPS state', 'Flags: WAIT (upsd has no data from the driver yet)'] };
  }
  const bc = pyFloat(required(vars, 'battery.charge'));
  const bv = pyFloat(required(vars, 'battery.voltage'));
  const flags = required(vars, 'ups.status')
    .split(/\s+/)
    .filter((f) => f !== '');
  const lines: string[] = [];
  let fail: boolean;
  if (flags.includes('RB')) {
    fail = true;
    lines.push('Warning: Replace battery');
  } else if (flags.includes('OB')) {
    fail = true;
    lines.push('Status: On Battery');
  } else if (flags.includes('OL')) {
    fail = false;
    lines.push('Status: Online');
  } else {
    fail = true;
    lines.push('Unknown UPS state');
  }
  lines.push(`Battery: ${fixed(bv, 1)}V/${fixed(bc, 0)}% Flags: ${flags.join(', ')}`);

  const runtime = optionalNumber(vars, 'battery.runtime');
  if (o.minCharge !== undefined && bc < o.minCharge) {
    fail = true;
    lines.push(`Battery charge ${fixed(bc, 0)}% below minimum ${o.minCharge}%`);
  }
  if (o.minRuntime !== undefined) {
    if (runtime === undefined) {
      fail = true;
      lines.push('Battery runtime not reported (battery.runtime)');
    } else if (runtime < o.minRuntime) {
      fail = true;
      lines.push(`Battery runtime ${runtime} s below minimum ${o.minRuntime} s`);
    }
  }

  const metrics: Metric[] = [];
  if (Number.isFinite(bc))
    metrics.push({ name: 'battery_charge', value: bc, unit: '%', min: 0, max: 100, ...(o.minCharge !== undefined ? { critLow: o.minCharge } : {}) });
  if (Number.isFinite(bv)) metrics.push({ name: 'battery_voltage', value: bv, unit: 'V' });
  if (runtime !== undefined)
    metrics.push({ name: 'battery_runtime', value: runtime, unit: 's', min: 0, ...(o.minRuntime !== undefined ? { critLow: o.minRuntime } : {}) });
  const load = optionalNumber(vars, 'ups.load');
  if (load !== undefined) metrics.push({ name: 'ups_load', value: load, unit: '%', min: 0, max: 100 });
  // siteward WARN (issue 19): charge below warnCharge while nothing fails
  const warn = o.warnCharge !== undefined && bc < o.warnCharge;
  if (warn && !fail) lines.push(`Battery charge ${fixed(bc, 0)}% below warning ${o.warnCharge}%`);
  return { fail, warn, lines, level: percentLevel(bc), metrics };
}

/** The failure line for an error, mapped as fletchck maps nut2's errors (§4.8). */
export function upsErrorLine(ups: string, e: unknown): string {
  if (e instanceof NutError) {
    if (e.line === 'ERR DATA-STALE') return `${ups} Not Connected: DATA-STALE`;
    return `${ups} Connect Error: ${e.message}`;
  }
  // nut2 reports every socket error as "Socket error."; siteward names the cause
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (e instanceof Error && typeof code === 'string' && code.startsWith('E')) return `${ups} Connect Error: ${e.message}`;
  return detailLine(ups, e);
}

export const ups = defineCheck({
  type: 'ups',
  info: {
    summary: 'A UPS through Network UPS Tools (upsd): status flags and battery charge.',
    pass: 'ups.status has OL and neither OB nor RB (and, when set, charge ≥ `minCharge` and runtime ≥ `minRuntime`).',
    fletchck: true,
  },
  options: UpsOptions,
  defaultTimeout: 5,
  async run(o, ctx) {
    const log = [`Connecting to UPS via NUT: ${o.upsName}@${o.hostname}:${o.port}`];
    try {
      const password = o.password === undefined ? undefined : await resolveSecret(o.password);
      const vars = await nutListVars({
        host: o.hostname,
        port: o.port,
        ups: o.upsName,
        username: o.username,
        password,
        signal: ctx.signal,
      });
      const r = judgeUps(o, vars);
      return { fail: r.fail, warn: r.warn, log: [...log, ...r.lines], level: r.level, metrics: r.metrics };
    } catch (e) {
      return { fail: true, log: [...log, upsErrorLine(o.upsName, e)], level: null };
    }
  },
});
