/**
 * The marks the trust boundary reads on option schemas (docs/security.md).
 * A type marks an option once, in its zod schema, and the forms, the
 * redaction (./redact.ts) and the admin rule (./trust.ts) all follow:
 *
 *   .meta({ secret: true })      the value is a secret (`secret()` in
 *                                src/actions/shared/options.ts, or the
 *                                `{"env"}`/`{"file"}` union of src/util/secret.ts)
 *   hostAccess(schema)           the value picks a program the daemon runs,
 *                                that program's environment, or a file the
 *                                daemon reads: changing it needs the admin role
 *
 * A mark may sit at any depth of an option: on the option itself (an email
 * `password`), on the values of a record (webhook `headers`, exec `env`), on
 * a property of the items of an array (browser `steps[].value`), and so on.
 * Each marked place is a slot path (`SlotPath`) from the options object; the
 * helpers below find and rewrite the values a slot path reaches, so no user
 * of the marks walks option values by hand.
 *
 * Marks are read from zod's JSON Schema output (meta keys are copied there),
 * so wrappers (`.optional()`, `.nullable()`, `.default()`) keep them.
 */
import { z } from 'zod';
import type { PathSegment } from './issues.ts';
import { isObject } from '../util/guard.ts';

export type Json = Record<string, unknown>;

/** Marks an option as deciding what runs on this host or what the daemon reads (admin only to change). */
export function hostAccess<T extends z.ZodType>(schema: T): T {
  return schema.meta({ hostAccess: true }) as T;
}

/** Every alternative of a JSON Schema (zod writes unions and nullables as anyOf or type arrays), null dropped. */
export function branches(s: Json): Json[] {
  const alts = (Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : null) as Json[] | null;
  if (alts) return alts.flatMap(branches);
  if (Array.isArray(s.type)) return (s.type as string[]).filter((t) => t !== 'null').map((t) => ({ ...s, type: t }));
  if (s.type === 'null') return [];
  return [s];
}

/**
 * A `{"env": …}` / `{"file": …}` alternative (src/util/secret.ts): where the
 * daemon reads a secret from. Exactly that one key: an options object with
 * an `env` option (exec) is not a reference.
 */
export const isRefBranch = (b: Json): boolean => {
  if (b.type !== 'object' || typeof b.properties !== 'object' || b.properties === null) return false;
  const keys = Object.keys(b.properties);
  return keys.length === 1 && (keys[0] === 'env' || keys[0] === 'file');
};

const marksSecret = (b: Json): boolean => b.secret === true || isRefBranch(b);

/** The schema itself is a secret (not something that holds secrets further down). */
export function isSecret(prop: Json): boolean {
  return prop.secret === true || branches(prop).some(marksSecret);
}

export function isHostAccess(prop: Json): boolean {
  return prop.hostAccess === true || branches(prop).some((b) => b.hostAccess === true);
}

/** A step of a slot path: a property name, every key of a record, or every item of an array. */
export type SlotStep = string | { readonly each: 'key' } | { readonly each: 'item' };
export const EACH_KEY: SlotStep = Object.freeze({ each: 'key' as const });
export const EACH_ITEM: SlotStep = Object.freeze({ each: 'item' as const });

/** Where a marked value is, from the options object: ['password'], ['headers', EACH_KEY], ['steps', EACH_ITEM, 'value']. */
export type SlotPath = readonly SlotStep[];

/** A slot path as people read it: `password`, `headers.*`, `steps[].value`. */
export function slotText(path: SlotPath): string {
  let out = '';
  for (const s of path) out += typeof s === 'string' ? `${out ? '.' : ''}${s}` : s.each === 'key' ? `${out ? '.' : ''}*` : '[]';
  return out;
}

/** Deepest slot path followed into a schema (zod's recursive schemas refer back to themselves). */
const MAX_SLOT_DEPTH = 32;

interface Found {
  secrets: SlotPath[];
  hostAccess: SlotPath[];
}

/** The marked places of a JSON Schema, as slot paths from `s` (which is `at`). */
function collect(s: Json, at: SlotStep[], root: Json, out: Found, refs: readonly string[]): void {
  if (at.length > MAX_SLOT_DEPTH) return;
  if (typeof s.$ref === 'string') {
    const ref = s.$ref;
    if (refs.includes(ref)) return;
    const name = /^#\/\$defs\/(.+)$/.exec(ref)?.[1];
    const target = ref === '#' ? root : name !== undefined && isObject(root.$defs) ? (root.$defs as Json)[name] : undefined;
    if (isObject(target)) collect(target, at, root, out, [...refs, ref]);
    return;
  }
  if (isHostAccess(s)) out.hostAccess.push(at);
  if (isSecret(s)) {
    out.secrets.push(at);
    return; // a secret is a value: nothing below it is marked
  }
  for (const b of branches(s)) {
    if (isObject(b.properties)) for (const [k, p] of Object.entries(b.properties)) if (isObject(p)) collect(p, [...at, k], root, out, refs);
    if (isObject(b.additionalProperties)) collect(b.additionalProperties, [...at, EACH_KEY], root, out, refs);
    if (isObject(b.items)) collect(b.items, [...at, EACH_ITEM], root, out, refs);
    if (Array.isArray(b.prefixItems)) for (const p of b.prefixItems) if (isObject(p)) collect(p, [...at, EACH_ITEM], root, out, refs);
  }
}

