/**
 * Incoming PUBLISH packets, handed to the receiver one at a time and
 * acknowledged once handled (back-pressure at QoS 1, spec §7.2), with the
 * acknowledgements of one event-loop turn leaving in one socket write.
 *
 * mqtt.js writes each PUBACK on its own (cork, write, uncork on the next
 * tick: a `writev` per message, a tenth of the CPU of draining a backlog,
 * docs/performance.md "Transitions at line rate"). The client's socket is
 * corked at the first message of a turn and uncorked at its end, never
 * longer (and at most MAX_CORKED_ACKS messages), so the turn's
 * acknowledgements go out together — before the turn's results are written
 * to SQLite, so the broker sends the next batch meanwhile.
 */
import type { Writable } from 'node:stream';
import type { IPublishPacket, MqttClient } from 'mqtt';

/** What handles one message: done when it returns nothing, else when the promise settles (then it may be acknowledged). */
export type HandleMessage = (topic: string, payload: Buffer, retain: boolean) => Promise<unknown> | undefined;

/**
 * Acknowledgements one socket write holds at most. A backlog arrives in turns
 * of thousands of messages (Node reads up to 32 socket chunks before it turns
 * to setImmediate); corked to the end of such a turn, every PUBACK's buffers
 * waited in the socket's queue and outlived young-generation collections
 * (docs/performance.md "Memory while ingesting").
 */
export const MAX_CORKED_ACKS = 256;

/** Installs `handle` as the client's message handler, acknowledgements batched per event-loop turn. */
export function batchAcks(client: MqttClient, handle: HandleMessage): void {
  // the stream corked by us (each cork is undone exactly once), and the acknowledgements it holds
  let corked: Pick<Writable, 'uncork'> | null = null;
  let held = 0;
  let scheduled = false;
  const release = (): void => {
    const s = corked;
    corked = null;
    held = 0;
    s?.uncork();
  };
  const atTurnEnd = (): void => {
    scheduled = false;
    release();
  };
  client.handleMessage = (packet: IPublishPacket, done: () => void): void => {
    const stream = client.stream as Partial<Pick<Writable, 'cork' | 'uncork'>> | undefined;
    if (!corked && stream?.cork && stream.uncork) {
      corked = stream as Pick<Writable, 'uncork'>;
      stream.cork();
      if (!scheduled) {
        scheduled = true;
        setImmediate(atTurnEnd);
      }
    }
    // mqtt-packet hands a Buffer of its own (a copy per message was garbage for nothing)
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    // mqtt.js takes the next packet on a later tick either way (its work loop defers with nextTick)
    const pending = handle(packet.topic, payload, packet.retain);
    if (pending) pending.then(done, done);
    else done();
    if (corked && ++held >= MAX_CORKED_ACKS) release();
  };
}
