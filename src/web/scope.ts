/**
 * What an edit from a check or action route may touch. Operators edit checks
 * and actions; everything else in the site file — users and roles, the web
 * UI, MQTT, the API, and above all `plugins.dirs`, which decides what `exec`
 * checks may run (issue 4) — is for administrators, on the config page and
 * in the raw editor, whose routes need the admin role. These routes are
 * guarded by role too; this is the second lock: an edit made through them
 * that changes another section is refused before anything is saved.
 *
 * Inside checks and actions the admin rule of src/config/trust.ts applies
 * to everyone below admin: programs, their environment, files the daemon
 * reads and secret references (issue 15).
 */
import type { Doc } from '../config/edits.ts';
import { guardEdit, type Renames } from '../config/trust.ts';
import { allows, type Role } from './auth.ts';

/** Top-level sections the check and action routes may change ("maintenance now" is operator work, src/ops). */
const EDITABLE = new Set(['checks', 'actions', 'maintenance']);

export class AdminOnly extends Error {
  constructor(readonly section: string) {
    super(`only an administrator may change "${section}"`);
  }
}

const same = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a) === JSON.stringify(b);

/**
 * Wraps a document edit made by a user with `role`: it throws AdminOnly when
 * it changes anything but checks and actions, and AdminRequired
 * (src/config/trust.ts) when a user below admin makes a change only an
 * administrator may make.
 */
export function operatorEdit(role: Role, edit: (doc: Doc) => Doc, renamed?: Renames): (doc: Doc) => Doc {
  const guarded = guardEdit(allows(role, 'admin'), edit, { renamed });
  return (doc) => {
    const next = guarded(doc);
    for (const k of new Set([...Object.keys(doc), ...Object.keys(next)])) {
      if (!EDITABLE.has(k) && !same(doc[k], next[k])) throw new AdminOnly(k);
    }
    return next;
  };
}
