/**
 * `npm start` builds only when a source is newer than dist/ (a rebuild took
 * half a minute on every start), and package.json lists each dependency once.
 */
import { describe, it, expect } from 'vitest';
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/version.ts';
import { tempDir } from '../servers/common.ts';

const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe('npm start', () => {
  it('runs the stale-build check before starting, not tsc', () => {
    expect(pkg.scripts.prestart).toBe('node scripts/build-if-stale.mjs');
  });

  it('builds when dist/ is missing or a source is newer, not otherwise', async () => {
    const mod = join(PROJECT_ROOT, 'scripts', 'build-if-stale.mjs');
    const { stale } = (await import(mod)) as { stale: (root: string) => boolean };
    const t = tempDir('sw-start-');
    const at = (p: string, s: number): void => {
      mkdirSync(join(t.dir, p, '..'), { recursive: true });
      writeFileSync(join(t.dir, p), 'x');
      utimesSync(join(t.dir, p), s, s);
    };
    at('src/a.ts', 1000);
    at('views/pages/b.tsx', 1000);
    at('package.json', 1000);
    expect(stale(t.dir)).toBe(true);
    at('dist/bin/siteward.js', 2000);
    expect(stale(t.dir)).toBe(false);
    at('views/pages/b.tsx', 3000);
    expect(stale(t.dir)).toBe(true);
    at('dist/bin/siteward.js', 4000);
    at('tsconfig.build.json', 5000);
    expect(stale(t.dir)).toBe(true);
    t.cleanup();
  });
});

describe('package.json', () => {
  it('lists no package both as a dependency and a development dependency', () => {
    const both = Object.keys(pkg.dependencies).filter((d) => d in pkg.devDependencies);
    expect(both).toEqual([]);
  });
});
