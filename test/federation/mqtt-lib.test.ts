/**
 * Every MQTT client siteward makes passes the lean options (mqtt-lib.ts):
 * mqtt-packet's message-id cache (65,536 two-byte Buffers, ~6 MB of heap for
 * the process's life) is module state, so one client without
 * `writeCache: false` builds it for all (docs/performance.md "Memory while
 * ingesting"). A zone client publishes QoS 1 through a real broker (aedes)
 * and the cache stays empty; then a client without the options builds it,
 * which shows the check can see it. Vitest gives each file its own modules.
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startAedes, type AedesBroker } from '../servers/aedes.ts';
import { loadMqtt } from '../../src/federation/mqtt-lib.ts';
import { zoneClientOptions } from '../../src/zone/link.ts';
import type { Resolved } from '../../src/federation/options.ts';

const fromMqtt = createRequire(createRequire(import.meta.url).resolve('mqtt'));
const numbers = fromMqtt(fromMqtt.resolve('mqtt-packet/numbers')) as { cache: Record<number, Buffer> };
const cached = (): number => Object.keys(numbers.cache).length;

let broker: AedesBroker;
beforeAll(async () => {
  broker = await startAedes();
});
afterAll(() => broker.close());

it('a zone client publishing QoS 1 builds no message-id cache; a client without the lean options does', async () => {
  const lib = await loadMqtt();
  // the fields zoneClientOptions reads of a resolved `mqtt` section
  const m = {
    host: '127.0.0.1',
    port: broker.port,
    tls: false,
    ca: undefined,
    username: undefined,
    password: undefined,
    servers: undefined,
  } as unknown as Resolved;
  const zone = lib.connect(`mqtt://127.0.0.1:${broker.port}`, zoneClientOptions(m, 'lean-zone', 30));
  try {
    await new Promise<void>((resolve, reject) => {
      zone.once('connect', () => resolve());
      zone.once('error', reject);
    });
    await zone.publishAsync('lean/a', 'x', { qos: 1 });
    expect(cached(), 'the lean client built the cache').toBe(0);
  } finally {
    await zone.endAsync(true);
  }
  // the control: mqtt.js's default turns the cache on only if nothing turned it off, so set it as a plain client would
  const plain = await lib.connectAsync(`mqtt://127.0.0.1:${broker.port}`, { clientId: 'plain', writeCache: true });
  try {
    (fromMqtt('mqtt-packet') as { writeToStream: { cacheNumbers: boolean } }).writeToStream.cacheNumbers = true;
    await plain.publishAsync('lean/b', 'x', { qos: 1 });
    expect(cached()).toBe(65_536);
  } finally {
    await plain.endAsync(true);
  }
});
