/**
 * Incoming PUBLISH packets, handed to the receiver one at a time and
 * acknowledged once handled (back-pressure at QoS 1, spec §7.2), with the
 * acknowledgements of one event-loop turn leaving in one socket write.
 *
 * mqtt.js writes each PUBACK on its own (cork, write, uncork on the next
 * tick: a `writev` per message, a tenth of the CPU of draining a backlog,
 * docs/performance.md "Transitions at line rate"). The client's socket is
 * corked at the first message of a turn and uncorked at its end, never
 * longer, so the turn's acknowledgements go out together — before the turn's
 * results are written to SQLite, so the broker sends the next batch meanwhile.
 */
import type { Writable } from 'node:stream';
import type { IPublishPacket, MqttClient } from 'mqtt';

/** What handles one message: done when it returns nothing, else when the promise settles (then it may be acknowledged). */
export type HandleMessage = (topic: string, payload: Buffer, retain: boolean) => Promise<unknown> | undefined;

/** Installs `handle` as the client's message handler, acknowledgements batched per event-loop turn. */
export function batchAcks(client: MqttClient, handle: HandleMessage): void {
  let corked = false;
  client.handleMessage = (packet: IPublishPacket, done: () => void): void => {
    const stream = client.stream as Partial<Pick<Writable, 'cork' | 'uncork'>> | undefined;
    if (!corked && stream?.cork && stream.uncork) {
      corked = true;
      stream.cork();
      setImmediate(() => {
        corked = false;
        stream.uncork!();
      });
    }
    // mqtt-packet hands a Buffer of its own (a copy per message was garbage for nothing)
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    // mqtt.js takes the next packet on a later tick either way (its work loop defers with nextTick)
    const pending = handle(packet.topic, payload, packet.retain);
    if (pending) pending.then(done, done);
    else done();
  };
}
