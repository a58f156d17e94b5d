/**
 * The admin rule (docs/security.md "Roles"): what in a change to the site's
 * checks and actions only an administrator may decide — what runs on this
 * host and what the daemon reads. One rule, enforced wherever an edit
 * enters below the admin role (the web UI's check and action routes,
 * src/web/scope.ts; the REST API, src/api/routes/common.ts):
 *
 * - a check or action TYPE with `adminOnly` (its reason, e.g. "runs a
 *   program on this host"): creating, editing or deleting such an entry, or
 *   changing an entry's type to or from it. Running, pausing and moving it
 *   (`paused`, `priority`) stay operator work.
 * - a value marked `hostAccess` (src/config/marks.ts: exec `command` and
 *   `env`, email `fallback`, docker `socket`, every `ca` file), at whatever
 *   depth the mark is: changing it. An entry that keeps the value (an
 *   operator saving the form unchanged, renaming, deleting) is fine.
 * - a secret REFERENCE, `{"env": …}` or `{"file": …}`, in a secret slot at
 *   any depth (an option, a webhook header, a browser step's `value`):
 *   creating or changing one. Keeping a reference the entry already holds
 *   in that slot is fine (a list may be reordered).
 */
import { isDeepStrictEqual } from 'node:util';
import type { z } from 'zod';
import { checkType } from '../checks/catalog.ts';
import { actionType } from '../actions/catalog.ts';
import { isSecretRef } from '../util/secret.ts';
import type { Doc } from './edits.ts';
import { formatIssue, type Issue, type PathSegment } from './issues.ts';
import { marksOf, slotValues, type SlotValue } from './marks.ts';
import { isObject } from '../util/guard.ts';

/** What the rule needs of a type. */
export interface TrustType {
  /** set on types only an administrator may add, edit or delete: the reason shown to users */
  adminOnly?: string;
  options: z.ZodType;
}

export interface TypeLookup {
  check(type: string): TrustType | undefined;
  action(type: string): TrustType | undefined;
}

const REGISTRY: TypeLookup = { check: checkType, action: actionType };

/** Keys of an adminOnly entry an operator may still change: running it is theirs, what it runs is not. */
const OPERATIONS = new Set(['paused', 'priority', 'data']);

export const HOST_ACCESS_REASON = 'it decides what runs on this host or what siteward reads';
export const REFERENCE_REASON = 'only an administrator may make siteward read a secret from an environment variable or a file';

/** An edit refused because it needs the admin role; `issues` say where and why. */
export class AdminRequired extends Error {
  constructor(readonly issues: Issue[]) {
    super(`only an administrator may make this change: ${issues.map(formatIssue).join('; ')}`);
    this.name = 'AdminRequired';
  }
}

export interface Renames {
  checks?: readonly (readonly [string, string])[];
  actions?: readonly (readonly [string, string])[];
}

const none = (v: unknown): unknown => (v === undefined ? null : v);
const same = (a: unknown, b: unknown): boolean => a === b || isDeepStrictEqual(none(a), none(b));

/**
 * Where the values a hostAccess slot reaches differ between two versions of
 * an entry's options (null: they do not). Absent and null are the same;
 * order counts (a program's arguments, a list of files).
 */
function hostChange(before: SlotValue[], after: SlotValue[]): PathSegment[] | null {
  const b = before.filter((v) => none(v.value) !== null);
  const a = after.filter((v) => none(v.value) !== null);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x && y && isDeepStrictEqual(x.at, y.at) && same(x.value, y.value)) continue;
    return (x ?? y)!.at;
  }
  return null;
}

