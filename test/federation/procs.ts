/**
 * Real siteward processes for the federation tests: the built CLI
 * (`node dist/bin/siteward.js --config … --webui=false`), each in its own folder.
 * Their state is read from their SQLite file (read-only), which every
 * committed state change reaches at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, openSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { CheckState } from '../../src/engine/state.ts';
import { tempDir } from '../servers/common.ts';
import { stopChild } from '../helpers/teardown.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = join(ROOT, 'dist/bin/siteward.js');
/** How long stop() waits after SIGTERM before SIGKILL (a siteward stop is bounded well under it: src/federation/close.ts). */
const STOP_GRACE_MS = 30_000;

function newest(dir: string): number {
  let m = 0;
  for (const f of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, f.name);
    m = Math.max(m, f.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return m;
}

/** Spawned tests run the build: refuse a missing or stale one with a clear message. */
export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  if (newest(join(ROOT, 'src')) > statSync(CLI).mtimeMs + 1000 && newest(join(ROOT, 'src')) > newest(join(ROOT, 'dist/src'))) {
    throw new Error('dist/ is older than src/: run `npm run build` first (npm test does)');
  }
}

export interface Transition {
  t: number;
  to: string;
  from: string;
}

export interface Proc {
  name: string;
  dir: string;
  configPath: string;
  proc: ChildProcess;
  /** the process's stderr (pino JSON lines) */
  log(): string;
  /** a check's committed state, or null when the process has none yet */
  state(check: string): CheckState | null;
  transitions(check: string): Transition[];
  /** the site file as saved */
  file(): { checks: Record<string, Record<string, unknown>> } & Record<string, unknown>;
  /** rewrites the site file and sends SIGHUP (reload) */
  edit(fn: (doc: Record<string, unknown>) => Record<string, unknown>): void;
  /** SIGTERM and wait for the exit code; -1 when it did not exit within STOP_GRACE_MS (then SIGKILL) */
  stop(): Promise<number | null>;
  /** SIGKILL: no shutdown at all (the broker sees a dead connection) */
  kill(): Promise<void>;
  cleanup(): void;
}

export function spawnSiteward(name: string, doc: Record<string, unknown>, extraArgs: string[] = []): Proc {
  const { dir, cleanup } = tempDir(`swp-${name}-`);
  const configPath = join(dir, 'site.json');
  writeFileSync(configPath, JSON.stringify({ timezone: 'UTC', webui: null, scheduler: { jitter: 0 }, ...doc }, null, 1));
  const logFile = join(dir, 'stderr.log');
  const fd = openSync(logFile, 'a');
  const proc = spawn(process.execPath, [CLI, `--config=${configPath}`, '--webui=false', '--logging=info', ...extraArgs], {
    stdio: ['ignore', fd, fd],
    cwd: dir,
  });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  const dbPath = join(dir, 'site.db');
  const query = <T>(fn: (db: Database.Database) => T, dflt: T): T => {
    if (!existsSync(dbPath)) return dflt;
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      return fn(db);
    } catch {
      return dflt;
    } finally {
      db.close();
    }
  };
  return {
    name,
    dir,
    configPath,
    proc,
    log: () => readFileSync(logFile, 'utf8'),
    state: (check) =>
      query((db) => {
        const row = db.prepare('SELECT state FROM check_state WHERE name = ?').get(check) as { state: string } | undefined;
        return row ? (JSON.parse(row.state) as CheckState) : null;
      }, null),
    transitions: (check) =>
      query(
        (db) =>
          db
            .prepare(
              'SELECT t, to_state AS "to", from_state AS "from" FROM transitions JOIN check_ids ON check_ids.id = transitions.check_id WHERE check_ids.name = ? ORDER BY transitions.id',
            )
            .all(check) as Transition[],
        [],
      ),
    file: () => JSON.parse(readFileSync(configPath, 'utf8')) as ReturnType<Proc['file']>,
    edit(fn) {
      writeFileSync(configPath, JSON.stringify(fn(JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>), null, 1));
      proc.kill('SIGHUP');
    },
    // bounded: a process that hangs in its shutdown is killed and reported as -1, never waited for
    stop: async () => ((await stopChild(proc, STOP_GRACE_MS)) === -1 ? -1 : exited),
    kill: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
    cleanup,
  };
}
