#!/usr/bin/env node
// `npm run bench`: builds dist/ (the CLI benchmark runs the built program),
// runs every benchmark in bench/ one after the other (never two at once: the
// figures are timings on a small machine), each with `node --import tsx`,
// collects the JSON line each prints, and ends with the JSON of all figures
// and a Markdown table (docs/performance.md).
//
//   npm run bench                        every benchmark once (about 10 minutes)
//   npm run bench -- --runs 3            three times each; the table shows medians
//   npm run bench -- lateness web-pages  only these
//   npm run bench -- --json out.json     also write the results to a file
//   npm run bench -- --full              history with all 1,000 checks (5 more minutes)
//
// Side by side with fletchck (issue 20): when FLETCHCK_SRC names a fletchck
// source tree, `npm run bench` runs bench/side-by-side.ts instead: the same
// sites in fletchck and in siteward, back to back, medians of three rounds
// (`--runs N` sets the rounds), and prints both columns with their ratio.
//
//   FLETCHCK_SRC=/work/fletchck-src npm run bench
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const ALL = [
  'cli-scale',
  'engine-scale',
  'throughput',
  'lateness',
  'hang',
  'mqtt-ingest',
  'mqtt-latency',
  'web-pages',
  'web-edit',
  'metrics',
  'history',
  'live-latency',
  'status-page',
  'chart',
  'fleet',
  'failover',
  'zone-seal',
  'zone-edit',
  'broker-rate',
];

const args = process.argv.slice(2);
let runs = 1;
let jsonOut = null;
let full = false;
const only = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--runs') runs = Math.max(1, Number(args[++i]));
  else if (args[i] === '--json') jsonOut = args[++i];
  else if (args[i] === '--full') full = true;
  else if (ALL.includes(args[i])) only.push(args[i]);
  else {
    console.error(`unknown argument ${args[i]}; benchmarks: ${ALL.join(', ')}`);
    process.exit(2);
  }
}
const sideBySide = Boolean(process.env.FLETCHCK_SRC) && only.length === 0;
const benches = sideBySide ? ['side-by-side'] : only.length ? only : ALL;

process.stderr.write('== build\n');
if (spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' }).status !== 0) process.exit(1);

const env = { ...process.env, ...(full ? { HISTORY_CHECKS: '1000' } : {}) };
// side by side, the rounds are taken inside the one benchmark (each figure in both programs back to back)
if (sideBySide) {
  env.ROUNDS = String(args.includes('--runs') ? runs : 3);
  runs = 1;
}
/** bench → list of its results, one per run */
const results = new Map();
const started = Date.now();
for (const name of benches) {
  for (let r = 1; r <= runs; r++) {
    process.stderr.write(`== ${name}${runs > 1 ? ` (run ${r}/${runs})` : ''}\n`);
    const t0 = Date.now();
    const p = spawnSync(process.execPath, ['--import', 'tsx', `bench/${name}.ts`], {
      env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 64 << 20,
    });
    const line = p.stdout.split('\n').find((l) => l.startsWith('{"bench"'));
    if (p.status !== 0 || !line) {
      process.stderr.write(`   ${name} failed (exit ${p.status})\n${p.stdout.slice(-2000)}\n`);
      results.set(name, [...(results.get(name) ?? []), { error: `exit ${p.status}` }]);
      continue;
    }
    process.stderr.write(`   ${Math.round((Date.now() - t0) / 1000)} s\n`);
    results.set(name, [...(results.get(name) ?? []), JSON.parse(line)]);
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (v, unit) => (v === null || v === undefined || Number.isNaN(v) ? '—' : `${Number(v).toLocaleString('en', { maximumFractionDigits: 1 })} ${unit}`);

const rows = [];
for (const name of benches) {
  const rs = results.get(name) ?? [];
  const ok = rs.filter((r) => !r.error);
  if (!ok.length) {
    rows.push({ bench: name, figure: `${name}: failed`, target: '', value: null, unit: '', values: [], verdict: 'error' });
    continue;
  }
  for (const f of ok[0].figures) {
    const values = ok.map((r) => r.figures.find((x) => x.key === f.key)?.value).filter((v) => typeof v === 'number');
    const value = values.length ? median(values) : null;
    const verdict = f.limit === null || value === null ? 'report' : (f.better === 'lower' ? value < f.limit : value >= f.limit) ? 'met' : 'missed';
    rows.push({ bench: name, key: f.key, figure: f.figure, target: f.target, value, unit: f.unit, values, verdict });
  }
}

const summary = {
  machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
  runs,
  seconds: Math.round((Date.now() - started) / 1000),
  figures: rows,
  results: Object.fromEntries(results),
};
if (jsonOut) writeFileSync(jsonOut, `${JSON.stringify(summary, null, 1)}\n`);
console.log(
  JSON.stringify({
    runs,
    seconds: summary.seconds,
    figures: rows.map(({ bench, key, value, unit, values, verdict }) => ({ bench, key, value, unit, values, verdict })),
  }),
);
console.log('');
if (sideBySide) {
  const table = results.get('side-by-side')?.[0]?.details?.table;
  if (!table) process.exit(1);
  console.log(`| figure | fletchck | siteward | siteward / fletchck | goal | |`);
  console.log('|---|---|---|---|---|---|');
  for (const r of table) {
    const spread = (xs, unit) => (xs.length > 1 ? ` (${fmt(Math.min(...xs), '').trim()}–${fmt(Math.max(...xs), unit)})` : '');
    console.log(
      `| ${r.figure} | ${fmt(r.fletchck, r.unit)}${spread(r.values.fletchck, r.unit)} | ${fmt(r.siteward, r.unit)}${spread(r.values.siteward, r.unit)} | ${r.ratio}× | ${r.goal} | ${r.verdict} |`,
    );
  }
  process.exit(0);
}
console.log(`| figure | target | measured${runs > 1 ? ` (median of ${runs})` : ''} | |`);
console.log('|---|---|---|---|');
for (const r of rows) {
  const spread = r.values.length > 1 ? ` (${fmt(Math.min(...r.values), '').trim()}–${fmt(Math.max(...r.values), r.unit)})` : '';
  console.log(`| ${r.figure} | ${r.target} | ${fmt(r.value, r.unit)}${spread} | ${r.verdict} |`);
}
