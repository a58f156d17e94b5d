/**
 * Issue 23, "exactly one notifier": a node that has just taken a check over
 * cannot be sure its copy of the zone's notified record is the last one
 * (the previous owner's record may still be on its way through the
 * cluster). Within TAKEOVER_HEARTBEATS of the takeover, with a record heard
 * before it, it sends and marks the message "possibly repeated"
 * (src/zone/notified.ts unsureAfterTakeover); later, or with a record heard
 * after the takeover, it does not mark. While its zone connection is down it
 * marks too (another node may be running its checks). Pure rule
 * table-tested; the hook on a real Mosquitto.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { describeDaemon } from '../servers/common.ts';
import { startMosquitto, MOSQUITTO_PROGRAMS, type Mosquitto } from '../servers/mosquitto.ts';
import { until } from '../federation/helpers.ts';
import { ZoneObjectSchema, zoneTopics } from '../../src/zone/config.ts';
import { encodeRecord, TAKEOVER_HEARTBEATS, unsureAfterTakeover } from '../../src/zone/notified.ts';
import { openZoneNode, someChecks, type ZoneNode } from './helpers.ts';

describe('unsure after a takeover', () => {
  const hb = 1000;
  const window = TAKEOVER_HEARTBEATS * hb;
  it.each<[string, number | undefined, number | undefined, number, boolean]>([
    ['never taken over (owned since before ready): sure', undefined, 500, 10_000, false],
    ['just taken over, record heard before: unsure', 10_000, 9_000, 10_500, true],
    ['just taken over, no record at all: unsure', 10_000, undefined, 10_500, true],
    ['just taken over, record heard at the takeover: unsure', 10_000, 10_000, 10_500, true],
    ['just taken over, record heard after it: sure', 10_000, 10_001, 10_500, false],
    ['at the end of the window: unsure', 10_000, 9_000, 10_000 + window, true],
    ['after the window: sure', 10_000, 9_000, 10_001 + window, false],
  ])('%s', (_, takenAt, heardAt, now, want) => {
    expect(unsureAfterTakeover(takenAt, heardAt, now, hb)).toBe(want);
  });
});

describeDaemon('zone: a notification just after a takeover is marked possibly repeated (real Mosquitto)', MOSQUITTO_PROGRAMS, () => {
  let broker: Mosquitto;
  let node: ZoneNode | null = null;
  let closed = false;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await node?.stop();
    if (!closed) await broker?.close();
  });

  it('marks the first notification of a check whose record predates the takeover, not its next one, nor one after the window; marks while cut off', async () => {
    const zone = { name: 'hq', heartbeat: 2, misses: 3, grace: 60 };
    const topics = zoneTopics(ZoneObjectSchema.parse(zone));
    // the previous owner's record, retained before this node starts: heard before its takeover
    const old = mqtt.connect(`mqtt://127.0.0.1:${broker.port}`, { protocolVersion: 4 });
    await new Promise<void>((r) => old.once('connect', () => r()));
    for (const c of ['web 0', 'web 1'])
      await old.publishAsync(topics.notified(c), encodeRecord({ failing: false, at: Date.now(), node: 'old' }), { qos: 1, retain: true });
    await old.endAsync();

    node = await openZoneNode('a', broker.port, { zone, checks: someChecks(3) });
    const z = node.zone;
    // alone in the zone: it owns everything once ready (a heartbeat after it heard the zone; grace is long)
    await until(() => z.runsHere('web 0'), 30_000, 'the node is ready and owns its checks');
    const readyAt = Date.now();
    const first = z.notifies('web 0', true);
    expect(first).toEqual({ send: true, note: expect.stringMatching(/^possibly repeated: node a took this check over/) });
    expect(Date.now() - readyAt).toBeLessThan(TAKEOVER_HEARTBEATS * zone.heartbeat * 1000); // the answer came inside the window
    // its own record is newer than the takeover: the next transition is sure
    expect(z.notifies('web 0', false)).toEqual({ send: true, note: null });
    // a transition the record already holds is not sent at all (the previous owner sent it)
    expect(z.notifies('web 1', false)).toEqual({ send: false });
    // after the window: sure again, even with the old record
    await until(() => Date.now() > readyAt + TAKEOVER_HEARTBEATS * zone.heartbeat * 1000 + 500, 30_000, 'the takeover window is over');
    expect(z.notifies('web 1', true)).toEqual({ send: true, note: null });
    // cut off from the zone (the broker is gone): another node may run and notify its checks, so it marks
    await broker.close();
    closed = true;
    await until(() => !z.connected, 30_000, 'the node notices its broker is gone');
    expect(z.notifies('web 2', true)).toEqual({ send: true, note: expect.stringMatching(/^possibly repeated: node a has lost its connection to the zone/) });
  }, 60_000);
});
