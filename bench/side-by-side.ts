/**
 * siteward beside the real fletchck (issue 20): the same generated sites run
 * in both programs, back to back, ROUNDS times (default 3); each figure is
 * the median. Needs FLETCHCK_SRC (a fletchck source tree) and Debian's
 * python3-tornado, -passlib, -apscheduler, -cryptography, -paramiko,
 * -argon2, -paho-mqtt, -dateutil, -dnspython and -psutil; `npm run build`.
 *
 * Scenarios, each run first in fletchck, then in siteward:
 * - sites of 1,000 and 10,000 checks in fletchck's format (a file both
 *   load unchanged): 40 % verified TLS `cert` checks against a local TLS
 *   server (its CA trusted through SSL_CERT_FILE / NODE_EXTRA_CA_CERTS), 60 %
 *   disk/memory/cpu, a quarter on cron, a tenth with a dependency, one
 *   sequence per 100 checks, the shipped 5 s jitter. Spawn → "running" line,
 *   then resident memory every 250 ms for WATCH_S (60) seconds: the peak
 *   (VmHWM) and the RSS at the end.
 * - MQTT ingest: 1,000 remote checks; 20,000 QoS 1 messages queued by a real
 *   Mosquitto for the program's persistent session while it is stopped,
 *   each one a transition (check r<k % 1000> alternates PASS and FAIL), then
 *   drained at start. Rate = transitions logged from the first to the last;
 *   memory = the highest RSS sampled while draining.
 *
 * Run: FLETCHCK_SRC=/path/to/fletchck npm run bench   (or node --import tsx bench/side-by-side.ts)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import mqtt from 'mqtt';
import { emit, figure, median, note, round, sleep, until } from './lib/report.ts';
import { cpuMsOf, startServers } from './lib/proc.ts';
import { fletchckPath, startProgram, writeNutStub, type ProgramName, type ProgramSetup, type Running } from './lib/contenders.ts';
import { generateSite, localMix, type CheckSpec } from './gen-site.ts';
import { remoteSite } from './lib/mqtt.ts';
import { startMosquitto } from '../test/servers/mosquitto.ts';
import { tempDir } from '../test/servers/common.ts';
import { statePayload, transitionPayload } from './lib/remote-state.ts';

const SRC = process.env.FLETCHCK_SRC;
if (!SRC) throw new Error('FLETCHCK_SRC must name a fletchck source tree (e.g. git archive of github.com/ndf-zz/fletchck)');
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const WATCH_S = Number(process.env.WATCH_S ?? 60);
const SMALL = Number(process.env.SMALL_CHECKS ?? 1000);
const LARGE = Number(process.env.CHECKS ?? 10_000);
const MESSAGES = Number(process.env.MESSAGES ?? 20_000);
const REMOTE = Number(process.env.REMOTE_CHECKS ?? 1000);
// for profiling one side or one scenario: SIDE_PROGRAMS=siteward SIDE_ONLY=ingest
const PROGRAMS = (process.env.SIDE_PROGRAMS ?? 'fletchck,siteward').split(',') as ProgramName[];
const ONLY = new Set((process.env.SIDE_ONLY ?? 'small,large,ingest').split(','));

const stub = tempDir('sw-bench-nut2-');
writeNutStub(stub.dir);
const servers = await startServers();
const setup: ProgramSetup = {
  fletchckPath: fletchckPath(SRC),
  stubDir: stub.dir,
  python: process.env.FLETCHCK_PYTHON ?? '/usr/bin/python3',
  caFile: servers.caFile,
  nodeArgs: process.env.SITEWARD_NODE_ARGS?.split(' ').filter(Boolean),
};

/** 40 % verified TLS certificate checks, 60 % local: a type mix both programs have. */
const tlsMix = (i: number): CheckSpec => (i % 5 < 2 ? { type: 'cert', options: { hostname: 'localhost', port: servers.tls } } : localMix(i));

const mb = (b: number): number => round(b / 1e6, 1);

interface SiteRun {
  startMs: number;
  startCpuMs: number;
  rssAtStartMB: number;
  rssEndMB: number;
  peakMB: number;
  /** the RSS at the end split: private memory (RssAnon) and mapped files (RssFile: the binary, libraries) */
  anonEndMB: number;
  fileEndMB: number;
  transitions: number;
  stop: string;
}

