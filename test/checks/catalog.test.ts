/**
 * Check and action types load when a site uses them (src/checks/catalog.ts, issue 20):
 * a site's types are loaded before it is validated, any other listed type on
 * its first lookup (synchronously), and importing the registry loads them
 * all. Run in a fresh process (vitest's setup loads the registry for every
 * test file), once from source (tsx), once from tsc's build and once from
 * the bundle the daemon runs (scripts/bundle.mjs: the catalogs, registries
 * and wiring are entries of it, each type one too) when present.
 */
import { it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../servers/common.ts';

const script = (src: string, ext: string, site: string): string => `
const catalog = await import('${src}/checks/catalog${ext}');
const actions = await import('${src}/actions/catalog${ext}');
const seen = { atStart: catalog.loadedCheckTypeNames(), actionsAtStart: actions.loadedActionTypeNames() };
const { openSite } = await import('${src}/wiring${ext}');
const s = await openSite({ configPath: ${JSON.stringify(site)}, dbPath: ':memory:' });
seen.afterOpen = catalog.loadedCheckTypeNames().sort();
seen.actionsAfterOpen = actions.loadedActionTypeNames().sort();
seen.legacy = actions.actionType('cksms')?.type ?? null;
seen.checks = [...s.loaded.checks.keys()];
await s.stop();
await catalog.loadCheckTypes(['cert', 'no-such-type']);
seen.afterLoad = catalog.loadedCheckTypeNames().sort();
const tcp = catalog.checkType('tcp');
seen.syncType = tcp?.type ?? null;
seen.unknown = catalog.checkType('no-such-type') ?? null;
await import('${src}/checks/registry${ext}');
await import('${src}/actions/registry${ext}');
seen.all = catalog.loadedCheckTypeNames().length;
seen.listed = catalog.checkTypeNames().length;
seen.allActions = actions.loadedActionTypeNames().length;
seen.listedActions = actions.actionTypeNames().length;
console.log(JSON.stringify(seen));
`;

function run(src: string, ext: string, args: string[]): Record<string, unknown> {
  const t = tempDir('sw-catalog-');
  try {
    const site = join(t.dir, 'site.json');
    writeFileSync(
      site,
      JSON.stringify({
        webui: null,
        actions: { hook: { type: 'webhook', options: { url: 'http://127.0.0.1:9/' } } },
        checks: { root: { type: 'disk', trigger: null, options: { volume: '/' }, actions: ['hook'] } },
      }),
    );
    const r = spawnSync(process.execPath, [...args, '--input-type=module', '-e', script(src, ext, site)], { encoding: 'utf8', timeout: 90_000 });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
  } finally {
    t.cleanup();
  }
}

function expectLazy(seen: Record<string, unknown>): void {
  expect(seen.atStart).toEqual([]);
  expect(seen.actionsAtStart).toEqual([]);
  expect(seen.actionsAfterOpen).toEqual(['webhook']);
  // a legacy name (spec §2.3) loads its type on first lookup
  expect(seen.legacy).toBe('sms');
  // the site's one type (remote and sequence only when the site has them)
  expect(seen.afterOpen).toEqual(['disk']);
  expect(seen.checks).toEqual(['root']);
  expect(seen.afterLoad).toEqual(['cert', 'disk']);
  expect(seen.syncType).toBe('tcp');
  expect(seen.unknown).toBeNull();
  expect(seen.all).toBe(seen.listed);
  expect(seen.allActions).toBe(seen.listedActions);
}

it('a site loads only the check types it uses; other types load on first lookup (source)', () => {
  expectLazy(run(join(process.cwd(), 'src'), '.ts', ['--import', 'tsx']));
});

const dist = join(process.cwd(), 'dist', 'src');
const built = existsSync(join(dist, 'checks', 'catalog.js'));
// CI builds first (npm test); elsewhere a missing build is reported as a skip, never as a pass
it.skipIf(!built && !process.env.CI)('the same from the build, as the daemon runs (npm run build first)', () => {
  expect(built, 'dist/ is missing: npm run build').toBe(true);
  expectLazy(run(dist, '.js', []));
});

// the bundled daemon (dist/bin/siteward.js and dist/bundle/): the catalogs load each type from its own bundled entry
const bundle = join(process.cwd(), 'dist', 'bundle');
const bundled = existsSync(join(bundle, 'checks', 'catalog.js'));
it.skipIf(!bundled && !process.env.CI)('the same from the bundle the daemon runs (npm run build first)', () => {
  expect(bundled, 'dist/bundle/ is missing: npm run build').toBe(true);
  expectLazy(run(bundle, '.js', []));
});
