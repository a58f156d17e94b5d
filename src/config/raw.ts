/**
 * Raw entry access: a check's or action's object as the site file holds it
 * (before validation). Own keys only (`Object.hasOwn`): a name such as
 * `__proto__` or `constructor` never reaches the prototype. The web UI and
 * the API both read entries through here.
 */
import { isObject, type Obj } from '../util/guard.ts';

export type EntryCollection = 'checks' | 'actions';

/** The raw entry `name` of `collection` in a site document, or undefined. */
export function rawEntry(doc: Obj, collection: EntryCollection, name: string): Obj | undefined {
  const all = doc[collection];
  const v = isObject(all) && Object.hasOwn(all, name) ? all[name] : undefined;
  return isObject(v) ? v : undefined;
}

export function rawCheck(site: { doc: Obj }, name: string): Obj | undefined {
  return rawEntry(site.doc, 'checks', name);
}

export function rawAction(site: { doc: Obj }, name: string): Obj | undefined {
  return rawEntry(site.doc, 'actions', name);
}