/** One program on a fresh copy of a generated site, watched for WATCH_S seconds. */
async function runSite(name: ProgramName, checks: number): Promise<SiteRun> {
  const t = tempDir(`sw-bench-sbs-${name}-`);
  const path = join(t.dir, 'site.json');
  writeFileSync(path, JSON.stringify(generateSite(checks, { checkType: tlsMix, jitter: 5 }), null, 1));
  const p = startProgram(name, path, t.dir, setup);
  try {
    const startMs = await withTimeout(p.ready, 120_000, `${name} running`);
    const rssAtStart = p.rss().rss;
    const end = performance.now() + WATCH_S * 1000;
    while (performance.now() < end) await sleep(250);
    const { rss, peak, anon, file } = p.rss();
    const r = {
      startMs: Math.round(startMs),
      startCpuMs: p.readyCpuMs,
      rssAtStartMB: mb(rssAtStart),
      rssEndMB: mb(rss),
      peakMB: mb(peak),
      anonEndMB: mb(anon),
      fileEndMB: mb(file),
      transitions: p.transitions.count,
      stop: '',
    };
    r.stop = (await p.stop()).signalled;
    return r;
  } finally {
    await p.stop(2000);
    t.cleanup();
  }
}

interface IngestRun {
  rate: number;
  transitions: number;
  drainMs: number;
  rssPeakMB: number;
  rssBeforeMB: number;
  /** the highest private memory (RssAnon) sampled while draining */
  anonPeakMB: number;
  startMs: number;
  /** CPU time of the program from "running" to the last transition (on a loaded machine steadier than the rate), and per transition */
  drainCpuMs: number;
  cpuUsPerTransition: number;
}

async function runIngest(name: ProgramName): Promise<IngestRun> {
  const broker = await startMosquitto({ logType: 'error', extraConfig: ['max_queued_messages 0'] });
  const t = tempDir(`sw-bench-sbs-mq-${name}-`);
  const path = join(t.dir, 'site.json');
  const doc = remoteSite({ port: broker.port, basetopic: 'peer/#', clientid: `bench-sbs-${name}`, checks: REMOTE });
  // SITEWARD_MQTT_PROTOCOL=5: siteward connects with MQTT 5 (`mqtt.protocol`); Mosquitto's 20-message window (max_inflight_messages) is for 3.1.1 clients
  if (name === 'siteward' && process.env.SITEWARD_MQTT_PROTOCOL) (doc.mqtt as Record<string, unknown>).protocol = process.env.SITEWARD_MQTT_PROTOCOL;
  // a probe check outside the measured ones shows that the subscription is in place
  (doc.checks as Record<string, unknown>).probe = { type: 'remote', subType: 'tcp', trigger: null };
  writeFileSync(path, JSON.stringify(doc, null, 1));
  const pub = await mqtt.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: `bench-sbs-pub-${name}` });
  let p: Running | null = null;
  try {
    // 1. the first start creates the persistent session and its subscription
    p = startProgram(name, path, t.dir, setup);
    await withTimeout(p.ready, 60_000, `${name} running`);
    const probe = statePayload('probe', false, 0);
    await until(
      () => {
        if (p!.transitions.count === 0) void pub.publishAsync(probe.topic, probe.payload, { qos: 1 });
        return p!.transitions.count > 0;
      },
      60_000,
      `${name} subscribed`,
      500,
    );
    await p.stop();
    // 2. the backlog waits at the broker
    for (let k = 0; k < MESSAGES; k += 1000) {
      const sends: Promise<unknown>[] = [];
      for (let j = k; j < Math.min(MESSAGES, k + 1000); j++) {
        const m = transitionPayload(j, REMOTE);
        sends.push(pub.publishAsync(m.topic, m.payload, { qos: 1 }));
      }
      await Promise.all(sends);
    }
    // 3. the program comes back and drains it
    p = startProgram(name, path, t.dir, setup);
    const startMs = await withTimeout(p.ready, 60_000, `${name} running`);
    const rssBefore = p.rss().rss;
    let rssPeak = rssBefore;
    let anonPeak = p.rss().anon;
    const tr = p.transitions;
    const end = performance.now() + 300_000;
    while (tr.count < MESSAGES && performance.now() < end && p.child.exitCode === null) {
      const now = p.rss();
      rssPeak = Math.max(rssPeak, now.rss);
      anonPeak = Math.max(anonPeak, now.anon);
      await sleep(100);
    }
    rssPeak = Math.max(rssPeak, p.rss().rss);
    const drainCpuMs = cpuMsOf(p.child.pid!) - p.readyCpuMs;
    if (tr.count < MESSAGES) note(`${name}: only ${tr.count} of ${MESSAGES} transitions logged\n${p.tail()}`);
    const drainMs = tr.last - tr.first;
    return {
      rate: Math.round((tr.count - 1) / (drainMs / 1000)),
      transitions: tr.count,
      drainMs: Math.round(drainMs),
      rssPeakMB: mb(rssPeak),
      rssBeforeMB: mb(rssBefore),
      anonPeakMB: mb(anonPeak),
      startMs: Math.round(startMs),
      drainCpuMs,
      cpuUsPerTransition: round((drainCpuMs * 1000) / Math.max(1, tr.count), 1),
    };
  } finally {
    await p?.stop(3000);
    await pub.endAsync();
    await broker.close();
    t.cleanup();
  }
}

