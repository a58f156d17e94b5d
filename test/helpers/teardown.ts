/**
 * Teardown that cannot hang (a test's afterAll on a loaded CI machine): a
 * child process gets SIGTERM, then SIGKILL after a grace period; a close()
 * that does not settle in time is given up on, and the processes this test
 * worker spawned itself (a browser) are killed by their pid.
 */
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** True when `p` settled (resolved or rejected) within `ms`. */
export async function settledWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p.then(
        () => true,
        () => true,
      ),
      new Promise<boolean>((r) => (t = setTimeout(() => r(false), ms))),
    ]);
  } finally {
    clearTimeout(t);
  }
}

const running = (c: ChildProcess): boolean => c.exitCode === null && c.signalCode === null;

/**
 * SIGTERM, and SIGKILL after `graceMs`. Resolves with the exit code, null for
 * a signal, or -1 when the process did not exit in time and was killed (a
 * test that expects a clean shutdown sees it fail, not hang).
 */
export async function stopChild(c: ChildProcess, graceMs = 30_000): Promise<number | null> {
  if (!running(c)) return c.exitCode;
  const exited = new Promise<number | null>((r) => c.once('exit', (code) => r(code)));
  c.kill('SIGTERM');
  if (await settledWithin(exited, graceMs)) return exited;
  c.kill('SIGKILL');
  await exited;
  return -1;
}

/** The pids of this process's own children whose program path contains `program` (Linux /proc). */
export function ownChildren(program: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid …" (proc(5)); comm may hold spaces or parentheses
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0')[0].includes(program)) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * Closes `target` (a browser or a browser context); when that takes longer
 * than `ms`, the processes of `program` this worker spawned are killed.
 */
export async function closeOrKill(target: { close(): Promise<unknown> } | null | undefined, program: string, ms = 30_000): Promise<void> {
  if (!target) return;
  if (await settledWithin(target.close(), ms)) return;
  for (const pid of ownChildren(program)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
