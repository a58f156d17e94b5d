#!/usr/bin/env node
// The daemon as users run it: `npm run build` runs tsc (dist/src, dist/views:
// one file per module, for tests and tools) and then this, which bundles
// siteward's own code with esbuild into dist/bin/siteward.js (replacing
// tsc's entry) and lazily loaded chunks in dist/bundle/ (docs/performance.md
// "Fixed memory of a started daemon"). Fewer module records, less source
// text in V8's heap, no per-module resolution: a started daemon with the web
// UI holds ~20 MB less and starts faster. Packages stay in node_modules
// (native addons, pino's worker, playwright: loaded as they are).
//
// Each check and action type is an entry of its own (dist/bundle/checks/<name>.js,
// dist/bundle/actions/<name>.js) that the catalogs load by path
// (src/util/bundle.ts); so are the catalogs, the registries and wiring,
// which test/checks/catalog.test.ts imports to prove the lazy loading from
// the bundle. Code shared between entries is in chunks, loaded once.
import { build } from 'esbuild';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(import.meta.url), '..', '..');
const OUT = join(ROOT, 'dist');

const typesOf = (kind) =>
  readdirSync(join(ROOT, 'src', kind))
    .filter((n) => existsSync(join(ROOT, 'src', kind, n, 'index.ts')))
    .map((n) => [`bundle/${kind}/${n}`, join(ROOT, 'src', kind, n, 'index.ts')]);

const entryPoints = Object.fromEntries([
  ['bin/siteward', join(ROOT, 'bin', 'siteward.ts')],
  ...typesOf('checks'),
  ...typesOf('actions'),
  ['bundle/checks/catalog', join(ROOT, 'src', 'checks', 'catalog.ts')],
  ['bundle/checks/registry', join(ROOT, 'src', 'checks', 'registry.ts')],
  ['bundle/actions/catalog', join(ROOT, 'src', 'actions', 'catalog.ts')],
  ['bundle/actions/registry', join(ROOT, 'src', 'actions', 'registry.ts')],
  ['bundle/wiring', join(ROOT, 'src', 'wiring.ts')],
]);

// chunks of an earlier build would linger: the bundle's folder is rebuilt whole
rmSync(join(OUT, 'bundle'), { recursive: true, force: true });
await build({
  entryPoints,
  outdir: OUT,
  chunkNames: 'bundle/chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  minify: true,
  sourcemap: 'linked',
  define: { SITEWARD_BUNDLED: 'true' },
  logLevel: 'warning',
});
