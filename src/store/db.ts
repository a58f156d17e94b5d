/**
 * The SQLite database (better-sqlite3, WAL): runtime state, history, the
 * volatile log and, later, the notification outbox and web sessions. Each
 * write is a committed transaction, so `kill -9` at any moment loses nothing
 * that was reported as done.
 */
import { chmodSync, closeSync, openSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { Database as Db } from 'better-sqlite3';
import { migrateRunsV1 } from './history.ts';
import { ROLLUP_SCHEMA } from './rollup.ts';

/**
 * Migrations are owned by the module whose tables they create (core, outbox,
 * sessions, …), each a list of steps applied in order and recorded as
 * `<module>/<n>`. A step is SQL, or a function for a data conversion SQL
 * cannot express; either runs in one transaction with its record. Never edit
 * a released step; append a new one.
 */
export type MigrationStep = string | ((db: Db) => void);

export interface MigrationSet {
  module: string;
  steps: readonly MigrationStep[];
}

export const CORE_MIGRATIONS: MigrationSet = {
  module: 'core',
  steps: [
    `CREATE TABLE check_state (
       name TEXT PRIMARY KEY,
       state TEXT NOT NULL,
       updated INTEGER NOT NULL
     );
     CREATE TABLE check_ids (
       id INTEGER PRIMARY KEY,
       name TEXT NOT NULL UNIQUE
     );
     CREATE TABLE runs (
       check_id INTEGER NOT NULL,
       t INTEGER NOT NULL,
       fail INTEGER NOT NULL,
       duration_ms REAL,
       level TEXT,
       soft_fail TEXT,
       metrics TEXT
     );
     CREATE INDEX runs_check_t ON runs (check_id, t);
     CREATE INDEX runs_t ON runs (t);
     CREATE TABLE transitions (
       id INTEGER PRIMARY KEY,
       check_id INTEGER NOT NULL,
       t INTEGER NOT NULL,
       to_state TEXT NOT NULL,
       from_state TEXT NOT NULL,
       notify INTEGER NOT NULL,
       log TEXT NOT NULL
     );
     CREATE INDEX transitions_check_t ON transitions (check_id, t);
     CREATE TABLE site_log (
       id INTEGER PRIMARY KEY,
       line TEXT NOT NULL
     );
     CREATE TABLE kv (
       key TEXT PRIMARY KEY,
       value TEXT NOT NULL
     );`,
    // the compact run history: 225 → ~40 bytes a run (src/store/history.ts)
    migrateRunsV1,
    // 5-minute and 1-hour roll-ups (src/store/rollup.ts); existing runs are rolled up in the background from the oldest hour on
    ROLLUP_SCHEMA,
  ],
};

/**
 * The database holds the site's history, sessions and token hashes: private
 * to the daemon's user, like the site file (0600). SQLite gives its -wal
 * and -shm files the mode of the database file, so creating that one 0600
 * (and tightening one made by an older version) covers all three.
 */
function privateFile(path: string): void {
  if (path === ':memory:' || path === '' || path.startsWith('file:')) return;
  try {
    closeSync(openSync(path, 'a', 0o600));
  } catch {
    return; // not a file we can open (a folder, no permission): SQLite says why, in its words
  }
  for (const p of [path, `${path}-wal`, `${path}-shm`]) {
    try {
      if ((statSync(p).mode & 0o077) !== 0) chmodSync(p, 0o600);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

/** `check` runs first on the open file (open.ts: the integrity check); a throw closes it again. */
export function openDatabase(path: string, sets: readonly MigrationSet[] = [CORE_MIGRATIONS], check?: (db: Db) => void): Db {
  privateFile(path);
  const db = new Database(path);
  try {
    check?.(db);
    setUp(db, sets);
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

function setUp(db: Db, sets: readonly MigrationSet[]): void {
  // 16 KiB pages for a new database (SQLite's default is 4 KiB; an existing file
  // keeps its size: https://sqlite.org/pragma.html#pragma_page_size). Each
  // transition adds a row to two indexes keyed by check (transitions, the
  // decision trace), so a group commit dirties a leaf page per check; with
  // larger pages it dirties fewer and writes fewer WAL frames: ~1/3 less
  // SQLite CPU a transition (docs/performance.md, issue 20 phase 9).
  // The page cache is sized in KiB (cache_size < 0), so it holds as much.
  db.pragma('page_size = 16384');
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a committed transaction survives a process crash (the
  // WAL is in the OS page cache); only a power loss can drop the last commits.
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db, sets);
}

export function migrate(db: Db, sets: readonly MigrationSet[]): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id TEXT PRIMARY KEY, applied INTEGER NOT NULL)');
  const done = new Set((db.prepare('SELECT id FROM schema_migrations').all() as { id: string }[]).map((r) => r.id));
  const mark = db.prepare('INSERT INTO schema_migrations (id, applied) VALUES (?, ?)');
  for (const set of sets) {
    set.steps.forEach((step, i) => {
      const id = `${set.module}/${i + 1}`;
      if (done.has(id)) return;
      db.transaction(() => {
        if (typeof step === 'string') db.exec(step);
        else step(db);
        mark.run(id, Date.now());
      })();
    });
  }
}
