/**
 * Form fields derived from a zod option schema (via zod 4's JSON Schema
 * output). The check, action and site-config forms are all built this way,
 * so a new type's options appear in the UI without touching it
 * (docs/design.md "the web form's fields are derived from the registry").
 * Only the fields of the selected type are rendered and read, so nothing of
 * another type leaks into the saved options (fixes spec §8.4 / §9.13 options
 * pollution). Reading a submitted form back is in field-read.ts.
 */
import { z } from 'zod';
import { labelOf, plainHelp } from './words.ts';
import { branches, isHostAccess, secretPathsOf, type Json } from '../config/marks.ts';

export { formValues, listValue, type FormValues } from './form-values.ts';
export { fieldValues, readFields, type ReadResult } from './field-read.ts';

export type { Field, FieldKind } from './field-types.ts';
import type { Field, FieldKind } from './field-types.ts';

/**
 * The fields as a user sees them: below admin, hostAccess fields are
 * read-only and secret references can only be kept (the rule itself is
 * src/config/trust.ts; this only tells the user before they try).
 */
export function forRole(fields: readonly Field[], admin: boolean): Field[] {
  if (admin) return [...fields];
  return fields.map((f) => (f.hostAccess ? { ...f, locked: true } : f.kind === 'secret' && f.refs ? { ...f, refsLocked: true } : f));
}

export { labelOf };

const SCALAR = new Set(['string', 'integer', 'number']);

interface Shape {
  kind: FieldKind;
  extra: Pick<Field, 'refs' | 'numeric' | 'single' | 'secrets' | 'tristate'>;
  /** the branch numbers and choices come from */
  main: Json;
  choices: string[];
}

function shapeOf(raw: Json): Shape {
  const bs = branches(raw);
  const main = bs[0] ?? {};
  const types = new Set(bs.map((b) => String(b.type ?? '')));
  const shape = (kind: FieldKind, extra: Shape['extra'] = {}, choices: string[] = []): Shape => ({ kind, extra, main, choices });
  // the registry's secret marking (src/config/marks.ts) decides, as it does for redaction
  const slots = secretPathsOf(raw);
  if (slots.some((p) => p.length === 0)) return shape('secret', { refs: types.has('object') });
  // secrets further down (headers, a plugin's environment, browser steps): edited as JSON whose stored secrets are masked
  if (slots.length > 0) return shape('json', { secrets: slots });
  const enums = bs.map((b) => (Array.isArray(b.enum) ? (b.enum as unknown[]) : 'const' in b ? [b.const] : null));
  if (bs.length > 0 && enums.every((e) => e !== null && e.every((v) => typeof v === 'string'))) {
    return shape('select', {}, [...new Set(enums.flat().map(String))]);
  }
  // a yes/no whose default is null ("decide for me", e.g. api.metricsAuth): three choices, not a check box
  if (types.size === 1 && types.has('boolean')) return raw.default === null ? shape('select', { tristate: true }, ['true', 'false']) : shape('checkbox');
  if (types.has('string') && types.has('object')) return shape('template');
  const arr = bs.find((b) => b.type === 'array');
  if (arr) {
    const items = branches((arr.items ?? {}) as Json);
    const itemTypes = new Set(items.map((b) => String(b.type ?? '')));
    const scalarItems = items.length > 0 && [...itemTypes].every((t) => SCALAR.has(t));
    if (!scalarItems) return shape('json');
    return shape('lines', {
      numeric: itemTypes.has('integer') || itemTypes.has('number'),
      single: bs.some((b) => SCALAR.has(String(b.type))),
    });
  }
  // a wire text (tcp's `send`): typed in a text area, its line ends kept (browsers submit CRLF, RFC 5322 line ends)
  if (types.size === 1 && types.has('string') && bs.some((b) => b.multiline === true)) return shape('multiline');
  if (types.has('string')) return shape('text', { numeric: types.has('integer') || types.has('number') });
  if (types.has('number')) return { ...shape('number'), main: bs.find((b) => b.type === 'number') ?? main };
  if (types.has('integer')) return shape('integer');
  return shape('json');
}

export interface FieldsOptions {
  exclude?: readonly string[];
  /** fields to put first, in this order */
  order?: readonly string[];
  /** list-of-names fields that hold check names (rendered as a check picker) */
  membersKeys?: readonly string[];
}

/** The form fields of an object schema, in schema order. */
export function fieldsOf(schema: z.ZodType, o: FieldsOptions = {}): Field[] {
  let js: Json;
  try {
    js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  } catch {
    return [];
  }
  const props = (js.properties ?? {}) as Record<string, Json>;
  const required = new Set((js.required as string[] | undefined) ?? []);
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < 2 ** 52 ? v : undefined);
  const out: Field[] = [];
  for (const [key, raw] of Object.entries(props)) {
    if (o.exclude?.includes(key)) continue;
    const s = shapeOf(raw);
    const kind = s.kind === 'lines' && !s.extra.numeric && o.membersKeys?.includes(key) ? 'members' : s.kind;
    const described = [raw, ...branches(raw)].find((b) => typeof b.description === 'string');
    out.push({
      key,
      label: labelOf(key),
      kind,
      help: described ? plainHelp(String(described.description)) : '',
      default: raw.default,
      choices: s.choices,
      min: num(s.main.minimum) ?? num(s.main.exclusiveMinimum),
      max: num(s.main.maximum) ?? num(s.main.exclusiveMaximum),
      required: required.has(key) && raw.default === undefined,
      ...s.extra,
      ...(isHostAccess(raw) ? { hostAccess: true } : {}),
    });
  }
  if (o.order) {
    const rank = (k: string): number => {
      const i = o.order!.indexOf(k);
      return i < 0 ? o.order!.length : i;
    };
    out.sort((a, b) => rank(a.key) - rank(b.key));
  }
  return out;
}

/** Member-list option keys of a type: the list fields its `members()` reads. */
export function membersKeysOf(schema: z.ZodType, members: ((opts: never) => string[]) | undefined): string[] {
  if (!members) return [];
  const keys: string[] = [];
  for (const f of fieldsOf(schema)) {
    if (f.kind !== 'lines' || f.numeric) continue;
    const probe = '\u0000probe';
    try {
      const parsed = schema.safeParse({ [f.key]: [probe] });
      // a type with required options cannot parse the probe alone: ask members() directly
      const opts = parsed.success ? parsed.data : { [f.key]: [probe] };
      if ((members as (o: unknown) => string[])(opts).includes(probe)) keys.push(f.key);
    } catch {
      // a members() that cannot take the probe simply has no picker
    }
  }
  return keys;
}
