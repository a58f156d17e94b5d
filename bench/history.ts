/**
 * The history store at scale: 30 days of 1-minute runs for 1,000 checks
 * (43.2 M runs: half like a tcp check — response_time — half like a disk
 * check — a level and three metrics — 1 % failing), written through the
 * store's own encoding (StateStore.appendRuns) into a file database. Then the
 * database size, and the time of a check's 7-day sparkline (the web UI's
 * sparkline(): the store query, decoding and bucketing) and of its uptime
 * figures (24 h / 7 d / 30 d), median over 20 checks.
 * Then the tiers (src/store/rollup.ts): the 30 days are rolled up into
 * 5-minute and hourly buckets as a first start after the upgrade does (timed),
 * pruned with the default retention (every run 24 h, 5-minute buckets 3 days,
 * hourly 30 days) and vacuumed: the size a site settles at; uptimes again,
 * now read from the tiers.
 * By default 100 checks are written (4.3 M runs, half a minute) and the size
 * is scaled to 1,000 by bytes per run; HISTORY_CHECKS=1000 (`npm run bench
 * -- --full`) writes all 43.2 M.
 * Run: node --import tsx bench/history.ts
 */
import { openSite } from '../src/wiring.ts';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
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
const site = await openSite({ configPath });

// a fixed pseudo-random sequence: the same data on every run
let seed = 1;
const rand = (): number => (seed = (seed * 48271) % 2147483647) / 2147483647;
function run(c: number, k: number): RunRecord {
  const at = now - (PER_CHECK - k) * 60_000;
  const fail = rand() < 0.01;
  if (c % 2 === 0) {
    return {
      t: at,
      fail,
      durationMs: Math.round(1 + rand() * 4),
      level: null,
      softFail: null,
      metrics: [{ name: 'response_time', value: Math.round(1 + rand() * 4) / 1000, unit: 's', min: 0 }],
    };
  }
  const p = 40 + rand() * 5;
  return {
    t: at,
    fail,
    durationMs: Math.round(1 + rand() * 4),
    level: ` ${Math.round(p)}%`,
    softFail: null,
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

// the tiers: roll the 30 days up (a first start after the upgrade), prune with the default retention, vacuum
const r0 = performance.now();
const end = now + 10 * 60_000;
let steps = 0;
while (site.store.rollupStep(end)) steps++;
const rollS = (performance.now() - r0) / 1000;
const h = site.settings.history;
const cuts = { raw: end - h.rawHours * 3_600_000, fiveMinute: end - h.fiveMinuteDays * 86_400_000, hourly: end - h.days * 86_400_000 };
const p0 = performance.now();
while (site.store.pruneBatch(cuts).more);
const pruneS = (performance.now() - p0) / 1000;
site.db.exec('VACUUM');
site.db.pragma('wal_checkpoint(TRUNCATE)');
const tiered = statSync(join(t.dir, 'site.db')).size;
const count = (table: string): number => (site.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
const tierRows = { raw: count('runs'), fiveMinute: count('runs_5m'), hourly: count('runs_1h') };
const upTiered: number[] = [];
for (let i = 0; i < 20; i++) {
  const name = `check-${(i * 37) % CHECKS}`;
  const b = performance.now();
  uptimes(site, name);
  upTiered.push(performance.now() - b);
}
await site.stop();
t.cleanup();
note(
  `tiers: rolled up in ${round(rollS, 0)} s (${steps} steps), pruned in ${round(pruneS, 1)} s; ${JSON.stringify(tierRows)} rows in ${round(tiered / 1e6, 0)} MB; uptimes ${JSON.stringify(dist(upTiered))} ms`,
);
const tiered1000 = CHECKS === 1000 ? tiered : (tiered / CHECKS) * 1000;

note(
  `${rows} runs in ${round(bytes / 1e6, 0)} MB (${round(bytes / rows, 1)} B/run), written in ${round(fillS, 0)} s; 7-day sparkline ${JSON.stringify(dist(spark))} ms (${points} points); uptimes ${JSON.stringify(dist(up))} ms`,
);
// the figure is for 1,000 checks; a smaller run is scaled by its bytes per run (the layout is linear in runs)
const at1000 = CHECKS === 1000 ? bytes : (bytes / rows) * 1000 * PER_CHECK;
emit(
  'history',
  [
    figure({
      key: 'history_mb',
      figure: `history store size, 30 days of 1-minute runs for 1,000 checks${CHECKS === 1000 ? '' : ` (from ${CHECKS.toLocaleString('en')} checks × ${1000 / CHECKS})`}`,
      target: 'report',
      value: round(at1000 / 1e6, 0),
      unit: 'MB',
      better: 'lower',
      limit: null,
    }),
    figure({
      key: 'history_tiered_mb',
      figure: `history store size with tiers (every run 24 h, 5-minute buckets 3 d, hourly 30 d), 30 days of 1-minute runs for 1,000 checks${CHECKS === 1000 ? '' : ` (from ${CHECKS.toLocaleString('en')} checks × ${1000 / CHECKS})`}`,
      target: '< 250 MB',
      value: round(tiered1000 / 1e6, 0),
      unit: 'MB',
      better: 'lower',
      limit: 250,
    }),
    figure({
      key: 'uptimes_ms',
      figure: "a check's uptime 24 h / 7 d / 30 d from the tiers (median)",
      target: '< 5 ms',
      value: round(median(upTiered), 2),
      unit: 'ms',
      better: 'lower',
      limit: 5,
    }),
    figure({
      key: 'sparkline_ms',
      figure: "a check's 7-day sparkline (query + bucketing, median)",
      target: '< 50 ms',
      value: round(median(spark)),
      unit: 'ms',
      better: 'lower',
      limit: 50,
    }),
  ],
  {
    checks: CHECKS,
    runs: rows,
    measuredMB: round(bytes / 1e6, 0),
    bytesPerRun: round(bytes / rows, 1),
    fillSeconds: round(fillS, 0),
    sparkline7dMs: dist(spark),
    uptimesMs: dist(up),
    rollupSeconds: round(rollS, 0),
    pruneSeconds: round(pruneS, 1),
    tierRows,
    tieredMB: round(tiered / 1e6, 0),
    uptimesTieredMs: dist(upTiered),
  },
);
