/**
 * Where a started daemon's resident memory lives, mapping by mapping
 * (/proc/PID/smaps): the 1,000-check site of bench/side-by-side.ts, WATCH_S
 * seconds after "running". Run: node --import tsx bench/smaps-probe.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServers } from './lib/proc.ts';
import { fletchckPath, startProgram, writeNutStub, type ProgramName } from './lib/contenders.ts';
import { generateSite, localMix, type CheckSpec } from './gen-site.ts';
import { tempDir } from '../test/servers/common.ts';
import { sleep } from './lib/report.ts';

const NAME = (process.env.PROGRAM ?? 'siteward') as ProgramName;
const CHECKS = Number(process.env.CHECKS ?? 1000);
const WATCH_S = Number(process.env.WATCH_S ?? 60);
const servers = await startServers();
const stub = tempDir('sw-smaps-nut2-');
writeNutStub(stub.dir);
const tlsMix = (i: number): CheckSpec => (i % 5 < 2 ? { type: 'cert', options: { hostname: 'localhost', port: servers.tls } } : localMix(i));
const t = tempDir('sw-smaps-');
const path = join(t.dir, 'site.json');
writeFileSync(path, JSON.stringify(generateSite(CHECKS, { checkType: tlsMix, jitter: 5 }), null, 1));
const p = startProgram(NAME, path, t.dir, {
  fletchckPath: fletchckPath(process.env.FLETCHCK_SRC ?? '/work/fletchck-src'),
  stubDir: stub.dir,
  python: '/usr/bin/python3',
  caFile: servers.caFile,
  nodeArgs: process.env.SITEWARD_NODE_ARGS?.split(' ').filter(Boolean),
});
await p.ready;
await sleep(WATCH_S * 1000);
const agg = new Map<string, number>();
let cur = '';
for (const line of readFileSync(`/proc/${p.child.pid}/smaps`, 'utf8').split('\n')) {
  const f = line.split(/\s+/);
  if (/^[0-9a-f]+-[0-9a-f]+$/.test(f[0] ?? '')) cur = `${f[5] || '[anon]'} ${f[1]}`;
  else if (f[0] === 'Rss:') agg.set(cur, (agg.get(cur) ?? 0) + Number(f[1]));
}
const rows = [...agg].sort((a, b) => b[1] - a[1]);
for (const [k, v] of rows.slice(0, 14)) console.log(`${(v / 1024).toFixed(1).padStart(7)} MB  ${k}`);
console.log(
  readFileSync(`/proc/${p.child.pid}/status`, 'utf8')
    .split('\n')
    .filter((l) => /^(VmHWM|VmRSS|RssAnon|RssFile)/.test(l))
    .join('\n'),
);
if (process.env.HOLD) await sleep(Number(process.env.HOLD) * 1000);
await p.stop(2000);
t.cleanup();
stub.cleanup();
process.exit(0);
