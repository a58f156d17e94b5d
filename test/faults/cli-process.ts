/**
 * The built CLI (`node dist/bin/siteward.js`) as a child process for the crash
 * tests, and the SQLite rows it left behind, read by another process (the
 * WAL makes every commit visible at once).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { PROJECT_ROOT } from '../../src/version.ts';

export const CLI = join(PROJECT_ROOT, 'dist', 'bin', 'siteward.js');

export interface Cli {
  proc: ChildProcess;
  /** stderr so far (pino JSON lines) */
  stderr(): string;
  /** the messages of the log lines so far */
  messages(): string[];
  kill(signal: NodeJS.Signals): Promise<void>;
}

// info: a recovery (PASS) is logged at info, a FAIL at warn; the kill tests read both
export function startCli(config: string, args: string[] = ['--webui=false', '--logging=info']): Cli {
  const proc = spawn(process.execPath, [CLI, `--config=${config}`, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (d: string) => (err += d));
  return {
    proc,
    stderr: () => err,
    messages: () =>
      err.split('\n').flatMap((l) => {
        try {
          const m = (JSON.parse(l) as { msg?: unknown }).msg;
          return typeof m === 'string' ? [m] : [];
        } catch {
          return [];
        }
      }),
    kill: async (signal) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = once(proc, 'exit');
      proc.kill(signal);
      await exited;
    },
  };
}

export interface TransitionRow {
  id: number;
  name: string;
  to: string;
  notify: number;
}
export interface OutboxRow {
  id: number;
  uid: string;
  action: string;
  check: string | null;
  kind: string;
  state: string;
  status: string;
  inflight: number | null;
}

function query<T>(db: string, sql: string): T[] {
  if (!existsSync(db)) return [];
  try {
    const d = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return d.prepare(sql).all() as T[];
    } finally {
      d.close();
    }
  } catch {
    return []; // not created or not migrated yet
  }
}

export const transitions = (db: string): TransitionRow[] =>
  query(db, 'SELECT t.id, c.name, t.to_state AS "to", t.notify FROM transitions t JOIN check_ids c ON c.id = t.check_id ORDER BY t.id');

export const outbox = (db: string): OutboxRow[] =>
  query(db, 'SELECT id, uid, action, check_name AS "check", kind, state, status, inflight FROM outbox ORDER BY id');

export async function until(what: string, ok: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
