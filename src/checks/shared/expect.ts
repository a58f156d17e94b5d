/**
 * Value tests for checks that read structured values — the `snmp` check's
 * OIDs and the `https` check's `expectJson` — one rule for both: `equals`,
 * `notEquals`, `min`, `max` and `matches`. A value passes when every test
 * given passes.
 */
import { z } from 'zod';

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** A regular expression, refused at load when it does not compile. */
const Pattern = z
  .string()
  .min(1)
  .max(1000)
  .refine((s) => {
    try {
      new RegExp(s, 'u');
      return true;
    } catch {
      return false;
    }
  }, 'not a valid regular expression');

/** The test fields, to spread into an item schema beside its own keys. */
export const valueTests = {
  equals: Scalar.optional().describe('pass only when the value is exactly this (a number, a string, true/false or null)'),
  notEquals: Scalar.optional().describe('fail when the value is exactly this'),
  min: z.number().optional().describe('fail below this number'),
  max: z.number().optional().describe('fail above this number'),
  matches: Pattern.optional().describe('pass only when the value (as text) matches this regular expression'),
};

export interface ValueTests {
  equals?: string | number | boolean | null | undefined;
  notEquals?: string | number | boolean | null | undefined;
  min?: number | undefined;
  max?: number | undefined;
  matches?: string | undefined;
}

const SHOWN = 100;

/** A value as the log shows it: JSON, cut at 100 characters. */
export function showValue(v: unknown): string {
  let s: string;
  try {
    s = typeof v === 'bigint' ? v.toString() : (JSON.stringify(v) ?? String(v));
  } catch {
    s = String(v);
  }
  return s.length > SHOWN ? `${s.slice(0, SHOWN)}…` : s;
}

/** How the expectation reads in a failure line. */
export function describeTests(t: ValueTests): string {
  const parts: string[] = [];
  if (t.equals !== undefined) parts.push(showValue(t.equals));
  if (t.notEquals !== undefined) parts.push(`not ${showValue(t.notEquals)}`);
  if (t.min !== undefined && t.max !== undefined) parts.push(`${t.min}…${t.max}`);
  else if (t.min !== undefined) parts.push(`at least ${t.min}`);
  else if (t.max !== undefined) parts.push(`at most ${t.max}`);
  if (t.matches !== undefined) parts.push(`matching /${t.matches}/`);
  return parts.join(', ');
}

/** True when the item asks anything of the value. */
export function hasTests(t: ValueTests): boolean {
  return t.equals !== undefined || t.notEquals !== undefined || t.min !== undefined || t.max !== undefined || t.matches !== undefined;
}

/**
 * Why `v` fails the tests, or null when it passes. Equality is strict (the
 * number 1 is not the string "1"); `min`/`max` need a number; `matches` reads
 * strings, numbers and booleans as text.
 */
export function failsTests(t: ValueTests, v: unknown): string | null {
  const bad = (): string => `is ${showValue(v)}, expected ${describeTests(t)}`;
  if (t.equals !== undefined && v !== t.equals) return bad();
  if (t.notEquals !== undefined && v === t.notEquals) return bad();
  if (t.min !== undefined || t.max !== undefined) {
    if (typeof v !== 'number' || !Number.isFinite(v)) return `is ${showValue(v)}, not a number (expected ${describeTests(t)})`;
    if ((t.min !== undefined && v < t.min) || (t.max !== undefined && v > t.max)) return bad();
  }
  if (t.matches !== undefined) {
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return bad();
    if (!new RegExp(t.matches, 'u').test(String(v))) return bad();
  }
  return null;
}
