/**
 * Reorder and clone (spec §8.6) as pure edits of the site document. They work
 * on the grouping the checks page shows, so "up" and "down" mean what the
 * user sees.
 */
import { randomBytes } from 'node:crypto';
import type { Doc } from '../config/edits.ts';
import type { LoadedSite } from '../config/load.ts';
import { checkType } from '../checks/registry.ts';
import type { Grouping } from './model.ts';
import { isGroupType, membersOf } from './model.ts';
import { isObject } from '../util/guard.ts';

type Obj = Record<string, unknown>;

/** Sets `priority` on the named checks, copying only those (structural sharing). */
export function setPriorities(doc: Doc, prio: ReadonlyMap<string, number>): Doc {
  const checks = isObject(doc.checks) ? doc.checks : {};
  const out: Obj = {};
  for (const [k, v] of Object.entries(checks)) {
    out[k] = prio.has(k) && isObject(v) && v.priority !== prio.get(k) ? { ...v, priority: prio.get(k) } : v;
  }
  return { ...doc, checks: out };
}

export type Direction = 'up' | 'down';

/**
 * New priorities for moving `name` one place up or down, or null when it
 * cannot move. A sequence moves among sequences (then all are renumbered 100,
 * 200, …); any other check moves inside `group` (the sequence it was shown
 * under, '' for "not sequenced"; default: the first group holding it), then
 * that group is renumbered base+2, base+4, … (base = the sequence's priority,
 * or 10000 for the unsequenced group).
 */
export function movePriorities(loaded: LoadedSite, g: Grouping, name: string, dir: Direction, group?: string): Map<string, number> | null {
  const entry = loaded.checks.get(name);
  if (!entry) return null;
  const swap = (list: string[]): string[] | null => {
    const i = list.indexOf(name);
    const j = dir === 'up' ? i - 1 : i + 1;
    if (i < 0 || j < 0 || j >= list.length) return null;
    const out = [...list];
    [out[i], out[j]] = [out[j], out[i]];
    return out;
  };
  if (isGroupType(entry.config.type) && group === undefined) {
    const order = swap(g.seqs);
    if (!order) return null;
    return new Map(order.map((s, i) => [s, (i + 1) * 100]));
  }
  const holder =
    group === undefined ? g.groups.find((x) => x.members.includes(name)) : g.groups.find((x) => (x.seq ?? '') === group && x.members.includes(name));
  if (!holder) return null;
  const order = swap(holder.members);
  if (!order) return null;
  const base = holder.seq === null ? 10000 : (loaded.checks.get(holder.seq)?.config.priority ?? 0);
  return new Map(order.map((m, i) => [m, base + 2 * (i + 1)]));
}

/** `web` → `web-copy`; `web-copy-3f2a` → `web-copy`, then `web-copy-<4 hex>` while taken. */
export function cloneName(name: string, taken: (n: string) => boolean): string {
  const base = name.replace(/-copy.*$/s, '');
  let n = `${base}-copy`;
  while (taken(n)) n = `${base}-copy-${randomBytes(2).toString('hex')}`;
  return n;
}

/** A copy of a check's configuration: no runtime data, and (unlike fletchck) no shared publish topic. */
function configCopy(raw: Obj): Obj {
  const { data: _data, ...rest } = structuredClone(raw);
  return { ...rest, publish: null };
}

export function cloneable(type: unknown): boolean {
  return typeof type === 'string' && checkType(type)?.cloneable !== false;
}

function addMember(seq: Obj, member: string): Obj {
  const opts = isObject(seq.options) ? seq.options : {};
  const list = Array.isArray(opts.checks) ? (opts.checks as unknown[]) : [];
  return { ...seq, options: { ...opts, checks: [...list, member] } };
}

export interface CloneResult {
  doc: Doc;
  /** the new check (the new sequence when a sequence was cloned) */
  name: string;
  created: string[];
}

/**
 * Clones a check (spec §8.6). A plain check joins the same sequences as the
 * original. A sequence clones each cloneable member (dependencies among
 * members are pointed at the clones) into a new sequence. Returns null for a
 * type that cannot be cloned.
 */
export function cloneCheck(doc: Doc, loaded: LoadedSite, g: Grouping, name: string): CloneResult | null {
  const checks = isObject(doc.checks) ? { ...doc.checks } : {};
  const raw = checks[name];
  if (!isObject(raw) || !cloneable(raw.type)) return null;
  const taken = (n: string): boolean => Object.hasOwn(checks, n);
  if (!isGroupType(String(raw.type))) {
    const copy = cloneName(name, taken);
    checks[copy] = configCopy(raw);
    for (const seq of g.inseqs.get(name) ?? []) {
      if (isObject(checks[seq])) checks[seq] = addMember(checks[seq] as Obj, copy);
    }
    return { doc: { ...doc, checks }, name: copy, created: [copy] };
  }
  const members = membersOf(loaded, name).filter((m) => cloneable(loaded.checks.get(m)?.config.type));
  const map = new Map<string, string>();
  for (const m of members) {
    const c = cloneName(m, taken);
    map.set(m, c);
    checks[c] = {};
  }
  for (const [m, c] of map) {
    const copy = configCopy(checks[m] as Obj);
    if (Array.isArray(copy.depends)) copy.depends = (copy.depends as unknown[]).map((d) => (typeof d === 'string' ? (map.get(d) ?? d) : d));
    checks[c] = copy;
  }
  const seqCopy = cloneName(name, taken);
  const seq = configCopy(raw);
  const opts = isObject(seq.options) ? seq.options : {};
  checks[seqCopy] = { ...seq, options: { ...opts, checks: [...map.values()] } };
  return { doc: { ...doc, checks }, name: seqCopy, created: [...map.values(), seqCopy] };
}

/** Sets which sequences contain `name` (the check form's "in sequences" toggles, spec §8.4). */
export function setMembership(doc: Doc, name: string, want: readonly string[], seqs: readonly string[]): Doc {
  const checks = isObject(doc.checks) ? doc.checks : {};
  const wanted = new Set(want);
  const out: Obj = {};
  for (const [k, v] of Object.entries(checks)) {
    if (!seqs.includes(k) || !isObject(v) || k === name) {
      out[k] = v;
      continue;
    }
    const opts = isObject(v.options) ? v.options : {};
    const list = Array.isArray(opts.checks) ? (opts.checks as unknown[]) : [];
    const has = list.includes(name);
    if (has && !wanted.has(k)) out[k] = { ...v, options: { ...opts, checks: list.filter((x) => x !== name) } };
    else if (!has && wanted.has(k)) out[k] = addMember(v, name);
    else out[k] = v;
  }
  return { ...doc, checks: out };
}
