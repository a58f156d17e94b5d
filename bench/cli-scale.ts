/**
 * The built CLI (`node dist/bin/siteward.js`) on a generated site of 10,000
 * checks (+100 sequences) — TCP and verified TLS checks against local servers
 * and local disk/memory/cpu checks: time from spawn to "siteward running"
 * (loaded, validated, database opened, every check scheduled) and the
 * process's resident memory while its checks run — twice: with the shipped
 * scheduler.jitter (5 s; JITTER= overrides) and with jitter off, where the
 * first run of every interval check falls on the same instant. Needs
 * `npm run build`.
 * Run: node --import tsx bench/cli-scale.ts
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { emit, figure, note, round, sleep } from './lib/report.ts';
import { ROOT, rssOf, startServers } from './lib/proc.ts';
import { generateSite, networkMix } from './gen-site.ts';
import { tempDir } from '../test/servers/common.ts';

const N = Number(process.env.CHECKS ?? 10_000);
/** how long RSS is watched after start: the first runs of every interval check come 1 s after it */
const WATCH_MS = Number(process.env.WATCH_MS ?? 10_000);
const cli = join(ROOT, 'dist', 'bin', 'siteward.js');
if (!existsSync(cli)) throw new Error('dist/bin/siteward.js is missing: run npm run build first');

const servers = await startServers();

interface CliRun {
  startMs: number;
  atStart: number;
  settled: number;
  peak: number;
  samples: number[];
  runs: number;
}

/** One start of the built CLI on a fresh generated site, watched for WATCH_MS. */
async function runCli(jitter: number): Promise<CliRun> {
  const t = tempDir('sw-bench-cli-');
  const path = join(t.dir, 'site.json');
  writeFileSync(path, JSON.stringify(generateSite(N, { checkType: networkMix(servers), jitter })));
  const t0 = performance.now();
  const child = spawn(process.execPath, [cli, '--config', path, '--logging', 'info'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let runs = 0;
  const running = new Promise<number>((resolve, reject) => {
    const rl = createInterface({ input: child.stderr! });
    rl.on('line', (line) => {
      if (line.includes('"siteward running"')) resolve(performance.now() - t0);
      else if (line.includes(' PASS"') || line.includes(' FAIL"')) runs++;
    });
    child.once('exit', (code) => reject(new Error(`siteward exited with ${code} before running`)));
  });
  const startMs = await running;
  const atStart = rssOf(child.pid!).rss;
  const samples: number[] = [];
  const end = performance.now() + WATCH_MS;
  while (performance.now() < end) {
    samples.push(rssOf(child.pid!).rss);
    await sleep(250);
  }
  const { rss: settled, peak } = rssOf(child.pid!);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  await exited;
  t.cleanup();
  return { startMs, atStart, settled, peak, samples, runs };
}

const mb = (b: number): number => round(b / 1e6, 0);
const describe = (r: CliRun): Record<string, unknown> => ({
  startMs: Math.round(r.startMs),
  rssAtStartMB: mb(r.atStart),
  rssSettledMB: mb(r.settled),
  rssPeakMB: mb(r.peak),
  rssSamplesMB: r.samples.filter((_, i) => i % 4 === 0).map(mb),
  firstTransitions: r.runs,
});
// the shipped default (scheduler.jitter 5 s, fletchck's), and jitter off: every interval check's first run at the same instant (spec §11 FIRSTTRIGGER)
const shipped = await runCli(Number(process.env.JITTER ?? 5));
const burst = await runCli(0);
await servers.close();
for (const [label, r] of [
  ['default jitter', shipped],
  ['jitter off', burst],
] as const) {
  note(
    `${label}: start ${Math.round(r.startMs)} ms; RSS at start ${mb(r.atStart)} MB, after ${WATCH_MS / 1000} s ${mb(r.settled)} MB, peak ${mb(r.peak)} MB; ${r.runs} first transitions logged`,
  );
}
const n = N.toLocaleString('en');
emit(
  'cli-scale',
  [
    figure({
      key: 'rss_10k',
      figure: `RSS, ${n} checks loaded, scheduled and running (built CLI, peak, default jitter 5 s)`,
      target: '< 200 MB',
      value: mb(shipped.peak),
      unit: 'MB',
      better: 'lower',
      limit: 200,
    }),
    figure({
      key: 'rss_10k_burst',
      figure: `RSS, ${n} checks, jitter off: all first runs at one instant (peak)`,
      target: '< 200 MB',
      value: mb(burst.peak),
      unit: 'MB',
      better: 'lower',
      limit: 200,
    }),
    figure({
      key: 'start_10k',
      figure: `start to all scheduled, ${n} checks (built CLI, spawn → "siteward running")`,
      target: '< 2 s',
      value: Math.round(shipped.startMs),
      unit: 'ms',
      better: 'lower',
      limit: 2000,
    }),
  ],
  { checks: N + N / 100, shipped: describe(shipped), burst: describe(burst) },
);