function entryIssues(kind: 'check' | 'action', name: string, before: unknown, after: unknown, types: TypeLookup): Issue[] {
  const at = (...p: PathSegment[]): PathSegment[] => [kind === 'check' ? 'checks' : 'actions', name, ...p];
  const lookup = (e: unknown): TrustType | undefined => (isObject(e) && typeof e.type === 'string' ? types[kind](e.type) : undefined);
  const tb = lookup(before);
  const ta = lookup(after);
  const out: Issue[] = [];
  const only = ta?.adminOnly ?? tb?.adminOnly;
  if (only !== undefined) {
    const strip = (e: unknown): unknown => (isObject(e) ? Object.fromEntries(Object.entries(e).filter(([k]) => !OPERATIONS.has(k))) : e);
    if (!same(strip(before), strip(after))) {
      out.push({ path: at(), message: `only an administrator may add, change or delete this ${kind}: ${only}`, severity: 'error' });
      return out;
    }
  }
  if (!isObject(after)) return out; // deleting an entry decides nothing about the host
  const ob = isObject(before) && isObject(before.options) ? before.options : {};
  const oa = isObject(after.options) ? after.options : {};
  const host = new Map([...(tb ? marksOf(tb.options).hostAccess : []), ...(ta ? marksOf(ta.options).hostAccess : [])].map((p) => [JSON.stringify(p), p]));
  for (const p of host.values()) {
    const where = hostChange(slotValues(ob, p), slotValues(oa, p));
    if (where) out.push({ path: at('options', ...where), message: `only an administrator may change this: ${HOST_ACCESS_REASON}`, severity: 'error' });
  }
  // an unknown type's options are not resolved by anything: no reference there reaches a file
  for (const p of ta ? marksOf(ta.options).secrets : []) {
    // a reference the entry held at this slot before (anywhere: a list may have been reordered) is kept, not made
    const kept = slotValues(ob, p)
      .map((v) => v.value)
      .filter(isSecretRef);
    for (const v of slotValues(oa, p)) {
      if (v.exact && isSecretRef(v.value) && !kept.some((k) => same(k, v.value)))
        out.push({ path: at('options', ...v.at), message: REFERENCE_REASON, severity: 'error' });
    }
  }
  return out;
}

function sectionIssues(kind: 'check' | 'action', before: Doc, after: Doc, renames: readonly (readonly [string, string])[], types: TypeLookup): Issue[] {
  const key = kind === 'check' ? 'checks' : 'actions';
  const b = isObject(before[key]) ? before[key] : {};
  const a = isObject(after[key]) ? after[key] : {};
  if (a === b) return [];
  const from = new Map(renames.map(([f, t]) => [t, f]));
  const movedAway = new Set(renames.filter(([f, t]) => f !== t && !Object.hasOwn(a, f)).map(([f]) => f));
  const out: Issue[] = [];
  for (const name of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (movedAway.has(name) && !Object.hasOwn(a, name)) continue;
    const old = Object.hasOwn(a, name) && from.has(name) ? b[from.get(name)!] : b[name];
    const now = a[name];
    if (old === now) continue; // structural sharing: untouched entries are the same object
    out.push(...entryIssues(kind, name, Object.hasOwn(b, name) || from.has(name) ? old : undefined, Object.hasOwn(a, name) ? now : undefined, types));
  }
  return out;
}

/** What in the change from `before` to `after` needs the admin role (empty: anyone who may edit may make it). */
export function adminNeeds(before: Doc, after: Doc, o: { renamed?: Renames; types?: TypeLookup } = {}): Issue[] {
  const types = o.types ?? REGISTRY;
  return [...sectionIssues('check', before, after, o.renamed?.checks ?? [], types), ...sectionIssues('action', before, after, o.renamed?.actions ?? [], types)];
}

/**
 * A document edit made on behalf of a caller: when the caller is not an
 * administrator and the edit needs one, it throws AdminRequired before
 * anything is saved (Site.mutate runs edits before validating or saving).
 */
export function guardEdit(admin: boolean, edit: (doc: Doc) => Doc, o: { renamed?: Renames; types?: TypeLookup } = {}): (doc: Doc) => Doc {
  if (admin) return edit;
  return (doc) => {
    const next = edit(doc);
    const needs = adminNeeds(doc, next, o);
    if (needs.length) throw new AdminRequired(needs);
    return next;
  };
}
