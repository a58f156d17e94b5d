/**
 * Failover (issue 23, docs/ha.md, docs/performance.md): three real siteward
 * processes in one zone (heartbeat 10 s, 3 misses: the defaults), each on a
 * different server of a real 3-node NATS cluster, 30 TCP checks every 2 s
 * and one probe check, all notifying a real webhook receiver. Node c (the
 * probe's owner) is
 *   - killed (kill -9): the broker sees the connection drop and publishes its
 *     last will, the others take its checks at once;
 *   - frozen (SIGSTOP: a hung process or a cut network, the connection stays
 *     open): the others take its checks once its heartbeats are missed.
 * At that moment the probe's server goes down, so the probe's FAIL can only
 * be noticed and notified by the node that takes the probe over.
 * Figures, medians of ROUNDS (3) rounds each:
 * - checks: from the kill/stop to the last of c's checks having run on
 *   another node (each node's run history says who ran what);
 * - notifications: from the kill/stop to the probe's FAIL notification
 *   arriving at the receiver from another node.
 * Run: npm run build && node --import tsx bench/failover.ts
 * (or `npm run bench -- failover`)
 */
import { startReceiver } from '../test/servers/http-receiver.ts';
import { freePort } from '../test/servers/common.ts';
import { runsSince, tcpListener, zoneProcs } from '../test/zone/procs.ts';
import type { Proc } from '../test/federation/procs.ts';
import { rendezvous } from '../src/zone/hrw.ts';
import { zoneKeepalive } from '../src/zone/config.ts';
import { emit, figure, median, note, round, sleep, until } from './lib/report.ts';

const HEARTBEAT = Number(process.env.HEARTBEAT ?? 10);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const NODES = ['a', 'b', 'c'];
/** the probe: a check name c wins (rendezvous over a, b, c) */
const PROBE = Array.from({ length: 100 }, (_, i) => `probe ${i}`).find((n) => rendezvous(n, NODES) === 'c')!;
const CHECKS = [...Array.from({ length: Number(process.env.CHECKS ?? 30) }, (_, i) => `svc ${i}`), PROBE];
const INTERVAL = 2;
/** MODES=stop (or kill): only those rounds */
const MODES = (process.env.MODES ?? 'kill,stop').split(',').filter((m): m is 'kill' | 'stop' => m === 'kill' || m === 'stop');

/** first run time (ms) of each check at or after `since` in this node's history */
const firstRuns = (p: Proc, since: number): Map<string, number> => new Map([...runsSince(p, since)].map(([c, r]) => [c, r.first]));

const tcp = await tcpListener();
const probePort = await freePort();
let probe: Awaited<ReturnType<typeof tcpListener>> | null = await tcpListener(probePort);
const hook = await startReceiver();
hook.fallback = { status: 200 };
/**
 * The probe's notifications in `state` that arrived at or after `since` (ms).
 * Any after c was killed or frozen come from another node: c cannot send,
 * and the probe's server went down after c stopped. (Not told by the path:
 * config replication gives every node the same action URL, whichever wins.)
 */
const probeNotices = (state: string, since: number): number[] =>
  hook.requests
    .filter((q) => q.at >= since)
    .filter((q) => {
      const b = JSON.parse(q.body) as { check: { name: string; state: string } };
      return b.check.name === PROBE && b.check.state === state;
    })
    .map((q) => q.at);

