/**
 * A new state database uses 16 KiB pages (issue 20, phase 9: fewer WAL
 * frames a group commit, docs/performance.md); a database made with
 * SQLite's default 4 KiB pages keeps them, its rows intact, when siteward
 * opens it (the page size of an existing file changes only with a VACUUM,
 * which siteward does not run).
 */
import { describe, it, expect, afterEach } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { openDatabase } from '../../src/store/db.ts';
import { tempDir } from '../servers/common.ts';

const dirs: { cleanup(): void }[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) d.cleanup();
});

describe('SQLite page size', () => {
  it('a new database has 16 KiB pages, in WAL mode', () => {
    const t = tempDir('sw-pages-');
    dirs.push(t);
    const db = openDatabase(join(t.dir, 'site.db'));
    expect(db.pragma('page_size', { simple: true })).toBe(16384);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('an existing database keeps its 4 KiB pages and its rows', () => {
    const t = tempDir('sw-pages-');
    dirs.push(t);
    const path = join(t.dir, 'site.db');
    const old = new Database(path);
    old.pragma('page_size = 4096');
    old.pragma('journal_mode = WAL');
    old.exec('CREATE TABLE kept (v TEXT)');
    old.prepare('INSERT INTO kept (v) VALUES (?)').run('before');
    old.close();

    const db = openDatabase(path);
    expect(db.pragma('page_size', { simple: true })).toBe(4096);
    expect(db.prepare('SELECT v FROM kept').pluck().all()).toEqual(['before']);
    db.close();
  });
});
