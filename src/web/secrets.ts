/**
 * Secret options in the forms. A secret may be the value itself, or name an
 * environment variable or a file that holds it (src/util/secret.ts). The
 * page says which — "set (inline)", "env NAME", "file PATH" — and never
 * carries a stored value; an untouched field keeps what is stored. Objects
 * whose values may be secrets (webhook headers, a plugin's environment) are
 * edited as JSON in which stored inline values are replaced by a marker.
 */
import type { FormValues } from './form-values.ts';
import { isObject } from '../util/guard.ts';

export type SecretSource = 'keep' | 'inline' | 'env' | 'file' | 'none';
export const SECRET_SOURCES: readonly SecretSource[] = ['keep', 'inline', 'env', 'file', 'none'];

/** Stands for a stored inline value in a JSON field (never the value itself). */
export const KEPT = '(stored secret: unchanged)';

type Obj = Record<string, unknown>;

export interface SecretView {
  /** what is stored, for the page: null when nothing is */
  stored: string | null;
  /** the source the form starts with */
  src: SecretSource;
  /** variable name or file path (not secret) */
  ref: string;
}

export function secretView(v: unknown): SecretView {
  if (v === undefined || v === null || v === '') return { stored: null, src: 'inline', ref: '' };
  if (typeof v === 'string') return { stored: 'set (inline)', src: 'keep', ref: '' };
  if (isObject(v) && typeof v.env === 'string') return { stored: `env ${v.env}`, src: 'env', ref: v.env };
  if (isObject(v) && typeof v.file === 'string') return { stored: `file ${v.file}`, src: 'file', ref: v.file };
  return { stored: 'set', src: 'keep', ref: '' };
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Reads a secret field: `<name>.src` says where the secret comes from,
 * `<name>` holds a new value (inline), `<name>.ref` a variable name or file
 * path. Without a source (an older form, a script) a typed value replaces
 * the stored one and an empty field keeps it. `value: undefined` leaves the
 * option out.
 */
export function readSecret(form: FormValues, name: string, old: unknown, refs: boolean): { value?: unknown; error?: string } {
  const typed = form.get(name) ?? '';
  const ref = (form.get(`${name}.ref`) ?? '').trim();
  const src = (form.get(`${name}.src`) ?? 'keep') as SecretSource;
  const stored = old !== undefined && old !== null && old !== '' ? old : undefined;
  switch (src) {
    case 'none':
      return {};
    case 'env':
    case 'file': {
      if (!refs) return { error: 'this option takes the value itself only' };
      const same = isObject(stored) && typeof stored[src] === 'string' ? (stored[src] as string) : '';
      const r = ref || same;
      if (r === '') return { error: src === 'env' ? 'name the environment variable' : 'give the file path' };
      if (src === 'env' && !ENV_NAME.test(r)) return { error: `"${r}" is not an environment variable name` };
      return { value: src === 'env' ? { env: r } : { file: r } };
    }
    case 'inline':
      if (typed !== '') return { value: typed };
      if (typeof stored === 'string') return { value: stored };
      return stored === undefined ? {} : { error: 'type the value, or choose where it is read from' };
    case 'keep':
      if (typed !== '') return { value: typed };
      return stored === undefined ? {} : { value: stored };
    default:
      return { error: `unknown source "${String(src)}"` };
  }
}

/** A copy of an object with its inline string values replaced by KEPT. */
export function maskValues(v: unknown): unknown {
  if (!isObject(v)) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'string' && x !== '' ? KEPT : x]));
}

/** Puts the stored values back where the submitted JSON still has KEPT. */
export function unmaskValues(v: unknown, old: unknown): { value: unknown; error?: string } {
  if (!isObject(v)) return { value: v };
  const prev = isObject(old) ? old : {};
  const out: Obj = {};
  for (const [k, x] of Object.entries(v)) {
    if (x !== KEPT) out[k] = x;
    else if (typeof prev[k] === 'string') out[k] = prev[k];
    else return { value: v, error: `"${k}" has no stored value to keep: write the value, {"env": "NAME"} or {"file": "/path"}` };
  }
  return { value: out };
}
