/**
 * Broker messages/s at steady state (issue 23, docs/fleet.md, docs/ha.md
 * "What a zone publishes"): a real zone of two in-process siteward nodes
 * (the zone defaults: heartbeat 10 s) with the zone service and the views
 * service as the daemon wires them (src/wiring.ts), on a real Mosquitto, CHECKS (10,000) tcp checks every 60 s against
 * a local TCP listener that accepts and closes (all OK: no state changes, so
 * what is counted is the steady-state traffic — heartbeats, refreshes).
 *
 * After every check has run once (the first publish of each state), a
 * client subscribed to the zone's `<topic>/#` counts every message the nodes publish for
 * WINDOW seconds (360: the view refresh period of 300 s plus one
 * interval, so each check's view refresh falls inside it once), by kind:
 * node status, check state (state-sync.ts: one per run), view (state.ts:
 * on change and every 30 heartbeats), other. Mosquitto's `$SYS` counters
 * are read at both ends beside it (in Mosquitto 2.0.11
 * `publish/messages/received` stayed 0; `messages/received` counts every
 * packet, PUBACKs and PINGREQs too, so it is ~3× the PUBLISHes).
 * Figures: messages/s, per check per minute, and 100,000 checks by linear
 * extrapolation of the per-check messages (node statuses do not grow with
 * checks; they are added for 100 nodes, as in the computed figure).
 * Run: node --import tsx bench/broker-rate.ts (or `npm run bench -- broker-rate`)
 */
import mqtt from 'mqtt';
import { loadavg } from 'node:os';
import { startMosquitto } from '../test/servers/mosquitto.ts';
import { tcpListener } from '../test/zone/procs.ts';
import { openZoneNode, type ZoneNode } from '../test/zone/helpers.ts';
import { VantageService } from '../src/zone/vantage-service.ts';
import { emit, figure, note, round, sleep, until } from './lib/report.ts';

const CHECKS = Number(process.env.CHECKS ?? 10_000);
const WINDOW_S = Number(process.env.WINDOW ?? 360);
const INTERVAL_S = 60;
const TOPIC = 'swbench/rate';
const TARGET_CHECKS = 100_000;
/** nodes for the extrapolation's status part: 50 zones of 2, as bench/fleet.ts and the computed figure */
const TARGET_NODES = 100;

const broker = await startMosquitto({ logType: 'error', extraConfig: ['sys_interval 1'] });
const tcp = await tcpListener();
const nodes: ZoneNode[] = [];
const counter = mqtt.connect({ host: '127.0.0.1', port: broker.port, clientId: 'rate-counter', reconnectPeriod: 0 });
try {
  await new Promise<void>((ok, fail) => {
    counter.once('connect', () => ok());
    counter.once('error', fail);
  });
  /** latest value of each mosquitto $SYS counter */
  const sys = new Map<string, number>();
  const counts = { status: 0, state: 0, view: 0, other: 0 };
  const firstState = new Set<string>();
  let counting = false;
  const otherTopics = new Map<string, number>();
  counter.on('message', (topic) => {
    if (topic.startsWith('$SYS/')) return;
    if (!topic.startsWith(`${TOPIC}/`)) return;
    const kind = topic.includes('/state/') ? 'state' : topic.includes('/view/') ? 'view' : topic.includes('/node/') ? 'status' : 'other';
    if (kind === 'state') firstState.add(topic);
    if (!counting) return;
    counts[kind]++;
    if (kind === 'other') {
      const k = topic.split('/').slice(0, 4).join('/');
      otherTopics.set(k, (otherTopics.get(k) ?? 0) + 1);
    }
  });
  counter.on('message', (topic, payload) => {
    if (topic.startsWith('$SYS/')) sys.set(topic.slice('$SYS/broker/'.length), Number(payload.toString()));
  });
  await counter.subscribeAsync([`${TOPIC}/#`, '$SYS/broker/publish/messages/received', '$SYS/broker/messages/received'], { qos: 0 });

  const checks = Object.fromEntries(
    Array.from({ length: CHECKS }, (_, i) => [
      `svc ${i}`,
      { type: 'tcp', trigger: { interval: { seconds: INTERVAL_S } }, options: { hostname: '127.0.0.1', port: tcp.port, timeout: 5 } },
    ]),
  );
  const doc = { zone: { name: 'hq', topic: TOPIC }, checks };
  const t0 = Date.now();
  for (const name of ['a', 'b']) {
    const n = await openZoneNode(name, broker.port, doc);
    nodes.push(n);
    // as src/wiring.ts does for the daemon: the zone's views (docs/ha.md "What a zone publishes"), stopped with the site
    const views = new VantageService({ node: n.zone.node }, n.site);
    n.site.use(views);
    await views.start();
  }
  note(`${CHECKS} checks on 2 nodes, started in ${Date.now() - t0} ms; waiting for every check's first state`);
  await until(() => firstState.size >= CHECKS, 4 * 60_000, `the first state of all ${CHECKS} checks`, 500);
  note(`all first states after ${round((Date.now() - t0) / 1000)} s; counting for ${WINDOW_S} s`);
  await sleep(1500);
  const sys0 = new Map(sys);
  const load0 = loadavg()[0]!;
  counting = true;
  const w0 = Date.now();
  await sleep(WINDOW_S * 1000);
  counting = false;
  const seconds = (Date.now() - w0) / 1000;
  await sleep(1500);
  const sysDelta = Object.fromEntries([...sys].map(([k, v]) => [k, v - (sys0.get(k) ?? Number.NaN)]));
  const load1 = loadavg()[0]!;
  const total = counts.status + counts.state + counts.view + counts.other;
  const rate = total / seconds;
  const statusPerNode = counts.status / seconds / nodes.length;
  // linear in checks: the state part scales with checks, the status part with nodes
  const perCheck = (counts.state + counts.view + counts.other) / seconds / CHECKS;
  const extrapolated = perCheck * TARGET_CHECKS + statusPerNode * TARGET_NODES;
  note(
    `counted ${total} (${JSON.stringify(counts)}) in ${round(seconds)} s; mosquitto counted ${JSON.stringify(sysDelta)}; load ${round(load0)}→${round(load1)}`,
  );
  emit(
    'broker-rate',
    [
      figure({
        key: 'broker_rate',
        figure: `broker messages/s, ${CHECKS.toLocaleString('en')} checks at 60 s, 2 nodes (measured)`,
        target: 'report',
        value: round(rate, 1),
        unit: 'msg/s',
        better: 'lower',
        limit: null,
      }),
      figure({
        key: 'broker_rate_per_check',
        figure: 'broker messages per check per minute (all but node statuses)',
        target: 'report',
        value: round(perCheck * 60, 3),
        unit: 'msg',
        better: 'lower',
        limit: null,
      }),
      figure({
        key: 'broker_rate_100k',
        figure: 'broker messages/s, 100,000 checks at 60 s (linear extrapolation, 100 nodes)',
        target: '≤ 2,000/s',
        value: round(extrapolated, 0),
        unit: 'msg/s',
        better: 'lower',
        limit: 2000,
      }),
    ],
    {
      checks: CHECKS,
      windowSeconds: round(seconds),
      counted: counts,
      other: Object.fromEntries(otherTopics),
      mosquittoReceived: sysDelta,
      statusPerNodePerSecond: round(statusPerNode, 3),
      load: [round(load0), round(load1)],
    },
  );
} finally {
  await Promise.all(nodes.map((n) => n.stop()));
  counter.end(true);
  await tcp.close();
  await broker.close();
}
