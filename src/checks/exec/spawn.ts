/**
 * Running a plugin: no shell, its own process group (so a timeout kills the
 * plugin and everything it started), a small fixed environment, and output
 * capped in memory while the pipes are still drained (a plugin that writes
 * more than we keep must not block on a full pipe).
 */
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { abortReason } from '../shared/errors.ts';

export interface PluginResult {
  /** exit status, or null when ended by a signal */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** more output came than was kept */
  truncated: boolean;
}

export interface SpawnOptions {
  argv0: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  signal: AbortSignal;
  /** bytes of stdout kept (Nagios 4 keeps 64 KiB) */
  maxStdout?: number;
  maxStderr?: number;
}

/** How long to wait for the pipes to close after the plugin exits (a background child may hold them). */
const PIPE_GRACE_MS = 100;

/** Kills a whole process group; it may already be gone. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: nothing left in the group
  }
}

function collect(stream: Readable, max: number): { text: () => string; truncated: () => boolean } {
  const chunks: Buffer[] = [];
  let kept = 0;
  let dropped = false;
  stream.on('data', (c: Buffer) => {
    if (kept >= max) {
      dropped = true;
      return;
    }
    const part = c.length > max - kept ? c.subarray(0, max - kept) : c;
    if (part.length < c.length) dropped = true;
    chunks.push(part);
    kept += part.length;
  });
  stream.on('error', () => undefined);
  return { text: () => Buffer.concat(chunks).toString('utf8'), truncated: () => dropped };
}

export function runPlugin(file: string, o: SpawnOptions): Promise<PluginResult> {
  return new Promise((resolve, reject) => {
    if (o.signal.aborted) {
      reject(abortReason(o.signal));
      return;
    }
    // detached: the child calls setsid(), so its pid is the group id for the kill
    const child = spawn(file, o.args, {
      argv0: o.argv0,
      cwd: o.cwd,
      env: o.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const out = collect(child.stdout, o.maxStdout ?? 64 * 1024);
    const err = collect(child.stderr, o.maxStderr ?? 8 * 1024);
    let settled = false;
    const settle = (f: () => void): void => {
      if (settled) return;
      settled = true;
      o.signal.removeEventListener('abort', onAbort);
      f();
    };
    const onAbort = (): void => {
      killGroup(child.pid);
      child.stdout.destroy();
      child.stderr.destroy();
      settle(() => reject(abortReason(o.signal)));
    };
    o.signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => {
      killGroup(child.pid);
      settle(() => reject(e));
    });
    child.on('exit', (code, signal) => {
      const done = (): void => {
        // whatever the plugin left running in its group goes with it
        killGroup(child.pid);
        child.stdout.destroy();
        child.stderr.destroy();
        settle(() =>
          resolve({
            code,
            signal,
            stdout: out.text(),
            stderr: err.text(),
            truncated: out.truncated() || err.truncated(),
          }),
        );
      };
      if (child.stdout.closed && child.stderr.closed) {
        done();
        return;
      }
      let open = 2;
      const timer = setTimeout(done, PIPE_GRACE_MS);
      const closed = (): void => {
        if (--open === 0) {
          clearTimeout(timer);
          done();
        }
      };
      if (child.stdout.closed) open--;
      else child.stdout.once('close', closed);
      if (child.stderr.closed) open--;
      else child.stderr.once('close', closed);
      if (open === 0) {
        clearTimeout(timer);
        done();
      }
    });
  });
}
