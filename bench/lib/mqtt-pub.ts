/**
 * Child process: an MQTT peer publishing fletchck state messages at a fixed
 * rate. argv: broker url, messages/s, seconds, number of remote checks.
 * Message k goes to check r<k % checks> with log `seq k`; its send time
 * (ms, performance.timeOrigin + now: comparable across processes) is kept.
 * Prints one JSON line `{ "sent": [t0, t1, …] }` indexed by k, then exits.
 */
import mqtt from 'mqtt';
import { performance } from 'node:perf_hooks';
import { payload } from './mqtt.ts';

const [url, rateArg, secondsArg, checksArg] = process.argv.slice(2);
const rate = Number(rateArg);
const total = Math.round(rate * Number(secondsArg));
const checks = Number(checksArg);
const clock = (): number => performance.timeOrigin + performance.now();

const client = await mqtt.connectAsync(url, { clientId: `bench-pub-${process.pid}` });
const sent: number[] = [];
const acks: Promise<unknown>[] = [];
const start = performance.now();
// a 2 ms tick sends every message whose planned time has come (1,000/s = 2 per tick)
await new Promise<void>((done) => {
  const tick = (): void => {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
    while (sent.length < due) {
      const k = sent.length;
      const m = payload(k, checks);
      sent.push(clock());
      acks.push(client.publishAsync(m.topic, m.payload, { qos: 1 }));
    }
    if (sent.length >= total) done();
    else setTimeout(tick, 2);
  };
  tick();
});
await Promise.all(acks);
await client.endAsync();
process.stdout.write(`${JSON.stringify({ sent })}\n`);
