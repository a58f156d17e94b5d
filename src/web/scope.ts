/**
 * What an edit from a check or action route may touch. Operators edit checks
 * and actions; everything else in the site file — users and roles, the web
 * UI, MQTT, the API, and above all `plugins.dirs`, which decides what `exec`
 * checks may run (issue 4) — is for administrators, on the config page and
 * in the raw editor, whose routes need the admin role. These routes are
 * guarded by role too; this is the second lock: an edit made through them
 * that changes another section is refused before anything is saved.
 */
import type { Doc } from '../config/edits.ts';

/** Top-level sections the check and action routes may change. */
const EDITABLE = new Set(['checks', 'actions']);

export class AdminOnly extends Error {
  constructor(readonly section: string) {
    super(`only an administrator may change "${section}"`);
  }
}

const same = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a) === JSON.stringify(b);

/** Wraps a document edit so that it throws AdminOnly when it changes anything but checks and actions. */
export function operatorEdit(edit: (doc: Doc) => Doc): (doc: Doc) => Doc {
  return (doc) => {
    const next = edit(doc);
    for (const k of new Set([...Object.keys(doc), ...Object.keys(next)])) {
      if (!EDITABLE.has(k) && !same(doc[k], next[k])) throw new AdminOnly(k);
    }
    return next;
  };
}
