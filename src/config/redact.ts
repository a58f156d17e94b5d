/**
 * Redaction: the one place that decides what a reader below admin sees of
 * a check's or an action's options. Driven by the registry's `secret`
 * marking (./marks.ts), never by option names: an option whose schema is a
 * secret shows as `(secret: inline)`, `(secret: env NAME)` or
 * `(secret: file PATH)` — what it is, never its value — and an object of
 * secrets (webhook headers, a plugin's environment) shows each value so.
 *
 * Used by the web UI (a viewer's view of a check), the REST API (read and
 * operate tokens), and so by everything built on them; logs, metrics and
 * the MQTT payload carry no options at all (test/security/redaction.test.ts
 * proves each of these outputs for every marked option of every type).
 */
import type { z } from 'zod';
import { checkType } from '../checks/registry.ts';
import { actionType } from '../actions/registry.ts';
import { describeSecret } from '../util/secret.ts';
import { marksOf, type OptionMarks } from './marks.ts';
import { isObject } from '../util/guard.ts';

type Obj = Record<string, unknown>;

export type EntryKind = 'check' | 'action';

/** What a redacted secret reads as: how it is given, never the value. */
export function secretText(v: unknown): string {
  return `(secret: ${describeSecret(v)})`;
}

/** The option schema of an entry's type, or undefined for an unknown type. */
export function optionSchema(kind: EntryKind, type: unknown): z.ZodType | undefined {
  if (typeof type !== 'string') return undefined;
  return (kind === 'check' ? checkType(type) : actionType(type))?.options;
}

/** The marks of an entry's options; null for an unknown type (whose options are all hidden). */
export function entryMarks(kind: EntryKind, type: unknown): OptionMarks | null {
  const schema = optionSchema(kind, type);
  return schema ? marksOf(schema) : null;
}

const hide = (v: unknown): unknown => (v === undefined || v === null || v === '' ? v : secretText(v));

/** A copy of `options` with every marked secret replaced by what it is. `marks` null: every value hidden. */
export function redactOptions(marks: OptionMarks | null, options: unknown): Obj {
  if (!isObject(options)) return {};
  const out: Obj = {};
  for (const [k, v] of Object.entries(options)) {
    const slot = marks === null ? 'value' : marks.secrets.get(k);
    if (slot === 'value') out[k] = hide(v);
    else if (slot === 'values' && isObject(v)) out[k] = Object.fromEntries(Object.entries(v).map(([n, x]) => [n, hide(x)]));
    else if (slot === 'values') out[k] = hide(v);
    else out[k] = v;
  }
  return out;
}

/** A copy of a check or action entry (as in the site file) with its secrets redacted. */
export function redactEntry(kind: EntryKind, entry: unknown): Obj {
  if (!isObject(entry)) return {};
  if (!('options' in entry)) return { ...entry };
  return { ...entry, options: redactOptions(entryMarks(kind, entry.type), entry.options) };
}

/** The inline secret values an entry holds (non-empty strings), e.g. to prove they appear nowhere. */
export function inlineSecrets(kind: EntryKind, entry: unknown): string[] {
  if (!isObject(entry) || !isObject(entry.options)) return [];
  const marks = entryMarks(kind, entry.type);
  const out: string[] = [];
  for (const [k, v] of Object.entries(entry.options)) {
    const slot = marks === null ? 'value' : marks.secrets.get(k);
    if (slot === 'value' && typeof v === 'string' && v !== '') out.push(v);
    if (slot === 'values' && isObject(v)) out.push(...Object.values(v).filter((x): x is string => typeof x === 'string' && x !== ''));
  }
  return out;
}
