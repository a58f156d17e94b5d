/**
 * Start-up of one or more builds, in interleaved rounds (issue 20's fixed
 * memory and start time; docs/performance.md "Fixed memory of a started
 * daemon"). Not a benchmark of the suite: it prints a table, no figures.
 *
 *   node --import tsx bench/start-probe.ts [CLI …]
 *     Each CLI (default: this tree's dist/bin/siteward.js; e.g. a copy of
 *     main's build beside it) is started ROUNDS times (default 6), in turn,
 *     on a fresh copy of the side-by-side site (CHECKS, default 1,000: 40 %
 *     cert checks, 60 % disk/memory/cpu, 5 s jitter), with V8's own heap
 *     sizing. At the "siteward running" line: wall time from spawn, CPU time,
 *     RSS, the peak so far (VmHWM), and what the RSS is made of
 *     (/proc/<pid>/smaps: the node binary's pages, anonymous pages — V8's
 *     heap among them — malloc's heap, shared libraries). Then SIGTERM.
 *     AFTER_MS (default 0) waits that long after the line before reading
 *     memory. WEBUI=1: the site has a web UI (on a free loopback port), as
 *     a site made by `--create` has. The cert checks point at a closed port: nothing before
 *     "running" talks to them, and a first run only fails.
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ROOT, cpuMsOf, rssOf } from './lib/proc.ts';
import { memoryMap } from './lib/heapsnap.ts';
import { generateSite, localMix } from './gen-site.ts';
import { median, round, sleep } from './lib/report.ts';
import { freePort, tempDir } from '../test/servers/common.ts';

const ROUNDS = Number(process.env.ROUNDS ?? 6);
const CHECKS = Number(process.env.CHECKS ?? 1000);
const AFTER_MS = Number(process.env.AFTER_MS ?? 0);
const clis = process.argv.slice(2).length ? process.argv.slice(2) : [join(ROOT, 'dist', 'bin', 'siteward.js')];

interface Sample {
  wallMs: number;
  cpuMs: number;
  rssMB: number;
  peakMB: number;
  /** RSS by mapping group, MB */
  map: Record<string, number>;
}

const mb = (b: number): number => round(b / 1e6, 1);

/** The smaps groups that matter here: the node binary, anonymous pages, malloc's heap, everything else. */
function groups(pid: number): Record<string, number> {
  const out: Record<string, number> = { node: 0, anon: 0, malloc: 0, libs: 0 };
  for (const g of memoryMap(pid)) {
    const k = g.key === 'node' ? 'node' : g.key === '[anon]' ? 'anon' : g.key === '[heap]' ? 'malloc' : 'libs';
    out[k] += g.rss;
  }
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, mb(v)]));
}

async function once(cli: string, site: string): Promise<Sample> {
  const t = tempDir('sw-start-probe-');
  const config = join(t.dir, 'site.json');
  writeFileSync(config, site);
  const logFile = join(t.dir, 'log');
  const out = openSync(logFile, 'a+');
  const t0 = performance.now();
  const child = spawn(process.execPath, [cli, '--config', config], {
    cwd: t.dir,
    env: { ...process.env, SITEWARD_HEAP_GROWING_PERCENT: '0' },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  try {
    const deadline = t0 + 60_000;
    while (!readFileSync(logFile, 'utf8').includes('siteward running')) {
      if (child.exitCode !== null || performance.now() > deadline)
        throw new Error(`${cli}: no "siteward running"\n${readFileSync(logFile, 'utf8').slice(-2000)}`);
      await sleep(5);
    }
    const wallMs = Math.round(performance.now() - t0);
    const cpuMs = cpuMsOf(child.pid!);
    if (AFTER_MS) await sleep(AFTER_MS);
    const { rss, peak } = rssOf(child.pid!);
    return { wallMs, cpuMs, rssMB: mb(rss), peakMB: mb(peak), map: groups(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    t.cleanup();
  }
}

const doc = generateSite(CHECKS, { checkType: (i) => (i % 5 < 2 ? { type: 'cert', options: { hostname: 'localhost', port: 1 } } : localMix(i)), jitter: 5 });
if (process.env.WEBUI === '1') doc.webui = { hostname: '127.0.0.1', port: await freePort() };
const site = JSON.stringify(doc, null, 1);
const runs = new Map<string, Sample[]>(clis.map((c) => [c, []]));
const load = [loadavg()[0]];
for (let r = 0; r < ROUNDS; r++) for (const cli of clis) runs.get(cli)!.push(await once(cli, site));
load.push(loadavg()[0]);

console.log(
  `${CHECKS} checks${process.env.WEBUI === '1' ? ' and the web UI' : ''}, ${ROUNDS} interleaved rounds, load average ${load.map((x) => x.toFixed(1)).join(' → ')}; medians (range)`,
);
const span = (xs: number[]): string => `${median(xs)} (${Math.min(...xs)}–${Math.max(...xs)})`;
for (const [cli, s] of runs) {
  console.log(`\n${cli}`);
  console.log(`  start ${span(s.map((x) => x.wallMs))} ms wall, ${span(s.map((x) => x.cpuMs))} ms CPU`);
  console.log(`  RSS at "running" ${span(s.map((x) => x.rssMB))} MB, peak so far ${span(s.map((x) => x.peakMB))} MB`);
  console.log(
    `  of it: ${Object.keys(s[0].map)
      .map((k) => `${k} ${median(s.map((x) => x.map[k]))} MB`)
      .join(', ')}`,
  );
}
