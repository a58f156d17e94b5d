/**
 * A state database that is damaged or gone never goes unnoticed (issue 16).
 * Real files, really broken: pages overwritten with garbage, a broken
 * header, a deleted site.db. A damaged one is moved aside (kept, named in
 * the site log) and a new one built from the site file's data; the API
 * reads work; a missing one after earlier runs is said; the built CLI says
 * what happened to site.db in a plain line, and names it when it cannot be
 * opened at all.
 */
import { openSite, apiSiteView } from '../../src/wiring.ts';
import { describe, it, expect, afterEach } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { FakeClock } from '../../src/engine/clock.ts';
import type { RemoteData } from '../../src/engine/state.ts';
import type { RunRecord } from '../../src/store/state.ts';
import { API_MIGRATIONS } from '../../src/api/tokens.ts';
import { apiRoutes, createApiContext } from '../../src/api/app.ts';
import { siteTokens } from '../../src/api/tokens.ts';
import { tempDir } from '../servers/common.ts';

const CLI = join(import.meta.dirname, '../../dist/bin/siteward.js');
const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const remote = (fail: boolean, at: number): RemoteData => ({
  failState: fail,
  failCount: fail ? 3 : 0,
  threshold: 1,
  log: [fail ? 'down' : 'up'],
  softFail: null,
  level: null,
  lastCheck: at,
  lastFail: fail ? at : null,
  lastPass: fail ? null : at,
});

/** A site that has run: history in site.db, state saved into the site file's data at its stop. */
async function siteThatRan(): Promise<{ dir: string; path: string; db: string }> {
  const t = tempDir('sw-corrupt-');
  cleanups.push(t.cleanup);
  const path = join(t.dir, 'site.json');
  writeFileSync(
    path,
    JSON.stringify({ scheduler: { jitter: 0 }, checks: { far: { type: 'remote', subType: 'disk' }, near: { type: 'remote', subType: 'disk' } } }),
  );
  const clock = new FakeClock(Date.UTC(2026, 2, 1));
  const site = await openSite({ configPath: path, clock, migrations: [API_MIGRATIONS] });
  site.applyRemote('far', remote(true, clock.now()));
  site.applyRemote('near', remote(false, clock.now()));
  // enough history for many pages: a damaged page among them is one the start does not read
  const runs: RunRecord[] = Array.from({ length: 20_000 }, (_v, i) => ({
    t: clock.now() - (20_000 - i) * 60_000,
    fail: i % 7 === 0,
    durationMs: 12,
    level: null,
    softFail: null,
    metrics: [{ name: 'x', value: i }],
  }));
  site.store.appendRuns('far', runs);
  await site.stop();
  return { dir: t.dir, path, db: join(t.dir, 'site.db') };
}

/** Overwrites pages `from`..`to` (0-based, 4 KiB each) with random bytes. */
function damagePages(file: string, from: number, to: number): void {
  const fd = openSync(file, 'r+');
  try {
    for (let p = from; p <= to; p++) writeSync(fd, randomBytes(4096), 0, 4096, p * 4096);
  } finally {
    closeSync(fd);
  }
}

const asideFiles = (dir: string): string[] => readdirSync(dir).filter((f) => /^site\.db\.corrupt-\d{8}T\d{6}Z$/.test(f));

