/**
 * The service checks load their client libraries on their first run, so a
 * site without them does not carry them (docs/performance.md). Checked in
 * a fresh Node process on the built registry (dist/, `npm run build`):
 * CommonJS packages show in require.cache once loaded.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../src/version.ts';

const REGISTRY = join(PROJECT_ROOT, 'dist/src/checks/registry.js');

const SCRIPT = `
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
const require = createRequire(import.meta.url);
const loaded = () => ['pg', 'mysql2'].filter((p) => Object.keys(require.cache).some((k) => k.includes('/node_modules/' + p + '/')));
const { checkType } = await import(process.argv[1]);
const before = loaded();
// a port that is closed: the run fails, but only after loading its library
const port = await new Promise((r) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => r(p)); }); });
const ctx = (t) => ({ signal: new AbortController().signal, now: Date.now, env: { base: '/tmp', pluginDirs: [], sysRoot: '/sys', procRoot: '/proc' } });
for (const name of ['postgres', 'mysql']) {
  const t = checkType(name);
  await t.run(t.options.parse({ hostname: '127.0.0.1', port, username: 'u' }), ctx(t));
}
console.log(JSON.stringify({ before, after: loaded() }));
`;

describe('service check libraries are loaded lazily', () => {
  it('pg and mysql2 are not loaded with the registry, and are by a run', () => {
    expect(existsSync(REGISTRY), 'npm run build first').toBe(true);
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT, REGISTRY], { encoding: 'utf8', cwd: PROJECT_ROOT, timeout: 30_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toEqual({ before: [], after: ['pg', 'mysql2'] });
  });
});
