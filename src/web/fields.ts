/**
 * Form fields derived from a zod option schema (via zod 4's JSON Schema
 * output), and reading them back from a submitted form. The check, action
 * and site-config forms are all built this way, so a new type's options
 * appear in the UI without touching it (docs/design.md "the web form's fields
 * are derived from the registry"). Only the fields of the selected type are
 * rendered and read, so nothing of another type leaks into the saved options
 * (fixes spec §8.4 / §9.13 options pollution).
 */
import { z } from 'zod';

export type FieldKind = 'text' | 'secret' | 'number' | 'integer' | 'checkbox' | 'select' | 'lines' | 'members' | 'json';

export interface Field {
  key: string;
  label: string;
  kind: FieldKind;
  help: string;
  /** the schema default (shown as placeholder; an empty input means "use the default") */
  default: unknown;
  choices: string[];
  min?: number;
  max?: number;
  /** no default and not optional: an empty input is an error */
  required: boolean;
}

type Json = Record<string, unknown>;

const SECRET = /pass(word)?|secret|token|apikey|api_key|private/i;

/** fletchck's run-together option names, spelled out for labels. */
const WORDS: Record<string, string> = {
  tls: 'TLS', qos: 'QoS', clientid: 'Client ID', basetopic: 'Base topic', autoadd: 'Auto-add remote checks', apikey: 'API key',
  hostkey: 'Host key', selfsigned: 'Self-signed certificate', url: 'URL', dirs: 'Folders', ups: 'UPS', req: 'Request', tcp: 'TCP', dns: 'DNS',
};

/** `reqPath` → `Request path`, `basetopic` → `Base topic`, `day_of_week` → `Day of week`. */
export function labelOf(key: string): string {
  const words = key.replace(/_/g, ' ').replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(' ').map((w) => WORDS[w] ?? w).join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The first non-null branch of a JSON Schema (zod writes nullable as anyOf / type arrays). */
function mainBranch(s: Json): Json {
  if (Array.isArray(s.anyOf)) {
    const branches = (s.anyOf as Json[]).filter((b) => b.type !== 'null');
    if (branches.length === 0) return { type: 'null' };
    return mainBranch({ ...branches[0], ...(s.description ? { description: s.description } : {}) });
  }
  if (Array.isArray(s.type)) {
    const t = (s.type as string[]).filter((x) => x !== 'null');
    return { ...s, type: t[0] ?? 'null' };
  }
  return s;
}

function kindOf(key: string, s: Json): FieldKind {
  if (Array.isArray(s.enum) && s.enum.every((v) => typeof v === 'string')) return 'select';
  switch (s.type) {
    case 'string':
      return SECRET.test(key) ? 'secret' : 'text';
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'boolean':
      return 'checkbox';
    case 'array': {
      const items = (s.items ?? {}) as Json;
      return items.type === 'string' ? 'lines' : 'json';
    }
    default:
      return 'json';
  }
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
  const out: Field[] = [];
  for (const [key, raw] of Object.entries(props)) {
    if (o.exclude?.includes(key)) continue;
    const s = mainBranch(raw);
    let kind = kindOf(key, s);
    if (kind === 'lines' && o.membersKeys?.includes(key)) kind = 'members';
    const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) && Math.abs(v) < 2 ** 52 ? v : undefined);
    out.push({
      key,
      label: labelOf(key),
      kind,
      help: typeof raw.description === 'string' ? raw.description : typeof s.description === 'string' ? s.description : '',
      default: raw.default,
      choices: Array.isArray(s.enum) ? (s.enum as unknown[]).map(String) : [],
      min: num(s.minimum) ?? num(s.exclusiveMinimum),
      max: num(s.maximum) ?? num(s.exclusiveMaximum),
      required: required.has(key) && raw.default === undefined,
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

/** A submitted form: single values and repeated values by name. */
export interface FormValues {
  get(name: string): string | undefined;
  all(name: string): string[];
  has(name: string): boolean;
  keys(): string[];
}

export function formValues(body: Record<string, string | File | (string | File)[]>): FormValues {
  const list = (name: string): string[] => {
    const v = body[name];
    if (v === undefined) return [];
    return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
  };
  return {
    get: (name) => list(name)[0],
    all: list,
    has: (name) => Object.hasOwn(body, name),
    keys: () => Object.keys(body),
  };
}

/** Splits a list field: one item per line, or repeated fields (check boxes); blanks dropped. */
export function listValue(form: FormValues, name: string): string[] {
  return form.all(name).flatMap((v) => v.split(/\r?\n/)).map((s) => s.trim()).filter((s) => s !== '');
}

export interface ReadResult {
  values: Json;
  errors: Record<string, string>;
}

/**
 * Reads fields from a form. An empty input leaves the key out (the default
 * applies); a check box is stored only when it differs from its default; an
 * empty secret keeps the stored value unless its "clear" box is ticked.
 * `prefix` namespaces the inputs (`mqtt.hostname`); `old` holds the stored
 * values, whose keys unknown to the schema the caller decides about.
 */
export function readFields(fields: readonly Field[], form: FormValues, prefix = '', old: Json = {}): ReadResult {
  const values: Json = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const name = `${prefix}${f.key}`;
    const text = (form.get(name) ?? '').trim();
    switch (f.kind) {
      case 'checkbox': {
        const on = form.has(name);
        const dflt = f.default === true;
        if (on !== dflt || (f.default === undefined && on)) values[f.key] = on;
        break;
      }
      case 'number':
      case 'integer': {
        if (text === '') break;
        const n = Number(text);
        if (!Number.isFinite(n)) errors[f.key] = `"${text}" is not a number`;
        else if (f.kind === 'integer' && !Number.isInteger(n)) errors[f.key] = `"${text}" is not a whole number`;
        else values[f.key] = n;
        break;
      }
      case 'lines':
      case 'members': {
        const items = listValue(form, name);
        if (items.length) values[f.key] = [...new Set(items)];
        break;
      }
      case 'json': {
        if (text === '') break;
        try {
          values[f.key] = JSON.parse(text) as unknown;
        } catch (e) {
          errors[f.key] = `not valid JSON: ${(e as Error).message}`;
        }
        break;
      }
      case 'secret': {
        const raw = form.get(name) ?? '';
        if (form.has(`${name}.clear`)) break;
        if (raw !== '') values[f.key] = raw;
        else if (old[f.key] !== undefined && old[f.key] !== null) values[f.key] = old[f.key];
        break;
      }
      default: {
        // text keeps inner spaces as typed (topics, paths); surrounding blanks are noise
        if (text !== '') values[f.key] = text;
        break;
      }
    }
    if (f.required && values[f.key] === undefined && !errors[f.key]) errors[f.key] = 'is required';
  }
  return { values, errors };
}

/** Member-list option keys of a type: the list fields its `members()` reads. */
export function membersKeysOf(schema: z.ZodType, members: ((opts: never) => string[]) | undefined): string[] {
  if (!members) return [];
  const keys: string[] = [];
  for (const f of fieldsOf(schema)) {
    if (f.kind !== 'lines') continue;
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