describe('a damaged or missing site.db', () => {
  it('damaged pages: moved aside and kept, a new database from the site file, named in the site log; API reads work', async () => {
    const { dir, path, db } = await siteThatRan();
    const pages = statSync(db).size / 4096;
    expect(pages).toBeGreaterThan(40);
    damagePages(db, Math.floor(pages / 2), Math.floor(pages / 2) + 4);
    const damaged = readFileSync(db);
    const site = await openSite({ configPath: path, clock: new FakeClock(Date.UTC(2026, 2, 2)), migrations: [API_MIGRATIONS] });
    cleanups.push(() => site.stop());
    const aside = asideFiles(dir);
    expect(aside).toHaveLength(1);
    // kept as it was, for whoever wants to look
    expect(readFileSync(join(dir, aside[0])).equals(damaged)).toBe(true);
    const line = site.siteLog.all().find((l) => l.includes('is damaged'));
    expect(line).toMatch(
      new RegExp(
        `${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is damaged \\(.+\\): moved it to ${join(dir, aside[0]).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} and started a new state database; check states come from the site file`,
      ),
    );
    expect(site.openNotes).toHaveLength(1);
    // the states come from the site file's data, saved at the last stop
    expect(site.state('far').failState).toBe(true);
    expect(site.state('far').failCount).toBe(3);
    expect(site.state('near').failState).toBe(false);
    // the API reads what it has (the history went with the old file)
    const app = apiRoutes(createApiContext(apiSiteView(site)));
    const token = siteTokens(site).create({ name: 'r', scope: 'read' }).secret;
    for (const p of ['/api/v1/checks', '/api/v1/checks/far', '/api/v1/checks/far/history']) {
      expect((await app.request(p, { headers: { authorization: `Bearer ${token}` } })).status, p).toBe(200);
    }
  }, 120_000);

  it('a deleted site.db of a site that ran before is said, and the states come from the site file', async () => {
    const { dir, path, db } = await siteThatRan();
    rmSync(db);
    const site = await openSite({ configPath: path, clock: new FakeClock(Date.UTC(2026, 2, 2)) });
    cleanups.push(() => site.stop());
    expect(asideFiles(dir)).toEqual([]);
    expect(
      site.siteLog
        .all()
        .some((l) =>
          l.endsWith(
            `${db} was not found: started a new state database. The site file shows earlier runs: their history, API tokens, sign-in sessions and queued notifications are not in it; check states come from the site file`,
          ),
        ),
    ).toBe(true);
    expect(site.state('far').failState).toBe(true);
  }, 120_000);

  it('a first start (no runs in the site file) makes its database without a word', async () => {
    const t = tempDir('sw-corrupt-');
    cleanups.push(t.cleanup);
    const path = join(t.dir, 'site.json');
    writeFileSync(path, JSON.stringify({ checks: { a: { type: 'disk' } } }));
    const site = await openSite({ configPath: path, clock: new FakeClock() });
    cleanups.push(() => site.stop());
    expect(site.openNotes).toEqual([]);
    expect(site.siteLog.all()).toEqual([]);
  }, 120_000);

  it("the built CLI: a broken header is named as site.db's problem (not the site config's), and the daemon runs", async () => {
    const { dir, db } = await siteThatRan();
    const fd = openSync(db, 'r+');
    writeSync(fd, Buffer.from('this is not sqlite'), 0, 18, 0);
    closeSync(fd);
    const child = spawn(process.execPath, [CLI, '--config=site.json', '--webui=false'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    cleanups.push(async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
    });
    await expect.poll(() => err.includes('siteward running'), { timeout: 60_000 }).toBe(true);
    const plain = err.split('\n').filter((l) => l.startsWith('siteward: '));
    expect(plain).toHaveLength(1);
    expect(plain[0]).toMatch(
      new RegExp(
        `^siteward: ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is damaged \\(file is not a database\\): moved it to .*site\\.db\\.corrupt-\\d{8}T\\d{6}Z and started a new state database`,
      ),
    );
    expect(err).not.toContain('Error reading site config');
    expect(asideFiles(dir)).toHaveLength(1);
  }, 120_000);

  it('the built CLI: a site.db that cannot be opened at all is named, exit 1', () => {
    const t = tempDir('sw-corrupt-');
    cleanups.push(t.cleanup);
    writeFileSync(join(t.dir, 'site.json'), JSON.stringify({ checks: {} }));
    mkdirSync(join(t.dir, 'site.db'));
    const r = spawnSync(process.execPath, [CLI, '--config=site.json', '--webui=false'], { cwd: t.dir, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(1);
    expect(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('{')),
    ).toEqual([`cannot open the state database ${join(t.dir, 'site.db')}: unable to open database file`]);
    expect(existsSync(join(t.dir, 'site.db'))).toBe(true);
  }, 120_000);
});