async function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<T>((_, rej) => (timer = setTimeout(() => rej(new Error(`timed out waiting for ${what}`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

type Round = Record<ProgramName, { small: SiteRun; large: SiteRun; ingest: IngestRun }>;
const rounds: Round[] = [];
const siteNote = (r: number, n: ProgramName, checks: number, x: SiteRun): void =>
  note(
    `round ${r} ${n} ${checks} checks: start ${x.startMs} ms (${x.startCpuMs} ms CPU), RSS at start ${x.rssAtStartMB} MB, after ${WATCH_S} s ${x.rssEndMB} MB (${x.anonEndMB} MB private, ${x.fileEndMB} MB mapped files), peak ${x.peakMB} MB, ${x.transitions} transitions (stopped by ${x.stop})`,
  );
for (let r = 1; r <= ROUNDS; r++) {
  const round = Object.fromEntries(PROGRAMS.map((n) => [n, {}])) as Round;
  // back to back: each scenario in fletchck, then at once in siteward
  if (ONLY.has('small')) {
    for (const n of PROGRAMS) siteNote(r, n, SMALL, (round[n].small = await runSite(n, SMALL)));
  }
  if (ONLY.has('large')) {
    for (const n of PROGRAMS) siteNote(r, n, LARGE, (round[n].large = await runSite(n, LARGE)));
  }
  if (ONLY.has('ingest')) {
    for (const n of PROGRAMS) {
      const x = (round[n].ingest = await runIngest(n));
      note(
        `round ${r} ${n} ingest: ${x.transitions} transitions in ${x.drainMs} ms = ${x.rate}/s; RSS ${x.rssBeforeMB} MB before, peak ${x.rssPeakMB} MB while draining (private peak ${x.anonPeakMB} MB); ${x.drainCpuMs} ms CPU after "running" (${x.cpuUsPerTransition} µs a transition)`,
      );
    }
  }
  rounds.push(round);
}
await servers.close();
stub.cleanup();
if (PROGRAMS.length !== 2 || ONLY.size !== 3) {
  // a partial run (profiling): the notes above are the result
  emit('side-by-side', [], { partial: true, raw: rounds });
  process.exit(0);
}

const med = (n: ProgramName, f: (r: Round[ProgramName]) => number): number => median(rounds.map((r) => f(r[n])));
const n1 = SMALL.toLocaleString('en');
const n10 = LARGE.toLocaleString('en');
type Side = Round[ProgramName];
/**
 * The figures, one line each: key, label, unit, the value in either program,
 * and the goal on siteward's value — a limit (below it for 'lower', at least
 * it for 'higher') and, where the goal names fletchck, a factor of
 * fletchck's value that siteward must also meet (≤ 1× of it, ≥ 10× of it).
 * No goal: reported only.
 */
const ROWS: Array<
  [key: string, figure: string, unit: 'MB' | 'ms' | 'msg/s', get: (x: Side) => number, goal?: { text: string; limit: number; vsFletchck?: number }]
> = [
  ['peak_rss_small', `peak RSS, ${n1} checks`, 'MB', (x) => x.small.peakMB, { text: '≤ fletchck (< 60 MB)', limit: 60, vsFletchck: 1 }],
  ['rss_60s_small', `RSS after ${WATCH_S} s, ${n1} checks`, 'MB', (x) => x.small.rssEndMB, { text: '< 50 MB', limit: 50 }],
  ['rss_60s_large', `RSS after ${WATCH_S} s, ${n10} checks (40 % TLS, running)`, 'MB', (x) => x.large.rssEndMB, { text: '< 100 MB', limit: 100 }],
  ['start_small', `start to scheduled, ${n1} checks`, 'ms', (x) => x.small.startMs, { text: '< 500 ms', limit: 500 }],
  [
    'ingest',
    `MQTT ingest, ${MESSAGES.toLocaleString('en')} messages that each change state`,
    'msg/s',
    (x) => x.ingest.rate,
    { text: '≥ 20,000 msg/s (≥ 10× fletchck)', limit: 20_000, vsFletchck: 10 },
  ],
  [
    'ingest_rss',
    `memory while ingesting (${REMOTE.toLocaleString('en')} remote checks, peak RSS)`,
    'MB',
    (x) => x.ingest.rssPeakMB,
    { text: '< 60 MB', limit: 60 },
  ],
  // no goal: steadier than wall time on a loaded machine, and the large site's start
  ['start_cpu_small', `CPU time to scheduled, ${n1} checks`, 'ms', (x) => x.small.startCpuMs],
  ['start_large', `start to scheduled, ${n10} checks`, 'ms', (x) => x.large.startMs],
  // the RSS above split: the process's private memory; the rest is mapped files (the interpreter's binary and libraries, shared and reclaimable)
  ['anon_60s_small', `private memory (RssAnon) after ${WATCH_S} s, ${n1} checks`, 'MB', (x) => x.small.anonEndMB],
  ['anon_60s_large', `private memory (RssAnon) after ${WATCH_S} s, ${n10} checks`, 'MB', (x) => x.large.anonEndMB],
  ['ingest_anon', 'private memory (RssAnon) while ingesting, peak', 'MB', (x) => x.ingest.anonPeakMB],
];
const rows = ROWS.map(([key, label, unit, get, goal]) => {
  const better = unit === 'msg/s' ? ('higher' as const) : ('lower' as const);
  const fl = med('fletchck', get);
  const sw = med('siteward', get);
  const meets = (g: NonNullable<typeof goal>): boolean => {
    const vs = g.vsFletchck === undefined ? null : g.vsFletchck * fl;
    return better === 'lower' ? sw < g.limit && (vs === null || sw <= vs) : sw >= g.limit && (vs === null || sw >= vs);
  };
  return {
    figure: figure({ key, figure: label, target: goal?.text ?? 'report', value: sw, unit, better, limit: goal?.limit ?? null }),
    table: {
      key,
      figure: label,
      unit,
      goal: goal?.text ?? 'report',
      fletchck: fl,
      siteward: sw,
      ratio: round(sw / fl, 2),
      verdict: goal ? (meets(goal) ? 'met' : 'missed') : 'report',
      values: { fletchck: rounds.map((x) => get(x.fletchck)), siteward: rounds.map((x) => get(x.siteward)) },
    },
  };
});
/** The medians of every recorded value of a site run or an ingest, per program (the JSON's details). */
const SITE_FIELDS = ['startMs', 'startCpuMs', 'rssAtStartMB', 'rssEndMB', 'peakMB', 'anonEndMB', 'fileEndMB'] as const;
const INGEST_FIELDS = ['rate', 'rssBeforeMB', 'rssPeakMB', 'anonPeakMB'] as const;
const medians = (n: ProgramName) => ({
  small: Object.fromEntries(SITE_FIELDS.map((k) => [k, med(n, (x) => x.small[k])])),
  large: Object.fromEntries(SITE_FIELDS.map((k) => [k, med(n, (x) => x.large[k])])),
  ingest: Object.fromEntries(INGEST_FIELDS.map((k) => [k, med(n, (x) => x.ingest[k])])),
});
emit(
  'side-by-side',
  rows.map((r) => r.figure),
  { rounds: ROUNDS, watchS: WATCH_S, table: rows.map((r) => r.table), medians: Object.fromEntries(PROGRAMS.map((n) => [n, medians(n)])), raw: rounds },
);
