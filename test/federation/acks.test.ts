/**
 * PUBACKs batched per event-loop turn (federation/acks.ts): the client's
 * socket is corked at the first message of a turn and uncorked at its end,
 * and after MAX_CORKED_ACKS messages at the latest, so a backlog delivered
 * in one long turn does not hold every acknowledgement until the turn ends
 * (docs/performance.md "Memory while ingesting"). A real Node Writable stands
 * for the socket; `done` writes what mqtt.js would (its PUBACK).
 */
import { describe, it, expect } from 'vitest';
import { Writable } from 'node:stream';
import { setImmediate as turn } from 'node:timers/promises';
import type { IPublishPacket, MqttClient } from 'mqtt';
import { batchAcks, MAX_CORKED_ACKS } from '../../src/federation/acks.ts';

function fakeClient(): { client: MqttClient; written: () => number; handled: string[] } {
  let bytes = 0;
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      cb();
    },
    writev(chunks, cb) {
      for (const c of chunks) bytes += (c.chunk as Buffer).length;
      cb();
    },
  });
  const handled: string[] = [];
  const client = { stream } as unknown as MqttClient;
  batchAcks(client, (topic) => {
    handled.push(topic);
    return undefined;
  });
  return { client, written: () => bytes, handled };
}

const packet = (i: number): IPublishPacket => ({
  cmd: 'publish',
  topic: `peer/r${i}`,
  payload: Buffer.from('{}'),
  qos: 1,
  dup: false,
  retain: false,
  messageId: i + 1,
});

describe('PUBACKs batched per turn', () => {
  it('a few messages: their acknowledgements leave together at the end of the turn', async () => {
    const { client, written, handled } = fakeClient();
    for (let i = 0; i < 3; i++) client.handleMessage(packet(i), () => (client.stream as Writable).write(Buffer.from([0x40, 2, 0, i + 1])));
    expect(handled).toEqual(['peer/r0', 'peer/r1', 'peer/r2']);
    expect(written()).toBe(0);
    await turn();
    expect(written()).toBe(12);
  });

  it('a backlog in one long turn: acknowledgements leave every MAX_CORKED_ACKS messages, the rest at the end of the turn', async () => {
    const { client, written } = fakeClient();
    const n = MAX_CORKED_ACKS * 2 + 10;
    for (let i = 0; i < n; i++) client.handleMessage(packet(i), () => (client.stream as Writable).write(Buffer.from([0x40, 2, 0, i & 0xff])));
    // still in the turn: two full batches are out (a Writable flushes on uncork at once or on the next tick)
    await new Promise<void>((r) => process.nextTick(r));
    expect(written()).toBe(MAX_CORKED_ACKS * 2 * 4);
    await turn();
    expect(written()).toBe(n * 4);
  });
});
