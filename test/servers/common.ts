/**
 * Shared plumbing for tests that start real servers on 127.0.0.1 with ports
 * the OS picks. Daemon suites use `describeDaemon`: when the program is
 * missing they are skipped locally, but under CI=true they fail loudly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, openSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import { createServer, connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';

export const HOST = '127.0.0.1';
export const IN_CI = process.env.CI === 'true' || process.env.CI === '1';

export function hasProgram(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** A describe block that needs programs on the machine (absolute paths). */
export function describeDaemon(name: string, programs: string[], fn: () => void): void {
  const missing = programs.filter((p) => !hasProgram(p));
  if (missing.length === 0) {
    describe(name, fn);
  } else if (IN_CI) {
    describe(name, () => {
      throw new Error(`${name}: required program(s) missing on this CI machine: ${missing.join(', ')} (.ci/run installs them)`);
    });
  } else {
    describe.skip(`${name} (missing ${missing.join(', ')})`, fn);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.unref();
    s.on('error', rej);
    s.listen(0, HOST, () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => res(p));
    });
  });
}

export async function waitPort(port: number, timeoutMs = 10_000, host = HOST): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect({ host, port });
      s.on('connect', () => {
        s.destroy();
        r(true);
      });
      s.on('error', () => r(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A private temp folder (mode 0755 so daemons that drop privileges can traverse it). */
export function tempDir(prefix = 'sw-'): { dir: string; cleanup: () => void } {
  // keep it short: some daemons put unix sockets under it (108-char limit)
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o755);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Daemon {
  name: string;
  proc: ChildProcess;
  logFile: string;
  log(): string;
  stop(): Promise<void>;
}

/** Spawns a foreground daemon with its output in `<dir>/<name>.log`. */
export function spawnDaemon(name: string, dir: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Daemon {
  const logFile = join(dir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const proc = spawn(cmd, args, { stdio: ['ignore', fd, fd], env: { ...process.env, ...env } });
  const d: Daemon = {
    name,
    proc,
    logFile,
    log: () => {
      try {
        return readFileSync(logFile, 'utf8');
      } catch {
        return '';
      }
    },
    stop: async () => {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGTERM');
      proc.kill('SIGCONT'); // a stopped (SIGSTOP) daemon acts on the SIGTERM only once it runs again
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
  return d;
}

/** Waits until the daemon's log contains `text` (a daemon may open its port before it serves). */
export async function waitForLog(d: Daemon, text: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!d.log().includes(text)) {
    if (d.proc.exitCode !== null || d.proc.signalCode !== null) throw new Error(`${d.name} exited before logging "${text}"`);
    if (Date.now() > end) throw new Error(`${d.name} did not log "${text}" within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
