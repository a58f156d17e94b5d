/**
 * Loads the check and action types a site document names, before it is
 * validated (src/checks/catalog.ts, src/actions/catalog.ts; issue 20): a
 * site pays only for the types it has.
 */
import { loadCheckTypes } from '../checks/catalog.ts';
import { loadActionTypes } from '../actions/catalog.ts';

/** The `type` of every entry of a section of a site document (before validation: anything that is a string). */
export function typesOf(doc: unknown, section: 'checks' | 'actions'): string[] {
  const entries = (doc as Record<string, unknown> | null)?.[section];
  if (entries === null || typeof entries !== 'object') return [];
  const types = new Set<string>();
  for (const c of Object.values(entries as Record<string, unknown>)) {
    const t = (c as { type?: unknown } | null)?.type;
    if (typeof t === 'string') types.add(t);
  }
  return [...types];
}

export async function loadTypesOf(doc: unknown): Promise<void> {
  await Promise.all([loadCheckTypes(typesOf(doc, 'checks')), loadActionTypes(typesOf(doc, 'actions'))]);
}
