/**
 * Issue 23, "exactly one notifier": a node that is connected to the broker
 * but hears no other node of the zone, while it knows of nodes that went
 * silent (their last word was "up": a split cluster may hide them, running
 * the same checks), cannot tell whether another node sent a notification:
 * it marks it "possibly repeated" (src/zone/service.ts doubt()). A peer that
 * said "down" (a clean stop, or its will) is known gone: no mark. On a real
 * Mosquitto; the silent peer is a plain MQTT client that publishes one
 * "up" status and then nothing (as a node cut off by a split).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { describeDaemon } from '../servers/common.ts';
import { startMosquitto, MOSQUITTO_PROGRAMS, type Mosquitto } from '../servers/mosquitto.ts';
import { until } from '../federation/helpers.ts';
import { ZoneObjectSchema, zoneTopics } from '../../src/zone/config.ts';
import { TAKEOVER_HEARTBEATS } from '../../src/zone/notified.ts';
import { openZoneNode, someChecks, type ZoneNode } from './helpers.ts';

describeDaemon('zone: a node that hears nobody while it knows of silent peers marks what it sends (real Mosquitto)', MOSQUITTO_PROGRAMS, () => {
  let broker: Mosquitto;
  let node: ZoneNode | null = null;
  let peer: mqtt.MqttClient | null = null;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await peer?.endAsync(true).catch(() => undefined);
    await node?.stop();
    await broker?.close();
  });

  it('marks while the peer is silent, not once the peer said down', async () => {
    const zone = { name: 'hq', heartbeat: 1, misses: 3, grace: 2 };
    const topics = zoneTopics(ZoneObjectSchema.parse(zone));
    peer = mqtt.connect(`mqtt://127.0.0.1:${broker.port}`, { protocolVersion: 4, reconnectPeriod: 500 });
    await new Promise<void>((r) => peer!.once('connect', () => r()));
    node = await openZoneNode('a', broker.port, { zone, checks: someChecks(4) });
    const z = node.zone;
    // once a hears the zone: b says up, then is never heard again (not retained: a reconnect of a on a loaded
    // machine must not replay it, which would make b live again for a few heartbeats)
    await until(() => z.connected, 30_000, 'a hears the zone');
    await peer.publishAsync(topics.node('b'), JSON.stringify({ node: 'b', state: 'up', heartbeat: 1 }), { qos: 1, retain: false });
    await until(() => z.view().known.includes('b'), 30_000, 'a hears b');
    // b's status expires after 3 heartbeats: a takes every check and hears nobody
    await until(() => z.connected && !z.view().live.includes('b') && someChecksRunHere(z), 60_000, 'b silent, a runs everything').catch((e: unknown) => {
      throw new Error(`${(e as Error).message} (connected ${z.connected}, ${JSON.stringify(z.view())}, runs here: ${someChecksRunHere(z)})`);
    });
    // past the takeover window, so that only "hears nobody" can mark (the old code sent it unmarked)
    const since = Date.now();
    await until(() => Date.now() > since + TAKEOVER_HEARTBEATS * zone.heartbeat * 1000 + 500, 30_000, 'the takeover window is over');
    expect(z.connected).toBe(true);
    expect(z.notifies('web 0', true)).toEqual({ send: true, note: expect.stringMatching(/^possibly repeated: node a hears no other node of the zone/) });

    // b says down (a clean stop, or its will): it is gone, not hidden; a is alone and sure
    await peer.publishAsync(topics.node('b'), JSON.stringify({ node: 'b', state: 'down', heartbeat: 1, reason: 'shutdown' }), { qos: 1, retain: true });
    // (each try is a transition of web 1 to the other state, so each is sent, with or without the mark)
    let failing = false;
    await until(
      () => {
        failing = !failing;
        const r = z.notifies('web 1', failing);
        return r.send && r.note === null;
      },
      30_000,
      "a hears b's down and stops marking",
    );
    expect(z.notifies('web 3', true)).toEqual({ send: true, note: null });
  }, 150_000);
});

function someChecksRunHere(z: ZoneNode['zone']): boolean {
  return ['web 0', 'web 1', 'web 2', 'web 3'].every((c) => z.runsHere(c));
}
