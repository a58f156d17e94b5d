/**
 * The action types by name, each loaded when first used, as the check types
 * are (src/checks/catalog.ts, issue 20): the daemon loads the types its site
 * file names before validating it; `actionType(name)` loads any other listed
 * type synchronously on its first call; `registry.ts` loads them all (web
 * UI, API, JSON schema, docs). Legacy type names are mapped here
 * (`cksms` → `sms`, spec §2.3).
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { BUNDLED, builtFile } from '../util/bundle.ts';
import type { AnyActionType } from './types.ts';

/** The type names in the UI's order; each is a folder `src/actions/<name>/index.ts` exporting the type under that name. */
export const ACTION_TYPE_NAMES = ['log', 'email', 'sms', 'webhook', 'ntfy', 'telegram', 'pushover', 'slack'] as const;

export const LEGACY_ACTION_TYPES: Record<string, string> = { cksms: 'sms' };

const listed = new Set<string>(ACTION_TYPE_NAMES);
const loaded = new Map<string, AnyActionType>();
const EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
// the bundled daemon (scripts/bundle.mjs): each type is its own entry, dist/bundle/actions/<name>.js
const fileOf = (name: string): string => (BUNDLED ? builtFile('bundle', 'actions', `${name}.js`) : `./${name}/index${EXT}`);
const moduleOf = (name: string): string => (BUNDLED ? pathToFileURL(fileOf(name)).href : fileOf(name));
const canonical = (name: string): string => LEGACY_ACTION_TYPES[name] ?? name;

export function actionTypeNames(): string[] {
  return [...ACTION_TYPE_NAMES];
}

export function registerActionType(t: AnyActionType): void {
  if (!listed.has(t.type)) throw new Error(`action type ${t.type} is not listed in src/actions/catalog.ts`);
  loaded.set(t.type, t);
}

function typeFrom(name: string, mod: Record<string, unknown>): AnyActionType {
  const t = mod[name] as AnyActionType | undefined;
  if (t?.type !== name) throw new Error(`src/actions/${name}/index.ts must export the action type as \`${name}\``);
  registerActionType(t);
  return t;
}

/** An action type by name (legacy names mapped); a listed type not loaded yet is loaded now (synchronously). */
export function actionType(name: string): AnyActionType | undefined {
  const n = canonical(name);
  const t = loaded.get(n);
  if (t || !listed.has(n)) return t;
  return typeFrom(n, createRequire(import.meta.url)(fileOf(n)) as Record<string, unknown>);
}

/** Loads the listed types among `names` (legacy names mapped) that are not loaded yet. */
export async function loadActionTypes(names: Iterable<string>): Promise<void> {
  const wanted = [...new Set([...names].map(canonical))].filter((n) => listed.has(n) && !loaded.has(n));
  await Promise.all(wanted.map(async (n) => typeFrom(n, (await import(moduleOf(n))) as Record<string, unknown>)));
}

/** The names of the loaded types (tests and diagnostics). */
export function loadedActionTypeNames(): string[] {
  return [...loaded.keys()];
}
