/**
 * MQTT publish → peer state latency at 1,000 messages/s: a peer in another
 * process publishes QoS 1 state messages for 1,000 remote checks through a
 * real Mosquitto at a steady 1,000/s for 20 s; siteward (in this process)
 * applies them. Latency = the `state` event of message k minus its publish
 * call in the peer (both on the wall clock). Run: node --import tsx bench/mqtt-latency.ts
 */
import { performance } from 'node:perf_hooks';
import { startMosquitto } from '../test/servers/mosquitto.ts';
import { dist, emit, figure, note, percentile, round, until } from './lib/report.ts';
import { firstJson, machineNoise, spawnTs } from './lib/proc.ts';
import { openBenchSite } from './lib/site.ts';
import { remoteSite, seqOf } from './lib/mqtt.ts';

const RATE = Number(process.env.RATE ?? 1000);
const SECONDS = Number(process.env.SECONDS ?? 20);
const CHECKS = Number(process.env.REMOTE_CHECKS ?? 1000);

const broker = await startMosquitto({ logType: 'error' });
const b = await openBenchSite(remoteSite({ port: broker.port, basetopic: 'peer/#', clientid: 'bench-latency', checks: CHECKS }), {
  federation: true,
  start: false,
});
const federation = b.site.federation;
const seen = new Map<number, number>();
b.site.bus.on('state', ({ state }) => {
  const k = seqOf(state.log);
  if (k !== null && !seen.has(k)) seen.set(k, performance.timeOrigin + performance.now());
});
await b.site.start();
await until(() => federation.connected, 10_000, 'siteward connected');
await new Promise((r) => setTimeout(r, 500)); // subscribed

const noise = machineNoise(SECONDS - 1);
const peer = spawnTs('bench/lib/mqtt-pub.ts', [`mqtt://127.0.0.1:${broker.port}`, String(RATE), String(SECONDS), String(CHECKS)]);
const { sent } = await firstJson<{ sent: number[] }>(peer, (SECONDS + 60) * 1000);
await until(() => seen.size >= sent.length, 10_000, 'every message applied', 20).catch(() => undefined);
await b.close();
await broker.close();

const lat: number[] = [];
let lost = 0;
sent.forEach((t, k) => {
  const at = seen.get(k);
  if (at === undefined) lost++;
  else lat.push(at - t);
});
const d = dist(lat, 2);
note(`${sent.length} published, ${lost} not applied; latency ms ${JSON.stringify(d)}`);
emit(
  'mqtt-latency',
  [
    figure({
      key: 'mqtt_p99',
      figure: `MQTT publish → peer state, p99 at ${RATE.toLocaleString('en')} msg/s`,
      target: '< 100 ms',
      value: round(percentile(lat, 99), 1),
      unit: 'ms',
      better: 'lower',
      limit: 100,
    }),
  ],
  { rate: RATE, seconds: SECONDS, remoteChecks: CHECKS, published: sent.length, lost, latencyMs: d, idleProcessTimerLateMs: await noise },
);
