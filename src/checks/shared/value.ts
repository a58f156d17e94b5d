/**
 * One value a check reads from a service — a query's first value
 * (postgres, mysql), a key (redis), a retained message (mqtt) — judged the
 * same way everywhere: equal to `expect` (text), inside `minValue` …
 * `maxValue` (as a number). A numeric value becomes the check's `level`
 * and its `value` metric.
 */
import { z } from 'zod';
import type { Metric, Outcome } from '../types.ts';
import { strRepr } from '../../util/pyrepr.ts';

/** The value did not meet `expect`, `minValue` or `maxValue`. */
export class UnexpectedValue extends Error {
  override name = 'UnexpectedValue';
}

/** How much of a value a log line shows. */
const SHOWN = 200;
/** A level longer than this is shown with 6 significant digits. */
const LEVEL_CHARS = 12;
export const METRIC_VALUE = 'value';

/** `expect`, `minValue`, `maxValue` for a value described by `what` ("the query's first value"). */
export function valueOptions(what: string) {
  return {
    expect: z.string().max(4096).optional().describe(`pass only when ${what} is exactly this text`),
    minValue: z.number().optional().describe(`pass only when ${what} is a number of at least this`),
    maxValue: z.number().optional().describe(`pass only when ${what} is a number of at most this`),
  };
}

export interface ValueOptions {
  expect?: string | undefined;
  minValue?: number | undefined;
  maxValue?: number | undefined;
}

/** True when any judgement of the value is asked for. */
export function judges(o: ValueOptions): boolean {
  return o.expect !== undefined || o.minValue !== undefined || o.maxValue !== undefined;
}

/**
 * Load-time problems: a judgement without the option that reads the value
 * (`source`, e.g. `query`), and an empty range.
 */
export function valueIssues(o: ValueOptions, source: { name: string; set: boolean }): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  if (!source.set) {
    for (const k of ['expect', 'minValue', 'maxValue'] as const) {
      if (o[k] !== undefined) issues.push({ path: [k], message: `${k} needs ${source.name}` });
    }
  }
  if (o.minValue !== undefined && o.maxValue !== undefined && o.minValue > o.maxValue) {
    issues.push({ path: ['maxValue'], message: `maxValue (${o.maxValue}) is below minValue (${o.minValue})` });
  }
  return issues;
}

/** A value for a log line: Python's str repr, cut at 200 characters; null for SQL NULL or nothing. */
export function valueRepr(v: string | null): string {
  if (v === null) return 'None';
  return v.length > SHOWN ? `${strRepr(v.slice(0, SHOWN))}…` : strRepr(v);
}

/** A database cell as text: SQL NULL is null (shown as None, never equal to an `expect`). */
export function valueText(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
}

/** The log line of a query's result (postgres, mysql): `query: 1 row, first value '2'`. */
export function queryLine(rows: number, first: string | null | undefined): string {
  const count = `${rows} ${rows === 1 ? 'row' : 'rows'}`;
  return first === undefined ? `query: ${count}` : `query: ${count}, first value ${valueRepr(first)}`;
}

/** The value as a number, or null when it is not one (text such as "12 s" is not). */
export function numeric(v: string | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  const t = v.trim();
  if (t === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/**
 * Throws UnexpectedValue when `value` (undefined: nothing was found, e.g. no
 * row; null: SQL NULL) fails `expect`, `minValue` or `maxValue`.
 */
export function judgeValue(value: string | null | undefined, o: ValueOptions): void {
  if (!judges(o)) return;
  if (value === undefined) throw new UnexpectedValue('no value to compare (nothing was returned)');
  const shown = valueRepr(value);
  if (o.expect !== undefined && value !== o.expect) throw new UnexpectedValue(`${shown} is not the expected ${valueRepr(o.expect)}`);
  if (o.minValue === undefined && o.maxValue === undefined) return;
  const n = numeric(value);
  if (n === null) throw new UnexpectedValue(`${shown} is not a number`);
  if (o.minValue !== undefined && n < o.minValue) throw new UnexpectedValue(`${shown} is below the minimum ${o.minValue}`);
  if (o.maxValue !== undefined && n > o.maxValue) throw new UnexpectedValue(`${shown} is above the maximum ${o.maxValue}`);
}

/** The level text for a number: as sent when short, else 6 significant digits. */
export function valueLevel(text: string, n: number): string {
  const t = text.trim();
  return t.length <= LEVEL_CHARS ? t : String(Number(n.toPrecision(6)));
}

/**
 * A numeric value becomes the outcome's `level` (instead of a certificate's
 * days left, which stay a metric) and its `value` metric (with `maxValue`
 * as its critical bound).
 */
export function withValue(outcome: Outcome, value: string | null | undefined, o: ValueOptions): Outcome {
  const n = numeric(value);
  if (n === null || value === null || value === undefined) return outcome;
  const metric: Metric = { name: METRIC_VALUE, value: n };
  if (o.maxValue !== undefined) metric.crit = o.maxValue;
  return { ...outcome, level: valueLevel(value, n), metrics: [...(outcome.metrics ?? []), metric] };
}
