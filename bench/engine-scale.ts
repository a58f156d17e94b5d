/**
 * Load and schedule 10,000 checks: time to parse + validate + open, time to
 * schedule them all, RSS afterwards, and the cost of one live edit (validate →
 * atomic save → reschedule). Prints JSON.
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Site } from '../src/site.ts';
import { putCheck } from '../src/config/edits.ts';
import { generateSite } from './gen-site.ts';

const N = Number(process.argv[2] ?? 10_000);
const dir = mkdtempSync(join(tmpdir(), 'sw-bench-'));
const path = join(dir, 'site.json');
writeFileSync(path, JSON.stringify(generateSite(N)));
const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
const site = await Site.open({ configPath: path });
const t1 = performance.now();
// keep the checks from running during the measurement: schedule only
const origRun = site.runner.run.bind(site.runner);
site.runner.run = () => Promise.resolve(null);
await site.start();
const t2 = performance.now();
const scheduled = site.scheduler.size();
global.gc?.();
const rss = process.memoryUsage().rss;
const edits: number[] = [];
for (let i = 0; i < 20; i++) {
  const a = performance.now();
  const raw = (site.loaded.doc.checks as Record<string, Record<string, unknown>>)[`check-${i}`];
  const r = await site.mutate((doc) => putCheck(doc, `check-${i}`, { ...raw, threshold: 5 }));
  if (!r.ok) throw new Error(JSON.stringify(r.issues.slice(0, 3)));
  edits.push(performance.now() - a);
}
edits.sort((a, b) => a - b);
site.runner.run = origRun;
await site.stop();
rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify({
  checks: N + N / 100,
  openMs: Math.round(t1 - t0),
  scheduleMs: Math.round(t2 - t1),
  startToScheduledMs: Math.round(t2 - t0),
  scheduled,
  rssMB: Math.round(rss / 1e6),
  rssDeltaMB: Math.round((rss - rss0) / 1e6),
  editMedianMs: Math.round(edits[10]),
  editMaxMs: Math.round(edits[19]),
}));
