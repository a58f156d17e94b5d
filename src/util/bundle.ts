/**
 * The daemon as users run it is one bundled, minified file with lazily
 * loaded chunks (scripts/bundle.mjs, docs/performance.md "Fixed memory of a
 * started daemon"); tests and tools also run the same code from source (tsx)
 * and from tsc's per-file build (dist/src). The bundler defines
 * SITEWARD_BUNDLED, so the few places that load a file by a computed path
 * (the type catalogs, the browser check's worker) know where it is.
 */
import { join } from 'node:path';
import { PROJECT_ROOT } from '../version.ts';

declare const SITEWARD_BUNDLED: boolean | undefined;

/** True in the bundle (dist/bin/siteward.js and dist/bundle/), false from source or from dist/src. */
export const BUNDLED: boolean = typeof SITEWARD_BUNDLED === 'boolean' && SITEWARD_BUNDLED;

/** A file of the build, by its path below dist/ (the bundle's own type modules: dist/bundle/checks/<name>.js). */
export function builtFile(...parts: string[]): string {
  return join(PROJECT_ROOT, 'dist', ...parts);
}
