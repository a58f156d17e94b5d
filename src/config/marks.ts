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
 * Marks are read from zod's JSON Schema output (meta keys are copied there),
 * so wrappers (`.optional()`, `.nullable()`, `.default()`) keep them.
 */
import { z } from 'zod';

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

/** A `{"env": …}` / `{"file": …}` alternative: where the daemon reads a secret from. */
export const isRefBranch = (b: Json): boolean => b.type === 'object' && typeof b.properties === 'object' && b.properties !== null &&
  ('env' in (b.properties as Json) || 'file' in (b.properties as Json));

const marksSecret = (b: Json): boolean => b.secret === true || isRefBranch(b);

/**
 * How an option holds secrets: `value` — the option is a secret; `values` —
 * an object whose values are secrets (webhook headers, a plugin's
 * environment); null — no secret.
 */
export type SecretSlot = 'value' | 'values';

export function secretSlotOf(prop: Json): SecretSlot | null {
  const bs = branches(prop);
  if (prop.secret === true || bs.some(marksSecret)) return 'value';
  const obj = bs.find((b) => b.type === 'object' && typeof b.additionalProperties === 'object' && b.additionalProperties !== null);
  if (obj) {
    const values = obj.additionalProperties as Json;
    if (values.secret === true || branches(values).some(marksSecret)) return 'values';
  }
  return null;
}

export function isHostAccess(prop: Json): boolean {
  return prop.hostAccess === true || branches(prop).some((b) => b.hostAccess === true);
}

export interface OptionMarks {
  /** option key → how it holds secrets */
  secrets: ReadonlyMap<string, SecretSlot>;
  /** option keys marked hostAccess */
  hostAccess: ReadonlySet<string>;
}

const cache = new WeakMap<z.ZodType, OptionMarks>();

/** The JSON Schema properties of an object schema (input side: what the file holds). */
export function optionProps(schema: z.ZodType): Record<string, Json> {
  try {
    const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
    return (js.properties ?? {}) as Record<string, Json>;
  } catch {
    return {};
  }
}

/** The marked options of a type's option schema (computed once per schema). */
export function marksOf(schema: z.ZodType): OptionMarks {
  let m = cache.get(schema);
  if (!m) {
    const secrets = new Map<string, SecretSlot>();
    const host = new Set<string>();
    for (const [key, prop] of Object.entries(optionProps(schema))) {
      const slot = secretSlotOf(prop);
      if (slot) secrets.set(key, slot);
      if (isHostAccess(prop)) host.add(key);
    }
    m = { secrets, hostAccess: host };
    cache.set(schema, m);
  }
  return m;
}
