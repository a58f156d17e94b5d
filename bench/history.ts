/**
 * The history store at scale: 30 days of 1-minute runs for 1,000 checks
 * (43.2 M runs: half like a tcp check — response_time — half like a disk
 * check — a level and three metrics — 1 % failing), written through the
 * store's own encoding (StateStore.appendRuns) into a file database. Then the
 * database size, and the time of a check's 7-day sparkline (the web UI's
 * sparkline(): the store query, decoding and bucketing) and of its uptime
 * figures (24 h / 7 d / 30 d), median over 20 checks.
 * By default 100 checks are written (4.3 M runs, half a minute) and the size
 * is scaled to 1,000 by bytes per run; HISTORY_CHECKS=1000 (`npm run bench
 * -- --full`) writes all 43.2 M.
 * Run: node --import tsx bench/history.ts
 */
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Site } from '../src/site.ts';
import type { RunRecord } from '../src/store/state.ts';
import { sparkline, uptimes } from '../src/web/history.ts';
import { tempDir } from '../test/servers/common.ts';
import { dist, emit, figure, median, note, round } from './lib/report.ts';

const CHECKS = Number(process.env.HISTORY_CHECKS ?? 100);
const DAYS = 30;
const PER_CHECK = DAYS * 1440;
const now = Date.now();

const t = tempDir('sw-bench-hist-');
const configPath = join(t.dir, 'site.json');
const checks: Record<string, unknown> = {};
for (let c = 0; c < CHECKS; c++) checks[`check-${c}`] = { type: 'disk', options: { volume: '/' } };
writeFileSync(configPath, JSON.stringify({ webui: null, checks }));
const site = await Site.open({ configPath });

// a fixed pseudo-random sequence: the same data on every run
let seed = 1;
const rand = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
function run(c: number, k: number): RunRecord {
  const at = now - (PER_CHECK - k) * 60_000;
  const fail = rand() < 0.01;
  if (c % 2 === 0) {
    return { t: at, fail, durationMs: Math.round(1 + rand() * 4), level: null, softFail: null, metrics: [{ name: 'response_time', value: Math.round(1 + rand() * 4) / 1000, unit: 's', min: 0 }] };
  }
  const p = 40 + rand() * 5;
  return {
    t: at, fail, durationMs: Math.round(1 + rand() * 4), level: ` ${Math.round(p)}%`, softFail: null,
    metrics: [
      { name: 'used_percent', value: p, unit: '%', crit: 95, min: 0, max: 100 },
      { name: 'used_bytes', value: Math.round(p * 1e9), unit: 'B', min: 0, max: 100e9 },
      { name: 'free_bytes', value: Math.round((100 - p) * 1e9), unit: 'B', min: 0, max: 100e9 },
    ],
  };
}

const t0 = performance.now();
for (let c = 0; c < CHECKS; c++) {
  // a day per transaction: the write path of 1,440 runs
  for (let d = 0; d < DAYS; d++) {
    const day: RunRecord[] = [];
    for (let k = d * 1440; k < (d + 1) * 1440; k++) day.push(run(c, k));
    site.store.appendRuns(`check-${c}`, day);
  }
  if (c % 100 === 99) note(`${c + 1} checks written, ${Math.round((performance.now() - t0) / 1000)} s`);
}
const fillS = (performance.now() - t0) / 1000;
site.db.pragma('wal_checkpoint(TRUNCATE)');
const bytes = statSync(join(t.dir, 'site.db')).size;
const rows = CHECKS * PER_CHECK;

const spark: number[] = [];
const up: number[] = [];
let points = 0;
for (let i = 0; i < 20; i++) {
  const name = `check-${(i * 37) % CHECKS}`;
  const a = performance.now();
  points = sparkline(site, name, 120, 7).points.length;
  spark.push(performance.now() - a);
  const b = performance.now();
  uptimes(site, name);
  up.push(performance.now() - b);
}
await site.stop();
t.cleanup();

note(`${rows} runs in ${round(bytes / 1e6, 0)} MB (${round(bytes / rows, 1)} B/run), written in ${round(fillS, 0)} s; 7-day sparkline ${JSON.stringify(dist(spark))} ms (${points} points); uptimes ${JSON.stringify(dist(up))} ms`);
// the figure is for 1,000 checks; a smaller run is scaled by its bytes per run (the layout is linear in runs)
const at1000 = CHECKS === 1000 ? bytes : (bytes / rows) * 1000 * PER_CHECK;
emit('history', [
  figure({
    key: 'history_mb',
    figure: `history store size, 30 days of 1-minute runs for 1,000 checks${CHECKS === 1000 ? '' : ` (from ${CHECKS.toLocaleString('en')} checks × ${1000 / CHECKS})`}`,
    target: 'report', value: round(at1000 / 1e6, 0), unit: 'MB', better: 'lower', limit: null,
  }),
  figure({ key: 'sparkline_ms', figure: "a check's 7-day sparkline (query + bucketing, median)", target: '< 50 ms', value: round(median(spark)), unit: 'ms', better: 'lower', limit: 50 }),
], { checks: CHECKS, runs: rows, measuredMB: round(bytes / 1e6, 0), bytesPerRun: round(bytes / rows, 1), fillSeconds: round(fillS, 0), sparkline7dMs: dist(spark), uptimesMs: dist(up) });
