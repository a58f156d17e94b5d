/**
 * Child processes for the benchmarks: bench TypeScript files run with
 * `node --import tsx`, the servers child, and reading a child's RSS.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Spawns `node --import tsx <file>` from the project root; stdin is a pipe whose end tells the child to stop. */
export function spawnTs(file: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(ROOT, file), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
}

/** The first stdout line of a child that is a JSON object. */
export function firstJson<T>(child: ChildProcess, timeoutMs = 60_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`no JSON line from the child within ${timeoutMs} ms`)), timeoutMs);
    rl.on('line', (line) => {
      if (!line.startsWith('{')) return;
      clearTimeout(timer);
      rl.close();
      resolve(JSON.parse(line) as T);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited (${code}) before printing its JSON line`));
    });
  });
}

/** Ends a child by closing its stdin, then SIGTERM after a grace period; resolves when it has exited. */
export async function endChild(child: ChildProcess, graceMs = 2000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.stdin?.end();
  const t = setTimeout(() => child.kill('SIGTERM'), graceMs);
  await exited;
  clearTimeout(t);
}

export interface Servers {
  tcp: number;
  tls: number;
  silent: number;
  caFile: string;
  child: ChildProcess;
  close(): Promise<void>;
}

/** The local TCP/TLS/silent servers in a child process (bench/lib/serve.ts). */
export async function startServers(): Promise<Servers> {
  const child = spawnTs('bench/lib/serve.ts');
  const ports = await firstJson<Omit<Servers, 'child' | 'close'>>(child);
  return { ...ports, child, close: () => endChild(child) };
}

/**
 * Resident set size of a process in bytes (Linux /proc), its peak, and its two
 * parts: `anon`, the process's private memory (heap, stacks, malloc), and
 * `file`, pages of mapped files (the interpreter's binary and libraries,
 * shared with every process that maps them and reclaimable as page cache).
 */
export function rssOf(pid: number): { rss: number; peak: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 'NaN') * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM'), anon: kb('RssAnon'), file: kb('RssFile') };
}

/**
 * CPU time a process has used so far (user + system, ms; Linux /proc, clock
 * ticks of 10 ms): on a loaded machine a steadier measure of work than wall time.
 */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the command name (field 2) may hold spaces: count from the closing parenthesis
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

/** Starts the timer-noise probe (bench/lib/noise.ts) for `seconds`; resolves with its lateness distribution (ms). */
export function machineNoise(seconds: number): Promise<{ n: number; p50: number; p90: number; p99: number; max: number }> {
  const child = spawnTs('bench/lib/noise.ts', [String(seconds)]);
  child.stdin?.end();
  return firstJson(child, (seconds + 30) * 1000);
}
