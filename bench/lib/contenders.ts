/**
 * The two programs of the side-by-side benchmark (bench/side-by-side.ts),
 * each started as its users start it, on the same site file:
 *
 * - fletchck: `python3 -m fletchck --config=FILE` from a source tree
 *   (FLETCHCK_SRC), Debian's Python packages, and a stub `nut2` module (not
 *   packaged in Debian; only the ups check uses it) written to a temp folder
 *   put first on PYTHONPATH;
 * - siteward: the built CLI, the bundle users run (`node dist/bin/siteward.js --config FILE`, or the one
 *   SITEWARD_CLI names: e.g. a copy of an older build to compare), with V8's
 *   own heap sizing (SITEWARD_HEAP_GROWING_PERCENT=0): the goals of issue 20
 *   must hold without the heap knob.
 *
 * Both are watched the same way: their log (stdout and stderr) goes to a
 * file, as to a log file or journald, and is read back by polling it every
 * 20 ms (the "running" line, and one WARNING line per transition:
 * `<name> (<type>) PASS|FAIL`); their resident memory comes from /proc. A pipe
 * read by this (busy) process held both programs back: siteward's
 * synchronous logger spent a third of an ingest waiting for the pipe.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT, cpuMsOf, rssOf } from './proc.ts';

export type ProgramName = 'fletchck' | 'siteward';

/** fletchck's source: the repository root (with src/fletchck) or the folder holding the fletchck package. */
export function fletchckPath(src: string): string {
  if (existsSync(join(src, 'src', 'fletchck', '__init__.py'))) return join(src, 'src');
  if (existsSync(join(src, 'fletchck', '__init__.py'))) return src;
  throw new Error(`FLETCHCK_SRC=${src}: no fletchck package there (expected src/fletchck/__init__.py)`);
}

/** `nut2` is not packaged for Debian: a module that imports and fails only when a ups check runs. */
export function writeNutStub(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'nut2.py'),
    [
      '# stub written by siteward bench/lib/contenders.ts: nut2 (PyNUT) is not packaged in Debian',
      'class PyNUTError(Exception):',
      '    pass',
      '',
      'class PyNUTClient:',
      '    def __init__(self, *args, **kwargs):',
      "        raise PyNUTError('nut2 is a stub in this benchmark')",
      '',
    ].join('\n'),
  );
}

export interface ProgramSetup {
  /** FLETCHCK_SRC resolved by fletchckPath() */
  fletchckPath: string;
  /** the folder holding the nut2 stub */
  stubDir: string;
  /** the Python with Debian's packages (FLETCHCK_PYTHON, default /usr/bin/python3) */
  python: string;
  /** a PEM file both programs trust (the benchmark's TLS servers' CA) */
  caFile?: string;
  /** extra node options for siteward (SITEWARD_NODE_ARGS: profiling, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) */
  nodeArgs?: string[];
}

/** A started program: its log lines counted as they come, its memory read on demand. */
export interface Running {
  name: ProgramName;
  child: ChildProcess;
  /** ms from spawn to the line that says every check is scheduled */
  ready: Promise<number>;
  /** CPU time (user + system, ms) the process had used when that line came */
  readyCpuMs: number;
  /** transition lines seen so far, with the time (performance.now()) of the first and the last */
  transitions: { count: number; first: number; last: number };
  rss(): { rss: number; peak: number; anon: number; file: number };
  /** SIGTERM, then SIGKILL after `graceMs` (fletchck may not exit on SIGTERM); resolves on exit */
  stop(graceMs?: number): Promise<{ signalled: 'TERM' | 'KILL' }>;
  /** the last lines of its log, for error messages */
  tail(): string;
}

