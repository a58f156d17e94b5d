/**
 * Profiling aids behind docs/performance.md's breakdowns (not a benchmark:
 * it prints a report, no figures).
 *
 *   node --import tsx bench/profile.ts heap 1000 10000
 *     The built CLI on generated sites of each size (the side-by-side mix:
 *     40 % verified TLS cert checks, 60 % disk/memory/cpu), V8's own heap
 *     sizing, watched WATCH_S (default 30) seconds after "siteward running";
 *     then its memory map (/proc/<pid>/smaps: what RSS is made of) and a heap
 *     snapshot (--heapsnapshot-signal), grouped by constructor and by the
 *     property names of plain objects (SITEWARD_CLI: another build). With two sizes,
 *     also what each group costs per check (the difference over the checks added).
 *
 *   node --import tsx bench/profile.ts cpu FILE.cpuprofile
 *     Self time by function and by module of a --cpu-prof profile, e.g. of the
 *     ingest path: SIDE_PROGRAMS=siteward SIDE_ONLY=ingest ROUNDS=1
 *     SITEWARD_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" FLETCHCK_SRC=…
 *     node --import tsx bench/side-by-side.ts
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ROOT, rssOf, startServers } from './lib/proc.ts';
import { heapGroups, memoryMap, objectShapes, type HeapGroup } from './lib/heapsnap.ts';
import { generateSite, localMix, type CheckSpec } from './gen-site.ts';
import { sleep, until } from './lib/report.ts';
import { tempDir } from '../test/servers/common.ts';

const [mode, ...rest] = process.argv.slice(2);
const MB = (b: number): string => `${(b / 1e6).toFixed(1)} MB`;
const KB = (b: number): string => `${(b / 1024).toFixed(b < 10_240 ? 2 : 0)} KiB`;

interface HeapReport {
  checks: number;
  rss: number;
  map: { key: string; rss: number }[];
  heap: { total: number; groups: HeapGroup[] };
  shapes: ReturnType<typeof objectShapes>;
}

async function heapOf(checks: number, tls: number, caFile: string): Promise<HeapReport> {
  const t = tempDir('sw-prof-');
  const path = join(t.dir, 'site.json');
  const mix = (i: number): CheckSpec => (i % 5 < 2 ? { type: 'cert', options: { hostname: 'localhost', port: tls } } : localMix(i));
  writeFileSync(path, JSON.stringify(generateSite(checks, { checkType: mix, jitter: 5 })));
  const child = spawn(
    process.execPath,
    ['--heapsnapshot-signal=SIGUSR2', process.env.SITEWARD_CLI ?? join(ROOT, 'dist', 'bin', 'siteward.js'), '--config', path],
    {
      cwd: t.dir,
      env: { ...process.env, SITEWARD_HEAP_GROWING_PERCENT: '0', NODE_EXTRA_CA_CERTS: caFile },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let running = false;
  createInterface({ input: child.stderr! }).on('line', (l) => {
    if (l.includes('"siteward running"')) running = true;
  });
  await until(() => running, 60_000, 'siteward running', 20);
  await sleep(Number(process.env.WATCH_S ?? 30) * 1000);
  const rss = rssOf(child.pid!).rss;
  const map = memoryMap(child.pid!);
  child.kill('SIGUSR2');
  // the snapshot is written synchronously: done when its size stops changing
  let last = -1;
  await until(
    () => {
      const f = readdirSync(t.dir).find((n) => n.endsWith('.heapsnapshot'));
      if (!f) return false;
      const size = statSync(join(t.dir, f)).size;
      const done = size > 0 && size === last;
      last = size;
      return done;
    },
    300_000,
    'the heap snapshot',
    1000,
  );
  const file = readdirSync(t.dir).find((n) => n.endsWith('.heapsnapshot'))!;
  const heap = heapGroups(join(t.dir, file));
  const shapes = objectShapes(join(t.dir, file), checks / 2);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  t.cleanup();
  return { checks, rss, map, heap, shapes };
}

function printHeap(r: HeapReport): void {
  console.log(`\n## ${r.checks.toLocaleString('en')} checks: RSS ${MB(r.rss)}, V8 heap (live objects in the snapshot) ${MB(r.heap.total)}`);
  console.log('\nmemory map (RSS by mapping):');
  for (const g of r.map.slice(0, 12)) console.log(`  ${MB(g.rss).padStart(9)}  ${g.key}`);
  console.log('\nheap by constructor (self size):');
  for (const g of r.heap.groups.slice(0, 30)) console.log(`  ${MB(g.bytes).padStart(9)}  ${String(g.count).padStart(8)}  ${g.key}`);
  console.log(`\nplain objects and arrays by shape (at least one per two checks):`);
  for (const g of r.shapes.slice(0, 30)) console.log(`  ${MB(g.bytes).padStart(9)}  ${String(g.count).padStart(8)}  ${g.shape}`);
}

if (mode === 'heap') {
  const sizes = rest.map(Number);
  const servers = await startServers();
  const reports: HeapReport[] = [];
  for (const n of sizes) {
    const r = await heapOf(n, servers.tls, servers.caFile);
    reports.push(r);
    printHeap(r);
  }
  await servers.close();
  if (reports.length === 2) {
    const [a, b] = reports;
    const added = b.checks - a.checks;
    const before = new Map(a.heap.groups.map((g) => [g.key, g]));
    const deltas = b.heap.groups
      .map((g) => ({ key: g.key, bytes: g.bytes - (before.get(g.key)?.bytes ?? 0), count: g.count - (before.get(g.key)?.count ?? 0) }))
      .sort((x, y) => y.bytes - x.bytes);
    console.log(`\n## per check (${b.checks} − ${a.checks}): RSS ${KB((b.rss - a.rss) / added)}, V8 heap ${KB((b.heap.total - a.heap.total) / added)}`);
    for (const d of deltas.slice(0, 30)) console.log(`  ${KB(d.bytes / added).padStart(10)}  ${(d.count / added).toFixed(2).padStart(7)} objects  ${d.key}`);
    const mapBefore = new Map(a.map.map((g) => [g.key, g.rss]));
    console.log('\n  memory map growth per check:');
    for (const g of b.map.slice(0, 8)) console.log(`  ${KB((g.rss - (mapBefore.get(g.key) ?? 0)) / added).padStart(10)}  ${g.key}`);
  }
} else if (mode === 'cpu') {
  interface Node {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }
  const prof = JSON.parse(readFileSync(rest[0], 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((x, y) => x + y, 0);
  const fn = new Map<string, number>();
  const mod = new Map<string, number>();
  for (const [id, us] of self) {
    const c = byId.get(id)!.callFrame;
    const file = c.url.replace(/^file:\/\//, '').replace(`${ROOT}/`, '');
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? (file.startsWith('node:') ? 'node internals' : file || '(vm)');
    const k = `${c.functionName || '(anonymous)'}  ${file.split('/').slice(-2).join('/')}:${c.lineNumber + 1}`;
    fn.set(k, (fn.get(k) ?? 0) + us);
    mod.set(m, (mod.get(m) ?? 0) + us);
  }
  const pct = (us: number): string => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
  console.log(`${(total / 1e6).toFixed(2)} s sampled\n\nby module / file:`);
  for (const [k, us] of [...mod].sort((x, y) => y[1] - x[1]).slice(0, 25)) console.log(`  ${pct(us)}  ${k}`);
  console.log('\nby function (self):');
  for (const [k, us] of [...fn].sort((x, y) => y[1] - x[1]).slice(0, 40)) console.log(`  ${pct(us)}  ${k}`);
} else {
  console.error('usage: bench/profile.ts heap N [N2] | cpu FILE.cpuprofile');
  process.exit(2);
}
