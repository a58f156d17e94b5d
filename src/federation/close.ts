/**
 * Closing an MQTT client within a bounded time, whatever the broker does. A
 * stop must never hang (docs/faults.md): mqtt.js's end(false) waits for every
 * unacknowledged QoS 1 message, for ever when the broker is dead or hung
 * (SIGSTOP), and with reconnect on it keeps those messages — their promises
 * never settle — for a reconnect that will not come. So: a polite
 * DISCONNECT when the broker still answers within `graceMs`, else the socket
 * is dropped and what still waits for an acknowledgement fails.
 */
import type { MqttClient } from 'mqtt';

/** How long a stop waits for the broker at each step (the last messages, the DISCONNECT). */
export const STOP_GRACE_MS = 3000;

/** Resolves `p`'s outcome, or 'timeout' after `ms`. */
export async function within<T>(p: Promise<T>, ms: number): Promise<{ ok: true; value: T } | { ok: false; error: unknown } | 'timeout'> {
  let t: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p.then(
        (value) => ({ ok: true as const, value }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
      new Promise<'timeout'>((r) => (t = setTimeout(() => r('timeout'), ms))),
    ]);
  } finally {
    clearTimeout(t);
  }
}

const inflight = (c: MqttClient): number[] => Object.keys(c.outgoing).map(Number);

/**
 * Ends `c` in at most about 2 × `graceMs`: in-flight messages get `graceMs`
 * to be acknowledged, then a DISCONNECT (the broker does not publish the
 * will) gets `graceMs`; past either, the connection is dropped.
 */
export async function closeClient(c: MqttClient, graceMs = STOP_GRACE_MS): Promise<void> {
  if (c.connected && inflight(c).length > 0) {
    await within(new Promise<void>((r) => c.once('outgoingEmpty', () => r())), graceMs);
  }
  if (c.connected && inflight(c).length === 0) {
    const ending = c.endAsync(false);
    if ((await within(ending, graceMs)) !== 'timeout') return;
    // the DISCONNECT went out but the broker never closed the socket
    c.stream.destroy();
    await within(ending, graceMs);
    return;
  }
  // not connected, or messages the broker never acknowledged: fail them (before end() closes the store)
  for (const id of inflight(c)) c.removeOutgoingMessage(id);
  await within(c.endAsync(true), graceMs);
}
