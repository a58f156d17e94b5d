#!/usr/bin/env node
// `npm start`'s pre-step: build (tsc and the bundle) only when a source is newer than the
// build, so a start takes a second instead of half a minute. Sources: src/,
// views/, the tsconfig files, package.json and the bundler; the build:
// dist/bin/siteward.js (the bundle, rewritten on each build).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCES = ['bin', 'src', 'views', 'tsconfig.json', 'tsconfig.build.json', 'package.json', 'scripts/bundle.mjs'];
const OUTPUT = join('dist', 'bin', 'siteward.js');

/** Newest modification time (ms) of a file or of the files below a folder; 0 when missing. */
function newest(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let t = 0;
  for (const e of readdirSync(path)) t = Math.max(t, newest(join(path, e)));
  return t;
}

/** Whether the project at `root` needs a build. */
export function stale(root) {
  let built;
  try {
    built = statSync(join(root, OUTPUT)).mtimeMs;
  } catch {
    return true;
  }
  return SOURCES.some((s) => newest(join(root, s)) > built);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const root = join(fileURLToPath(import.meta.url), '..', '..');
  if (!stale(root)) {
    console.error('build is current (sources are not newer than dist/)');
  } else {
    console.error('building (sources are newer than dist/)…');
    // tsc, then the bundle (scripts/bundle.mjs), as `npm run build`
    const r = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], {
      stdio: 'inherit',
    });
    if (r.status !== 0) process.exit(r.status ?? 1);
    const b = spawnSync(process.execPath, [join(root, 'scripts', 'bundle.mjs')], { stdio: 'inherit' });
    process.exit(b.status ?? 1);
  }
}
