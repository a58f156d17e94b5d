/**
 * Redaction: the one place that decides what a reader below admin sees of
 * a check's or an action's options. Driven by the registry's `secret`
 * marking (./marks.ts), never by option names: an option whose schema is a
 * secret shows as `(secret: inline)`, `(secret: env NAME)` or
 * `(secret: file PATH)` — what it is, never its value — wherever the
 * slot is: an option, each value of an object of secrets (webhook headers,
 * a plugin's environment), a property of each item of a list (a browser
 * step's `value`).
 *
 * Used by the web UI (a viewer's view of a check), the REST API (read and
 * operate tokens), and so by everything built on them; logs, metrics and
 * the MQTT payload carry no options at all (test/security/redaction.test.ts
 * proves each of these outputs for every marked option of every type).
 */
import type { z } from 'zod';
import { checkType } from '../checks/catalog.ts';
import { actionType } from '../actions/catalog.ts';
import { describeSecret } from '../util/secret.ts';
import { mapSlots, marksOf, slotValues, type OptionMarks } from './marks.ts';
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

/**
 * A copy of `options` with every value at a secret slot replaced by what it
 * is — at any depth: `password`, each of `headers`, each step's `value` —
 * and any value of another shape where a slot leads (it may be a secret in
 * the wrong place). `marks` null: every value hidden.
 */
export function redactOptions(marks: OptionMarks | null, options: unknown): Obj {
  if (!isObject(options)) return {};
  if (marks === null) return Object.fromEntries(Object.entries(options).map(([k, v]) => [k, hide(v)]));
  return mapSlots(options, marks.secrets, (s) => hide(s.value)) as Obj;
}

/** A copy of a check or action entry (as in the site file) with its secrets redacted. */
export function redactEntry(kind: EntryKind, entry: unknown): Obj {
  if (!isObject(entry)) return {};
  if (!('options' in entry)) return { ...entry };
  return { ...entry, options: redactOptions(entryMarks(kind, entry.type), entry.options) };
}

/** The inline secret values an entry holds (non-empty strings at its secret slots), e.g. to prove they appear nowhere. */
export function inlineSecrets(kind: EntryKind, entry: unknown): string[] {
  if (!isObject(entry) || !isObject(entry.options)) return [];
  const marks = entryMarks(kind, entry.type);
  if (marks === null) return Object.values(entry.options).filter((x): x is string => typeof x === 'string' && x !== '');
  return marks.secrets.flatMap((p) => slotValues(entry.options, p).map((s) => s.value)).filter((x): x is string => typeof x === 'string' && x !== '');
}
