/**
 * Which programs an `exec` check may run. The web UI can edit checks, so a
 * check's `command` alone must never be enough to run something: the program
 * has to live inside one of the folders an admin listed in the site file's
 * top-level `"plugins": {"dirs": [...]}`. Both the path as written and the
 * file it resolves to (after every symlink) must be inside an allowed folder,
 * so neither `..` nor a symlink can step out of it.
 *
 * This runs when the site is loaded (the check is left inactive with a
 * path-precise error) and again before every run (the disk may have changed).
 * It uses synchronous metadata calls because the loader is synchronous; they
 * are a handful of stat/realpath calls on local paths.
 */
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve, sep } from 'node:path';

export type Resolution = { ok: true; real: string; argv0: string } | { ok: false; message: string };

const inside = (p: string, dir: string): boolean => p === dir || p.startsWith(dir.endsWith(sep) ? dir : dir + sep);

function realOrNull(p: string): string | null {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
}

/** Allowed folders as written (resolved against the site folder) and as they really are. */
function allowedDirs(pluginDirs: readonly string[], base: string): { lexical: string[]; real: string[] } {
  const lexical = pluginDirs.map((d) => resolve(base, d));
  const real = lexical.map(realOrNull).filter((d): d is string => d !== null);
  return { lexical, real };
}

export const NO_PLUGIN_DIRS =
  'exec checks are disabled: the site allows no plugin folders ' + '(an admin lists them in the site file as "plugins": {"dirs": ["/usr/lib/nagios/plugins"]})';

/**
 * Resolves `program` (an absolute path, or a bare name looked up in the
 * allowed folders in order) to a runnable file inside an allowed folder.
 */
export function resolveProgram(program: string, pluginDirs: readonly string[], base: string): Resolution {
  if (pluginDirs.length === 0) return { ok: false, message: NO_PLUGIN_DIRS };
  const dirs = allowedDirs(pluginDirs, base);
  const listed = dirs.lexical.join(', ');
  if (program === '') return { ok: false, message: 'the program path is empty' };
  if (program.split('/').includes('..')) return { ok: false, message: `${JSON.stringify(program)} must not contain ".." segments` };

  let candidate: string;
  if (!program.includes('/')) {
    const found = dirs.lexical.map((d) => join(d, program)).find((p) => realOrNull(p) !== null);
    if (!found) return { ok: false, message: `no program ${JSON.stringify(program)} in the plugin folders (${listed})` };
    candidate = found;
  } else if (!isAbsolute(program)) {
    return { ok: false, message: `${JSON.stringify(program)}: give an absolute path, or a bare plugin name found in the plugin folders` };
  } else {
    candidate = resolve(program);
  }

  const lexicallyInside = dirs.lexical.some((d) => inside(candidate, d)) || dirs.real.some((d) => inside(candidate, d));
  if (!lexicallyInside) return { ok: false, message: `${JSON.stringify(program)} is not inside an allowed plugin folder (${listed})` };
  const real = realOrNull(candidate);
  if (real === null) return { ok: false, message: `${JSON.stringify(program)} does not exist` };
  if (!dirs.real.some((d) => inside(real, d))) {
    return { ok: false, message: `${JSON.stringify(program)} leads to ${real}, outside the allowed plugin folders (${listed})` };
  }
  try {
    if (!statSync(real).isFile()) return { ok: false, message: `${JSON.stringify(program)} is not a file` };
    accessSync(real, constants.X_OK);
  } catch {
    return { ok: false, message: `${JSON.stringify(program)} is not executable` };
  }
  // argv[0] stays as written: plugins such as check_ftp (a link to check_tcp) act on their name
  return { ok: true, real, argv0: candidate };
}