// fletchck (Python logging): `WARNING:fletchck:Starting` once the scheduler runs;
// a transition: `WARNING:fletchck.check:<name> (<type>[.<subtype>]) PASS|FAIL`
// siteward (pino JSON): `"msg":"siteward running"`; a transition: `"msg":"<name> (<type>) PASS|FAIL"`
const READY: Record<ProgramName, RegExp> = { fletchck: /^WARNING:fletchck:Starting$/, siteward: /"msg":"siteward running"/ };
const TRANSITION: Record<ProgramName, RegExp> = {
  fletchck: /^WARNING:fletchck\.check:.* \([^)]*\) (?:PASS|FAIL)$/,
  siteward: /"msg":"[^"]* \([^)]*\) (?:PASS|FAIL)"/,
};

export function startProgram(name: ProgramName, configPath: string, cwd: string, s: ProgramSetup): Running {
  const logFile = join(cwd, `${name}-${Date.now()}.log`);
  const out = openSync(logFile, 'a+');
  const t0 = performance.now();
  const child =
    name === 'fletchck'
      ? spawn(s.python, ['-m', 'fletchck', `--config=${configPath}`], {
          cwd,
          env: { ...process.env, PYTHONPATH: [s.stubDir, s.fletchckPath].join(':'), ...(s.caFile ? { SSL_CERT_FILE: s.caFile } : {}) },
          stdio: ['ignore', out, out],
        })
      : spawn(process.execPath, [...(s.nodeArgs ?? []), process.env.SITEWARD_CLI ?? join(ROOT, 'dist', 'bin', 'siteward.js'), '--config', configPath], {
          cwd,
          env: { ...process.env, SITEWARD_HEAP_GROWING_PERCENT: '0', ...(s.caFile ? { NODE_EXTRA_CA_CERTS: s.caFile } : {}) },
          stdio: ['ignore', out, out],
        });
  const transitions = { count: 0, first: 0, last: 0 };
  const tail: string[] = [];
  let onReady: (ms: number) => void = () => undefined;
  let onFail: (e: Error) => void = () => undefined;
  const ready = new Promise<number>((res, rej) => {
    onReady = res;
    onFail = rej;
  });
  ready.catch(() => undefined);
  let isReady = false;
  const onLine = (line: string): void => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
    if (TRANSITION[name].test(line)) {
      const now = performance.now();
      if (transitions.count++ === 0) transitions.first = now;
      transitions.last = now;
    } else if (!isReady && READY[name].test(line)) {
      isReady = true;
      const ms = performance.now() - t0;
      try {
        running.readyCpuMs = cpuMsOf(child.pid!);
      } catch {
        // it exited meanwhile
      }
      onReady(ms);
    }
  };
  // the log file, read as it grows
  const buf = Buffer.alloc(1 << 20);
  let pos = 0;
  let partial = '';
  const poll = (): void => {
    for (;;) {
      const n = readSync(out, buf, 0, buf.length, pos);
      if (n <= 0) break;
      pos += n;
      const lines = (partial + buf.toString('utf8', 0, n)).split('\n');
      partial = lines.pop()!;
      for (const l of lines) onLine(l);
    }
  };
  const poller = setInterval(poll, 20);
  const exited = new Promise<void>((r) =>
    child.once('exit', () => {
      clearInterval(poller);
      poll();
      closeSync(out);
      // KEEP_LOG=/tmp/x: a copy of each program's log (e.g. with SITEWARD_NODE_ARGS=--trace-gc-nvp) at /tmp/x-<pid>.log
      if (process.env.KEEP_LOG) copyFileSync(logFile, `${process.env.KEEP_LOG}-${child.pid}.log`);
      r();
    }),
  );
  child.once('exit', (code, signal) => onFail(new Error(`${name} exited (${code ?? signal}) before it was running:\n${tail.join('\n')}`)));
  const running: Running = {
    name,
    child,
    ready,
    transitions,
    readyCpuMs: Number.NaN,
    rss: () => rssOf(child.pid!),
    tail: () => tail.join('\n'),
    stop: async (graceMs = 10_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return { signalled: 'TERM' };
      child.kill('SIGTERM');
      let signalled: 'TERM' | 'KILL' = 'TERM';
      const t = setTimeout(() => {
        signalled = 'KILL';
        child.kill('SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(t);
      return { signalled };
    },
  };
  return running;
}
