/**
 * The check types by name, each loaded when first used (issue 20: a site
 * pays in memory and start-up only for the check types it has). The list
 * here is the one list of type names, in the order the UI offers them
 * (fletchck's first); each name is a folder `src/checks/<name>/index.ts`
 * exporting the type under the same name.
 *
 * - The daemon loads the types of its site file before validating it
 *   (src/config/types-used.ts: src/wiring.ts, src/config/live.ts, src/cli/main.ts).
 * - `checkType(name)` answers at once for a loaded type, and loads any other
 *   listed type synchronously on its first call (`require` of the built
 *   ES module, Node ≥ 20.19), so no path can take a listed type for unknown.
 * - Everything that shows or derives from every type (the web form and type
 *   selector, the JSON schema, OpenAPI, the README tables) imports
 *   `registry.ts`, which loads them all.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { BUNDLED, builtFile } from '../util/bundle.ts';
import type { AnyCheckType } from './types.ts';

export const CHECK_TYPE_NAMES = [
  'ssh',
  'smtp',
  'submit',
  'imap',
  'https',
  'cert',
  'dns',
  'disk',
  'cpu',
  'memory',
  'temp',
  'ups',
  'sequence',
  'remote',
  'net',
  'tcp',
  'ping',
  'postgres',
  'mysql',
  'redis',
  'ldap',
  'ntp',
  'mqtt',
  'snmp',
  'docker',
  'browser',
  'exec',
  'truenas',
  'push',
] as const;

const listed = new Set<string>(CHECK_TYPE_NAMES);
const loaded = new Map<string, AnyCheckType>();
// built: ./<name>/index.js; from source (tsx, vitest): ./<name>/index.ts
const EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
// the bundled daemon (scripts/bundle.mjs): each type is its own entry, dist/bundle/checks/<name>.js
const fileOf = (name: string): string => (BUNDLED ? builtFile('bundle', 'checks', `${name}.js`) : `./${name}/index${EXT}`);
const moduleOf = (name: string): string => (BUNDLED ? pathToFileURL(fileOf(name)).href : fileOf(name));

/** Whether `name` is a check type (loaded or not). */
export function isCheckTypeName(name: string): boolean {
  return listed.has(name);
}

/** The type names in the UI's order. */
export function checkTypeNames(): string[] {
  return [...CHECK_TYPE_NAMES];
}

/** Records a loaded type (its module's export). */
export function registerCheckType(t: AnyCheckType): void {
  if (!listed.has(t.type)) throw new Error(`check type ${t.type} is not listed in src/checks/catalog.ts`);
  loaded.set(t.type, t);
}

function typeFrom(name: string, mod: Record<string, unknown>): AnyCheckType {
  const t = mod[name] as AnyCheckType | undefined;
  if (t?.type !== name) throw new Error(`src/checks/${name}/index.ts must export the check type as \`${name}\``);
  registerCheckType(t);
  return t;
}

/** A check type by name; a listed type not loaded yet is loaded now (synchronously). */
export function checkType(name: string): AnyCheckType | undefined {
  const t = loaded.get(name);
  if (t || !listed.has(name)) return t;
  return typeFrom(name, createRequire(import.meta.url)(fileOf(name)) as Record<string, unknown>);
}

/** Loads the listed types among `names` that are not loaded yet (unknown names are left to validation). */
export async function loadCheckTypes(names: Iterable<string>): Promise<void> {
  const wanted = [...new Set(names)].filter((n) => listed.has(n) && !loaded.has(n));
  await Promise.all(wanted.map(async (n) => typeFrom(n, (await import(moduleOf(n))) as Record<string, unknown>)));
}

/** The names of the loaded types (tests and diagnostics). */
export function loadedCheckTypeNames(): string[] {
  return [...loaded.keys()];
}
