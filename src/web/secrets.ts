/**
 * Secret options in the forms. A secret may be the value itself, or name an
 * environment variable or a file that holds it (src/util/secret.ts). The
 * page says which — "set (inline)", "env NAME", "file PATH" — and never
 * carries a stored value; an untouched field keeps what is stored. Options
 * that hold secrets further down (webhook headers, a plugin's environment,
 * browser steps: the secret slots of src/config/marks.ts) are edited as
 * JSON in which each stored inline secret is replaced by a numbered marker.
 */
import type { FormValues } from './form-values.ts';
import type { PathSegment } from '../config/issues.ts';
import { mapSlots, slotValues, type SlotPath } from '../config/marks.ts';
import { isObject } from '../util/guard.ts';

export type SecretSource = 'keep' | 'inline' | 'env' | 'file' | 'none';
export const SECRET_SOURCES: readonly SecretSource[] = ['keep', 'inline', 'env', 'file', 'none'];

/** Older pages' marker for the inline value stored at the same place of a JSON field (still read back). */
export const KEPT = '(stored secret: unchanged)';

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

/** Stands for the n-th stored inline secret of a JSON field (1-based, in the order the field holds them). */
export function keptMarker(n: number): string {
  return `(stored secret ${n}: unchanged)`;
}
const KEPT_N = /^\(stored secret (\d{1,6}): unchanged\)$/;
const isMarker = (v: unknown): v is string => typeof v === 'string' && (v === KEPT || KEPT_N.test(v));

const inline = (v: unknown): v is string => typeof v === 'string' && v !== '';

/** The stored inline secrets of a JSON field's value, in the order the markers number them. */
function storedSecrets(v: unknown, slots: readonly SlotPath[]): string[] {
  const out: string[] = [];
  for (const p of slots) for (const s of slotValues(v, p)) if (inline(s.value)) out.push(s.value);
  return out;
}

/** A copy of a JSON field's value with each inline value at a secret slot replaced by its numbered marker. */
export function maskSecrets(v: unknown, slots: readonly SlotPath[]): unknown {
  let n = 0;
  return mapSlots(v, slots, (s) => (inline(s.value) ? keptMarker(++n) : s.value));
}

const where = (at: readonly PathSegment[]): string =>
  at.length
    ? `${at
        .map((x) => (typeof x === 'number' ? `[${x}]` : `.${x}`))
        .join('')
        .replace(/^\./, '')}: `
    : '';

/**
 * Puts the stored secrets back where the submitted JSON has a marker: a
 * numbered one stands for that stored secret wherever a secret may be (a
 * list may be reordered), the plain KEPT (older pages) for the value stored
 * at the same place. A marker that stands for nothing, or outside a secret
 * slot (where the secret would show), is an error.
 */
export function unmaskSecrets(v: unknown, old: unknown, slots: readonly SlotPath[]): { value: unknown; error?: string } {
  const stored = storedSecrets(old, slots);
  let error: string | undefined;
  const fail = (at: readonly PathSegment[], text: string): void => {
    error ??= `${where(at)}${text}`;
  };
  const value = mapSlots(v, slots, (s) => {
    if (!isMarker(s.value)) return s.value;
    if (s.value === KEPT) {
      const prev = valueAt(old, s.at);
      if (inline(prev)) return prev;
      fail(s.at, 'has no stored value to keep: write the value, {"env": "NAME"} or {"file": "/path"}');
      return s.value;
    }
    const n = Number(KEPT_N.exec(s.value)![1]);
    if (n >= 1 && n <= stored.length) return stored[n - 1];
    fail(s.at, `"${s.value}" stands for no stored secret: write the value, {"env": "NAME"} or {"file": "/path"}`);
    return s.value;
  });
  if (error !== undefined) return { value: v, error };
  // a marker left where no secret goes would store the marker's text, or move a secret where it shows
  const stray = findString(value, isMarker);
  if (stray) return { value: v, error: `${where(stray)}a stored secret can only stay where a secret goes` };
  return { value };
}

/** What `v` holds at `at` (own keys only), or undefined. */
function valueAt(v: unknown, at: readonly PathSegment[]): unknown {
  let x = v;
  for (const k of at) {
    if (x === null || typeof x !== 'object' || !Object.hasOwn(x, k)) return undefined;
    x = (x as Record<PathSegment, unknown>)[k];
  }
  return x;
}

/** The path of the first string in `v` that `test` accepts, or null. */
function findString(v: unknown, test: (s: string) => boolean, at: PathSegment[] = []): PathSegment[] | null {
  if (typeof v === 'string') return test(v) ? at : null;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const r = findString(v[i], test, [...at, i]);
      if (r) return r;
    }
  } else if (isObject(v)) {
    for (const [k, x] of Object.entries(v)) {
      const r = findString(x, test, [...at, k]);
      if (r) return r;
    }
  }
  return null;
}
