/**
 * Opening the site's state database (site.db) so that nothing broken goes
 * unnoticed (issue 16). At open a quick integrity check (SQLite's
 * `PRAGMA quick_check`) runs; a damaged database — a corrupted page, a
 * broken header ("file is not a database") — is moved aside, kept for
 * inspection under `<name>.corrupt-<time>`, and a new one is made: check
 * states come from the site file's `data`, as on a first start. A missing
 * database for a site file that shows earlier runs is said too. What
 * happened comes back as notes for the site log and the CLI; a database
 * that cannot be opened at all is a StateDbError naming the file.
 */
import { existsSync, renameSync } from 'node:fs';
import type { Database as Db } from 'better-sqlite3';
import { openDatabase, type MigrationSet } from './db.ts';

/** The site file shows earlier runs (a check's data with a lastCheck, or site-log lines): a missing database is news. */
export function ranBefore(site: { doc: Record<string, unknown>; checks: ReadonlyMap<string, { fileData: unknown }> }): boolean {
  if (Array.isArray(site.doc.log) && site.doc.log.length > 0) return true;
  for (const e of site.checks.values()) {
    const d = e.fileData as { lastCheck?: unknown } | null | undefined;
    if (d && typeof d === 'object' && d.lastCheck) return true;
  }
  return false;
}

/** The state database cannot be opened; the message names the file (the CLI prints it). */
export class StateDbError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateDbError';
  }
}

/** SQLite's own words for a damaged file. */
const DAMAGED = new Set(['SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_CORRUPT_INDEX', 'SQLITE_CORRUPT_SEQUENCE', 'SQLITE_CORRUPT_VTAB']);

class Damaged extends Error {}

function damaged(e: unknown): boolean {
  return e instanceof Damaged || DAMAGED.has(String((e as { code?: unknown }).code));
}

/** `quick_check`: every page's structure, without comparing indexes to their tables (O(pages), read only). */
function quickCheck(db: Db): void {
  const result = db.pragma('quick_check(1)', { simple: true });
  // e.g. "*** in database main ***\nTree 18 page 85: btreeInitPage() returns error code 11": one line
  if (result !== 'ok')
    throw new Damaged(
      String(result)
        .replace(/\*\*\* in database \w+ \*\*\*/, '')
        .replace(/\s+/g, ' ')
        .trim(),
    );
}

function stamp(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** Moves the damaged file and its WAL and shared-memory files aside; returns the new name. */
function moveAside(path: string, now: Date): string {
  const aside = `${path}.corrupt-${stamp(now)}`;
  renameSync(path, aside);
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(`${path}${suffix}`)) renameSync(`${path}${suffix}`, `${aside}${suffix}`);
  }
  return aside;
}

function open(path: string, sets: readonly MigrationSet[]): Db {
  return openDatabase(path, sets, quickCheck);
}

/**
 * Opens (creating or repairing) the state database at `path`. `ranBefore`:
 * the site file shows earlier runs (a missing database is then news).
 */
export function openStateDb(path: string, sets: readonly MigrationSet[], o: { ranBefore: boolean; now?: Date }): { db: Db; notes: string[] } {
  if (path === ':memory:') return { db: openDatabase(path, sets), notes: [] };
  const notes: string[] = [];
  if (!existsSync(path) && o.ranBefore) {
    notes.push(
      `${path} was not found: started a new state database. The site file shows earlier runs: their history, API tokens, sign-in sessions and queued notifications are not in it; check states come from the site file`,
    );
  }
  try {
    return { db: open(path, sets), notes };
  } catch (e) {
    if (!damaged(e)) throw new StateDbError(`cannot open the state database ${path}: ${(e as Error).message}`);
    let aside: string;
    try {
      aside = moveAside(path, o.now ?? new Date());
    } catch (e2) {
      throw new StateDbError(`the state database ${path} is damaged (${(e as Error).message}) and could not be moved aside: ${(e2 as Error).message}`);
    }
    notes.push(
      `${path} is damaged (${(e as Error).message}): moved it to ${aside} and started a new state database; check states come from the site file (history, API tokens, sign-in sessions and queued notifications are in the moved file)`,
    );
    try {
      return { db: open(path, sets), notes };
    } catch (e2) {
      throw new StateDbError(`cannot open a new state database ${path}: ${(e2 as Error).message}`);
    }
  }
}
