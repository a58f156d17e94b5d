/**
 * User and role edits of the site document (`webui.users`, `webui.roles`),
 * pure like config/edits.ts. fletchck's rules (spec §8.5): `admin` cannot be
 * renamed or deleted; the `""` user is a dummy hash for uniform login timing
 * (added when missing, never listed). siteward adds: the last admin-role user
 * cannot lose that role.
 */
import type { Doc } from '../config/edits.ts';
import { ADMIN_USER, roleOf, type Role } from './auth.ts';
import type { WebuiConfig } from '../config/load.ts';
import { isObject } from '../util/guard.ts';

type Obj = Record<string, unknown>;

function webuiOf(doc: Doc): Obj {
  return isObject(doc.webui) ? doc.webui : {};
}

function rename(obj: Obj, from: string | undefined, to: string, value: unknown): Obj {
  const out: Obj = {};
  let placed = false;
  for (const [k, v] of Object.entries(obj)) {
    if (k === from || k === to) {
      if (!placed) out[to] = value;
      placed = true;
      continue;
    }
    out[k] = v;
  }
  if (!placed) out[to] = value;
  return out;
}

export interface UserEdit {
  name: string;
  oldName?: string;
  /** new argon2 hash; undefined keeps the current one */
  hash?: string;
  role: Role;
}

/** Creates, renames or updates a user. `dummyHash` is stored as the `""` user when missing. */
export function putUser(doc: Doc, e: UserEdit, dummyHash: string): Doc {
  const w = webuiOf(doc);
  const users: Obj = isObject(w.users) ? w.users : {};
  const roles: Obj = isObject(w.roles) ? w.roles : {};
  const from = e.oldName !== undefined && e.oldName !== e.name ? e.oldName : undefined;
  const hash = e.hash ?? (from !== undefined ? users[from] : users[e.name]);
  let nextUsers = rename(users, from, e.name, hash);
  if (!Object.hasOwn(nextUsers, '')) nextUsers = { ...nextUsers, '': dummyHash };
  let nextRoles: Obj = { ...roles };
  if (from !== undefined) delete nextRoles[from];
  nextRoles = { ...nextRoles, [e.name]: e.role };
  return { ...doc, webui: { ...w, users: nextUsers, roles: nextRoles } };
}

export function deleteUser(doc: Doc, name: string): Doc {
  const w = webuiOf(doc);
  const users = { ...(isObject(w.users) ? w.users : {}) };
  const roles = { ...(isObject(w.roles) ? w.roles : {}) };
  delete users[name];
  delete roles[name];
  return { ...doc, webui: { ...w, users, roles } };
}

/** Users that can log in (not the dummy), in file order. */
export function userNames(webui: WebuiConfig | null): string[] {
  return Object.keys(webui?.users ?? {}).filter((u) => u !== '');
}

/** Why an edit would be refused, or null. */
export function userEditProblem(webui: WebuiConfig | null, e: UserEdit | { delete: string }): string | null {
  const names = userNames(webui);
  const admins = names.filter((u) => roleOf(webui, u) === 'admin');
  if ('delete' in e) {
    if (e.delete === ADMIN_USER) return 'the admin user cannot be deleted';
    if (admins.length === 1 && admins[0] === e.delete) return 'the last administrator cannot be deleted';
    return null;
  }
  if (!e.name) return 'a user needs a name';
  if (e.oldName === ADMIN_USER && e.name !== ADMIN_USER) return 'the admin user cannot be renamed';
  if (e.name !== e.oldName && names.includes(e.name)) return `a user named ${JSON.stringify(e.name)} already exists`;
  const subject = e.oldName ?? e.name;
  if (e.role !== 'admin' && admins.length === 1 && admins[0] === subject) return 'the last administrator must keep the admin role';
  return null;
}
