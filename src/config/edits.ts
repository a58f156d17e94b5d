/**
 * Pure edits of a site document, with structural sharing (untouched checks
 * keep their object identity, so re-validation can reuse their results) and
 * the reference fix-ups fletchck's UI does (spec §8.4, §8.5): renaming a check
 * renames it in every `depends` and sequence member list; deleting removes it
 * from them; the same for actions in every check's `actions`.
 */
import { checkType } from '../checks/catalog.ts';
import { isObject } from '../util/guard.ts';

export type Doc = Record<string, unknown>;
type Obj = Record<string, unknown>;

function section(doc: Doc, key: 'checks' | 'actions'): Obj {
  return isObject(doc[key]) ? doc[key] : {};
}

/** Replaces `key` in an object keeping its position (or appending a new key). */
function putKeepingOrder(obj: Obj, oldKey: string | undefined, key: string, value: unknown): Obj {
  const out: Obj = {};
  let placed = false;
  for (const [k, v] of Object.entries(obj)) {
    if (k === oldKey || k === key) {
      if (!placed) {
        out[key] = value;
        placed = true;
      }
      continue;
    }
    out[k] = v;
  }
  if (!placed) out[key] = value;
  return out;
}

function hasMembers(check: Obj): boolean {
  return typeof check.type === 'string' && checkType(check.type)?.members !== undefined;
}

/** Applies `fix` to every check's name lists, copying only the checks that change. */
function mapChecks(checks: Obj, fix: (check: Obj) => Obj | null): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(checks)) {
    out[k] = isObject(v) ? (fix(v) ?? v) : v;
  }
  return out;
}

function replaceIn(list: unknown, from: string, to: string | null): unknown[] | null {
  if (!Array.isArray(list) || !list.includes(from)) return null;
  const out = to === null ? list.filter((x) => x !== from) : list.map((x) => (x === from ? to : x));
  // a rename onto a name already listed must not list it twice
  return [...new Set(out)];
}

function fixCheckRefs(check: Obj, from: string, to: string | null): Obj | null {
  let changed: Obj | null = null;
  const deps = replaceIn(check.depends, from, to);
  if (deps) changed = { ...check, depends: deps };
  if (hasMembers(check) && isObject(check.options)) {
    const members = replaceIn(check.options.checks, from, to);
    if (members) changed = { ...(changed ?? check), options: { ...check.options, checks: members } };
  }
  return changed;
}

/** Creates or replaces a check; with `oldName`, renames it and fixes references. */
export function putCheck(doc: Doc, name: string, check: Obj, oldName?: string): Doc {
  let value = check;
  if (oldName !== undefined && oldName !== name) {
    const old = section(doc, 'checks')[oldName];
    // spec §8.4: a renamed remote check keeps matching messages under its old name
    if (isObject(old) && value.type === 'remote' && (value.remoteId === null || value.remoteId === undefined)) {
      value = { ...value, remoteId: oldName };
    }
  }
  let checks = putKeepingOrder(section(doc, 'checks'), oldName, name, value);
  if (oldName !== undefined && oldName !== name) {
    checks = mapChecks(checks, (c) => fixCheckRefs(c, oldName, name));
  }
  return { ...doc, checks };
}

export function deleteCheck(doc: Doc, name: string): Doc {
  const checks = { ...section(doc, 'checks') };
  delete checks[name];
  return { ...doc, checks: mapChecks(checks, (c) => fixCheckRefs(c, name, null)) };
}

export function putAction(doc: Doc, name: string, action: Obj, oldName?: string): Doc {
  const actions = putKeepingOrder(section(doc, 'actions'), oldName, name, action);
  let checks = section(doc, 'checks');
  if (oldName !== undefined && oldName !== name) {
    checks = mapChecks(checks, (c) => {
      const a = replaceIn(c.actions, oldName, name);
      return a ? { ...c, actions: a } : null;
    });
  }
  return { ...doc, actions, checks };
}

export function deleteAction(doc: Doc, name: string): Doc {
  const actions = { ...section(doc, 'actions') };
  delete actions[name];
  const checks = mapChecks(section(doc, 'checks'), (c) => {
    const a = replaceIn(c.actions, name, null);
    return a ? { ...c, actions: a } : null;
  });
  return { ...doc, actions, checks };
}

/** Sets which checks use an action (the action form's "incheck" toggles, spec §8.5). */
export function setActionChecks(doc: Doc, action: string, names: readonly string[]): Doc {
  const want = new Set(names);
  const out: Obj = {};
  for (const [k, v] of Object.entries(section(doc, 'checks'))) {
    if (!isObject(v)) {
      out[k] = v;
      continue;
    }
    const list = Array.isArray(v.actions) ? (v.actions as unknown[]) : [];
    const has = list.includes(action);
    if (has && !want.has(k)) out[k] = { ...v, actions: list.filter((x) => x !== action) };
    else if (!has && want.has(k)) out[k] = { ...v, actions: [...list, action] };
    else out[k] = v;
  }
  return { ...doc, checks: out };
}