const checks = Object.fromEntries(
  CHECKS.map((n) => [
    n,
    {
      type: 'tcp',
      threshold: 1,
      trigger: { interval: { seconds: INTERVAL } },
      options: { hostname: '127.0.0.1', port: n === PROBE ? probePort : tcp.port, timeout: 2 },
      actions: n === PROBE ? ['hook'] : [],
    },
  ]),
);
const zone = await zoneProcs('fo', NODES, (port, node) => ({
  zone: { name: 'bench', heartbeat: HEARTBEAT, misses: 3, grace: 2 * HEARTBEAT },
  mqtt: { hostname: '127.0.0.1', port, statustopic: null },
  notifications: { stormLimit: 0 },
  actions: { hook: { type: 'webhook', options: { url: `${hook.url}/hook/${node}`, timeout: 5 } } },
  checks,
}));
for (const n of NODES) await zone.start(n);
const procs = (): Proc[] => NODES.map((n) => zone.get(n));
const results: Record<'kill' | 'stop', { checks: number[]; notify: number[] }> = { kill: { checks: [], notify: [] }, stop: { checks: [], notify: [] } };
try {
  /** who runs each check over the last `ms` (checks run by exactly one node) */
  const owners = (ms: number, live: Proc[]): Map<string, string> | null => {
    const since = Date.now() - ms;
    const by = new Map<string, string[]>();
    for (const p of live) for (const [c] of firstRuns(p, since)) by.set(c, [...(by.get(c) ?? []), p.name]);
    return CHECKS.every((c) => by.get(c)?.length === 1) ? new Map(CHECKS.map((c) => [c, by.get(c)![0]])) : null;
  };
  let steady: Map<string, string> | null = null;
  const settle = async (live: Proc[]): Promise<Map<string, string>> => {
    // c back in charge of its share (the probe) after its cold-start grace, and one owner per check
    await until(
      () => (steady = owners(3 * INTERVAL * 1000, live)) !== null && steady.get(PROBE) === zone.get('c').name,
      10 * HEARTBEAT * 1000 + 60_000,
      'one owner per check, the probe on c',
      500,
    );
    return steady!;
  };
  for (let round_ = 1; round_ <= ROUNDS; round_++) {
    for (const mode of MODES) {
      const first = await settle(procs());
      const victim = zone.get('c');
      const share = CHECKS.filter((c) => first.get(c) === victim.name);
      const others = procs().filter((p) => p !== victim);
      const at = Date.now();
      if (mode === 'kill') await victim.kill();
      else victim.proc.kill('SIGSTOP');
      await probe!.close(); // after the victim is gone: only a survivor can see it
      probe = null;
      let ran: number | null = null;
      let told: number | null = null;
      await until(
        () => {
          if (ran === null) {
            const seen = others.map((p) => firstRuns(p, at));
            const each = share.map((c) => Math.min(...seen.map((r) => r.get(c) ?? Infinity)));
            if (each.every(Number.isFinite)) ran = Math.max(...each);
          }
          told ??= probeNotices('FAIL', at)[0] ?? null;
          return ran !== null && told !== null;
        },
        5 * HEARTBEAT * 1000 + 60_000,
        'the share running elsewhere and the probe notified',
        200,
      ).catch(() => undefined);
      if (ran !== null) results[mode].checks.push((ran - at) / 1000);
      if (told !== null) results[mode].notify.push((told - at) / 1000);
      note(
        `round ${round_} ${mode}: c owned ${share.length} of ${CHECKS.length} checks; running elsewhere after ${ran === null ? 'not within the bound' : `${(ran - at) / 1000} s`}, notified after ${told === null ? 'not within the bound' : `${(told - at) / 1000} s`}`,
      );
      // the probe's server back (its PASS notified by the survivor), then c back (a new process in its place)
      const back = Date.now();
      probe = await tcpListener(probePort);
      await until(() => probeNotices('PASS', back).length > 0, 60_000, 'the probe back to PASS', 200).catch(() => note('the probe PASS was not notified'));
      if (mode === 'stop') victim.proc.kill('SIGCONT');
      await zone.start('c');
      await sleep(1000);
    }
  }
} finally {
  await zone.close();
  await hook.close();
  await tcp.close();
  await probe?.close();
}
const med = (xs: number[]): number | null => (xs.length === ROUNDS ? round(median(xs), 1) : null);
const fig = (key: string, what: string, xs: number[]) =>
  figure({ key, figure: `${what} (median of ${ROUNDS})`, target: '< 30 s', value: med(xs), unit: 's', better: 'lower', limit: 30 });
emit(
  'failover',
  [
    fig('failover_kill', `failover, kill -9: dead node's checks running elsewhere (heartbeat ${HEARTBEAT} s)`, results.kill.checks),
    fig('failover_kill_notify', `failover, kill -9: its notifications resumed by another node`, results.kill.notify),
    fig(
      'failover_hang',
      `failover, SIGSTOP: hung node's checks running elsewhere (heartbeat ${HEARTBEAT} s, zone keepalive ${zoneKeepalive(HEARTBEAT)} s)`,
      results.stop.checks,
    ),
    fig('failover_hang_notify', `failover, SIGSTOP: its notifications resumed by another node`, results.stop.notify),
  ],
  { heartbeat: HEARTBEAT, misses: 3, checks: CHECKS.length, intervalSeconds: INTERVAL, rounds: ROUNDS, samples: results },
);