const unique = (paths: SlotPath[]): SlotPath[] => [...new Map(paths.map((p) => [JSON.stringify(p), p])).values()];

function found(s: Json): Found {
  const out: Found = { secrets: [], hostAccess: [] };
  collect(s, [], s, out, []);
  return { secrets: unique(out.secrets), hostAccess: unique(out.hostAccess) };
}

/**
 * The secret slots of one option's JSON Schema, relative to the option:
 * `[[]]` when the option is a secret, `[[EACH_KEY]]` for a record of
 * secrets, `[[EACH_ITEM, 'value']]` for browser steps; `[]` for none.
 */
export function secretPathsOf(prop: Json): SlotPath[] {
  return found(prop).secrets;
}

export interface OptionMarks {
  /** where secrets are: each a slot path from the options object */
  secrets: readonly SlotPath[];
  /** where values that decide what runs or what is read are (admin only to change) */
  hostAccess: readonly SlotPath[];
}

const cache = new WeakMap<z.ZodType, OptionMarks>();

/** The JSON Schema of an object schema (input side: what the file holds); {} when zod cannot write one. */
function inputSchema(schema: z.ZodType): Json {
  try {
    return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  } catch {
    return {};
  }
}

/** The JSON Schema properties of an object schema (input side: what the file holds). */
export function optionProps(schema: z.ZodType): Record<string, Json> {
  return (inputSchema(schema).properties ?? {}) as Record<string, Json>;
}

/** The marked places of a type's option schema (computed once per schema). */
export function marksOf(schema: z.ZodType): OptionMarks {
  let m = cache.get(schema);
  if (!m) {
    const f = found(inputSchema(schema));
    // the options object itself is never a slot: a mark there would be on the whole type (that is `adminOnly`)
    m = { secrets: f.secrets.filter((p) => p.length > 0), hostAccess: f.hostAccess.filter((p) => p.length > 0) };
    cache.set(schema, m);
  }
  return m;
}

/** The options (first steps) that hold a marked slot: for tables that list options, not places. */
export function slotOptions(paths: readonly SlotPath[]): Set<string> {
  return new Set(paths.map((p) => p[0]).filter((s): s is string => typeof s === 'string'));
}

/** A value a slot path reaches. */
export interface SlotValue {
  /** its path from where the slot path started */
  at: PathSegment[];
  value: unknown;
  /**
   * false: the slot path could not be followed to its end because this
   * value has another shape (a string where the path expects an object or
   * an array): what is there may be a secret in the wrong place.
   */
  exact: boolean;
}

/**
 * Rewrites, in a copy of `value`, every value `path` reaches (and every
 * value of another shape on its way, `exact` false) with `fn`. Missing
 * keys, null and undefined stay as they are.
 */
export function mapSlot(value: unknown, path: SlotPath, fn: (v: SlotValue) => unknown): unknown {
  const walk = (v: unknown, i: number, at: PathSegment[]): unknown => {
    if (i === path.length) return fn({ at, value: v, exact: true });
    if (v === undefined || v === null) return v;
    const step = path[i];
    if (typeof step === 'string') {
      if (!isObject(v)) return fn({ at, value: v, exact: false });
      return Object.hasOwn(v, step) ? { ...v, [step]: walk(v[step], i + 1, [...at, step]) } : v;
    }
    if (step.each === 'key') {
      if (!isObject(v)) return fn({ at, value: v, exact: false });
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, i + 1, [...at, k])]));
    }
    if (!Array.isArray(v)) return fn({ at, value: v, exact: false });
    return v.map((x, n) => walk(x, i + 1, [...at, n]));
  };
  return walk(value, 0, []);
}

/** `mapSlot` over several slot paths, in their order. */
export function mapSlots(value: unknown, paths: readonly SlotPath[], fn: (v: SlotValue) => unknown): unknown {
  return paths.reduce((v, p) => mapSlot(v, p, fn), value);
}

/** The values `path` reaches in `value` (in document order), as `mapSlot` sees them. */
export function slotValues(value: unknown, path: SlotPath): SlotValue[] {
  const out: SlotValue[] = [];
  mapSlot(value, path, (v) => {
    out.push(v);
    return v.value;
  });
  return out;
}

/**
 * Whether a concrete path (from the options object, as a validation issue
 * names it) is at, under or on the way to a slot: what is there may be a
 * secret (or a secret in the wrong place), so its value is never shown.
 */
export function onSlot(at: readonly PathSegment[], slots: readonly SlotPath[]): boolean {
  return (
    at.length > 0 &&
    slots.some((slot) => {
      const n = Math.min(at.length, slot.length);
      for (let i = 0; i < n; i++) {
        const step = slot[i];
        const seg = at[i];
        if (typeof step === 'string' ? seg !== step : step.each === 'item' ? typeof seg !== 'number' : typeof seg !== 'string') return false;
      }
      return true;
    })
  );
}
