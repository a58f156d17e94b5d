/**
 * Extra delay for other checks while 1,000 checks hang to their timeout.
 * 1,000 healthy `tcp` checks (cron, each twice a minute at its own second)
 * run against a local server; their delay — planned fire time to committed
 * result — is measured for a window, then 1,000 `tcp` checks against a
 * server that accepts and never answers are added (send + expect, timeout
 * 5 s, every 6 s: they hang 5 s of every 6, and all time out together), and
 * the healthy checks are measured again. Figure: p99 delay with the hangers
 * minus p99 delay without. Run: node --import tsx bench/hang.ts
 */
import { putCheck } from '../src/config/edits.ts';
import { dist, emit, figure, note, percentile, round, sleep } from './lib/report.ts';
import { machineNoise, startServers } from './lib/proc.ts';
import { openBenchSite } from './lib/site.ts';

const HEALTHY = Number(process.env.HEALTHY ?? 1000);
const HANGERS = Number(process.env.HANGERS ?? 1000);
const WINDOW_S = Number(process.env.WINDOW_S ?? 25);
const servers = await startServers();

const checks: Record<string, unknown> = {};
for (let i = 0; i < HEALTHY; i++) {
  const s = i % 60;
  checks[`ok${i}`] = {
    type: 'tcp',
    trigger: { cron: { second: `${Math.min(s, (s + 30) % 60)},${Math.max(s, (s + 30) % 60)}` } },
    options: { hostname: '127.0.0.1', port: servers.tcp },
  };
}
const b = await openBenchSite({ scheduler: { jitter: 0 }, webui: null, checks });
const { site } = b;

let phase: 'warmup' | 'baseline' | 'hanging' = 'warmup';
const planned = new Map<string, number>();
const delays = { baseline: [] as number[], hanging: [] as number[] };
const late = { baseline: [] as number[], hanging: [] as number[] };
let hungRuns = 0;
let hungTimeouts = 0;
site.bus.on('lateness', ({ name, ms }) => {
  if (!name.startsWith('ok')) return;
  planned.set(name, Date.now() - ms);
  if (phase !== 'warmup') late[phase].push(ms);
});
site.bus.on('run', ({ name, state }) => {
  if (name.startsWith('hang')) {
    hungRuns++;
    if (state.log.some((l) => l.includes('TimeoutError'))) hungTimeouts++;
    return;
  }
  const p = planned.get(name);
  planned.delete(name);
  if (p !== undefined && phase !== 'warmup') delays[phase].push(Date.now() - p);
});

await sleep(5000);
phase = 'baseline';
const noiseA = machineNoise(WINDOW_S - 2);
await sleep(WINDOW_S * 1000);
phase = 'warmup';
const added = await site.mutate((doc) => {
  let d = doc;
  for (let i = 0; i < HANGERS; i++) {
    d = putCheck(d, `hang${i}`, {
      type: 'tcp',
      trigger: { interval: { seconds: 6 } },
      options: { hostname: '127.0.0.1', port: servers.silent, send: 'ping\n', expect: 'pong', timeout: 5 },
    });
  }
  return d;
});
if (!added.ok) throw new Error(JSON.stringify(added.issues.slice(0, 3)));
// the hangers start 1 s after they are added, and first time out 5 s later
await sleep(3000);
phase = 'hanging';
const noiseB = machineNoise(WINDOW_S - 2);
await sleep(WINDOW_S * 1000);
phase = 'warmup';
await b.close();
await servers.close();

const p99a = percentile(delays.baseline, 99);
const p99b = percentile(delays.hanging, 99);
note(
  `delay without hangers ${JSON.stringify(dist(delays.baseline))}, with ${JSON.stringify(dist(delays.hanging))}; hung runs ${hungRuns} (${hungTimeouts} timeouts)`,
);
emit(
  'hang',
  [
    figure({
      key: 'hang_extra_p99',
      figure: `extra delay (p99) for other checks while ${HANGERS.toLocaleString('en')} checks hang to their timeout`,
      target: '< 50 ms',
      value: round(p99b - p99a),
      unit: 'ms',
      better: 'lower',
      limit: 50,
    }),
  ],
  {
    healthy: HEALTHY,
    hangers: HANGERS,
    windowS: WINDOW_S,
    delayMs: { baseline: dist(delays.baseline), hanging: dist(delays.hanging) },
    latenessMs: { baseline: dist(late.baseline), hanging: dist(late.hanging) },
    hungRuns,
    hungTimeouts,
    idleProcessTimerLateMs: { baseline: await noiseA, hanging: await noiseB },
  },
);
