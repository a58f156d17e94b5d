/**
 * Between stored options and form inputs, for the fields of fields.ts:
 * `fieldValues` fills a form from what the file holds (secrets never),
 * `readFields` reads a submitted form back into options the schema accepts.
 */
import type { Field } from './field-types.ts';
import { listValue, type FormValues } from './form-values.ts';
import { maskSecrets, readSecret, secretView, unmaskSecrets } from './secrets.ts';
import type { FormState } from './form-state.ts';

type Json = Record<string, unknown>;

const WHOLE = /^-?\d{1,15}$/;

/** The inputs of `fields` for stored `options`: what the browser would submit unchanged. */
export function fieldValues(fields: readonly Field[], options: Json, prefix: string, into: FormState['values'] = {}): FormState['values'] {
  for (const f of fields) {
    const v = options[f.key];
    const name = `${prefix}${f.key}`;
    if (f.kind === 'checkbox') {
      if (v === true || (v === undefined && f.default === true)) into[name] = 'on';
      continue;
    }
    if (f.kind === 'secret') {
      const s = secretView(v);
      into[`${name}.src`] = s.src;
      if (s.ref) into[`${name}.ref`] = s.ref;
      if (s.stored) into[`${name}.stored`] = s.stored;
      continue;
    }
    if (f.kind === 'template') into[`${name}.as`] = v === undefined || v === null || typeof v === 'string' ? 'text' : 'json';
    if (v === undefined || v === null) continue;
    switch (f.kind) {
      case 'lines':
      case 'members':
        into[name] = Array.isArray(v) ? v.map(String) : [String(v)];
        break;
      case 'json':
        into[name] = JSON.stringify(f.secrets ? maskSecrets(v, f.secrets) : v, null, 1);
        break;
      case 'template':
        into[name] = typeof v === 'string' ? v : JSON.stringify(v, null, 1);
        break;
      default:
        into[name] = typeof v === 'object' ? JSON.stringify(v) : String(v);
    }
  }
  return into;
}

export interface ReadResult {
  values: Json;
  errors: Record<string, string>;
}

function parseJson(text: string): { value?: unknown; error?: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (e) {
    return { error: `not valid JSON: ${(e as Error).message}` };
  }
}

/**
 * Reads fields from a form. An empty input leaves the key out (the default
 * applies); a check box is stored only when it differs from its default; a
 * secret follows its source choice and keeps the stored value when left
 * alone. `prefix` namespaces the inputs (`mqtt.hostname`); `old` holds the
 * stored values, whose keys unknown to the schema the caller decides about.
 */
export function readFields(fields: readonly Field[], form: FormValues, prefix = '', old: Json = {}): ReadResult {
  const values: Json = {};
  const errors: Record<string, string> = {};
  const put = (key: string, r: { value?: unknown; error?: string }): void => {
    if (r.error !== undefined) errors[key] = r.error;
    else if (r.value !== undefined) values[key] = r.value;
  };
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
        // argv and recipient lists keep their order and repeats; check names are a set
        let items: unknown[] = listValue(form, name);
        if (f.kind === 'members') items = [...new Set(items)];
        if (f.numeric) items = items.map((x) => (WHOLE.test(String(x)) ? Number(x) : x));
        if (items.length) values[f.key] = f.single && items.length === 1 ? items[0] : items;
        break;
      }
      case 'json': {
        if (text === '') break;
        const r = parseJson(text);
        put(f.key, r.error === undefined && f.secrets ? unmaskSecrets(r.value, old[f.key], f.secrets) : r);
        break;
      }
      case 'template': {
        const body = (form.get(name) ?? '').replace(/\r\n/g, '\n');
        if (body.trim() === '') break;
        put(f.key, form.get(`${name}.as`) === 'json' ? parseJson(body) : { value: body });
        break;
      }
      case 'multiline': {
        // kept exactly as submitted: a trailing CRLF is the end of a protocol line, not noise
        const body = form.get(name) ?? '';
        if (body.trim() !== '') values[f.key] = body;
        break;
      }
      case 'secret':
        put(f.key, readSecret(form, name, old[f.key], f.refs === true));
        break;
      case 'select':
        if (text === '') break;
        values[f.key] = f.tristate ? text === 'true' : text;
        break;
      default:
        // text keeps inner spaces as typed (topics, paths); surrounding blanks are noise
        if (text === '') break;
        values[f.key] = f.numeric && WHOLE.test(text) ? Number(text) : text;
        break;
    }
    if (f.required && values[f.key] === undefined && !errors[f.key]) errors[f.key] = 'is required';
  }
  return { values, errors };
}
