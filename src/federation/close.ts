/**
 * Closing an MQTT client in bounded time (the federation, the zone, the
 * fleet watcher): a stop never waits on a broker that is gone or silent.
 */
import type { MqttClient } from 'mqtt';
/** How long a stop waits for the broker (the last status, the DISCONNECT) before closing the socket. */
export const STOP_GRACE_MS = 3000;

/** `p`, or a rejection after `ms` (the timer never outlives the race). */
export async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<T>((_, reject) => (t = setTimeout(() => reject(new Error('timeout')), ms)))]);
  } finally {
    clearTimeout(t);
  }
}

/**
 * Ends a client in bounded time: publishes `last` (a retained "down"
 * status) if connected, then a graceful DISCONNECT (the broker does not
 * publish the will), and closes the socket if either does not finish within
 * STOP_GRACE_MS. A broker that accepts the connection but never
 * acknowledges (a NATS server whose JetStream lost its leader) would
 * otherwise hold `end()` forever: mqtt.js waits for in-flight QoS 1 messages.
 */
export async function closeClient(c: MqttClient, last?: { topic: string; payload: Buffer }): Promise<void> {
  if (c.connected && last) await withTimeout(c.publishAsync(last.topic, last.payload, { qos: 1, retain: true }), STOP_GRACE_MS).catch(() => undefined);
  const ended =
    c.connected &&
    (await withTimeout(c.endAsync(false), STOP_GRACE_MS).then(
      () => true,
      () => false,
    ));
  if (!ended) await c.endAsync(true).catch(() => undefined);
}
