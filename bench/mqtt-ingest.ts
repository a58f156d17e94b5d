/**
 * Remote updates ingested through a real Mosquitto: 100,000 QoS 1 state
 * messages for 1,000 remote checks are queued by the broker for siteward's
 * persistent session while it is away, then siteward starts and drains them
 * (federation receiver → decode → Site.applyRemote → SQLite commit → bus).
 * Rate = messages applied / time from the first to the last. Measures the
 * subscriber, not the publisher. Run: node --import tsx bench/mqtt-ingest.ts
 */
import mqtt from 'mqtt';
import { performance } from 'node:perf_hooks';
import { startMosquitto } from '../test/servers/mosquitto.ts';
import { tempDir } from '../test/servers/common.ts';
import { emit, figure, median, note, round, until } from './lib/report.ts';
import { openBenchSite } from './lib/site.ts';
import { payload, remoteSite } from './lib/mqtt.ts';

const MESSAGES = Number(process.env.MESSAGES ?? 100_000);
const CHECKS = Number(process.env.REMOTE_CHECKS ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);

// no queue limit: the whole backlog waits for siteward; errors only (logging each PUBLISH costs the broker)
const broker = await startMosquitto({ logType: 'error', extraConfig: ['max_queued_messages 0'] });
const url = `mqtt://127.0.0.1:${broker.port}`;
const t = tempDir('sw-bench-mq-');
const doc = remoteSite({ port: broker.port, basetopic: 'peer/#', clientid: 'bench-ingest', checks: CHECKS });
const { writeFileSync } = await import('node:fs');
writeFileSync(`${t.dir}/site.json`, JSON.stringify(doc));

/** One siteward session: start, wait until subscribed and idle, return the site. */
async function session(): Promise<Awaited<ReturnType<typeof openBenchSite>>> {
  const b = await openBenchSite(doc, { dir: t.dir, federation: true });
  const federation = b.site.federation;
  await until(() => federation.connected, 10_000, 'siteward connected');
  return b;
}

// the first session creates the persistent subscription
await (await session()).close();
const pub = await mqtt.connectAsync(url, { clientId: 'bench-pub' });
const rates: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const base = r * MESSAGES;
  const p0 = performance.now();
  // in slices: mqtt.js slows down badly with 100,000 unacknowledged messages outstanding
  for (let k = 0; k < MESSAGES; k += 1000) {
    const sends: Promise<unknown>[] = [];
    for (let j = k; j < Math.min(MESSAGES, k + 1000); j++) {
      const m = payload(base + j, CHECKS);
      sends.push(pub.publishAsync(m.topic, m.payload, { qos: 1 }));
    }
    await Promise.all(sends);
  }
  note(`round ${r + 1}: ${MESSAGES} queued at the broker in ${Math.round(performance.now() - p0)} ms`);
  let applied = 0;
  let first = 0;
  let last = 0;
  const b = await openBenchSite(doc, { dir: t.dir, federation: true, start: false });
  const federation = b.site.federation;
  b.site.bus.on('state', () => {
    const now = performance.now();
    if (applied++ === 0) first = now;
    last = now;
  });
  await b.site.start();
  await until(() => applied >= MESSAGES, 120_000, `${MESSAGES} messages applied`, 50);
  const rate = (applied - 1) / ((last - first) / 1000);
  rates.push(rate);
  const stats = federation.snapshot();
  note(
    `round ${r + 1}: ${applied} applied in ${Math.round(last - first)} ms = ${Math.round(rate)}/s (received ${stats?.received}, rejected ${stats?.rejectedTotal})`,
  );
  await b.close();
}
await pub.endAsync();
await broker.close();
t.cleanup();

emit(
  'mqtt-ingest',
  [
    figure({
      key: 'mqtt_ingest',
      figure: 'MQTT remote updates ingested through Mosquitto',
      target: '≥ 20,000/s',
      value: Math.round(median(rates)),
      unit: 'msg/s',
      better: 'higher',
      limit: 20_000,
    }),
  ],
  { messages: MESSAGES, remoteChecks: CHECKS, qos: 1, rounds: rates.map((x) => round(x, 0)) },
);
