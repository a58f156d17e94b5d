/**
 * Issue 23, "a node that hears nobody" (docs/ha.md): a node knows it hears
 * the zone when its own "up" comes back to it. A retained copy of its status
 * that the broker replays at subscribe time proves nothing: it is what the
 * broker stored, from an earlier heartbeat or an earlier life of the node.
 * The old code counted any copy, so a node whose live statuses never came
 * back counted as hearing the zone at every reconnect.
 *
 * Real Mosquitto with an ACL: node b may read every topic but write none, so
 * its heartbeats never reach anyone (Mosquitto drops a publish the ACL
 * denies, and still acknowledges it); a retained "up" of b is on the broker.
 * b must say it hears nothing and never count itself as connected; node a,
 * with full rights on the same broker, hears itself (the setup works).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDaemon, HOST, tempDir } from '../servers/common.ts';
import { startMosquitto, MOSQUITTO_PROGRAMS, type Mosquitto } from '../servers/mosquitto.ts';
import { captureLogger, until } from '../federation/helpers.ts';
import { ZoneObjectSchema, zoneTopics } from '../../src/zone/config.ts';
import { openZoneNode, type ZoneNode } from './helpers.ts';

const ZONE = { name: 'hq', heartbeat: 1, misses: 3, grace: 2 };
const topics = zoneTopics(ZoneObjectSchema.parse(ZONE));

describeDaemon('zone: only a live copy of its own status counts as hearing the zone (real Mosquitto, ACL)', MOSQUITTO_PROGRAMS, () => {
  let broker: Mosquitto;
  const acl = tempDir('swz-acl-');
  const nodes: ZoneNode[] = [];
  beforeAll(async () => {
    // anonymous clients: everything; user b: read only (mosquitto.conf(5) acl_file)
    writeFileSync(join(acl.dir, 'acl'), 'topic readwrite #\n\nuser b\ntopic read #\n');
    broker = await startMosquitto({ extraConfig: [`acl_file ${join(acl.dir, 'acl')}`] });
  }, 60_000);
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await broker?.close();
    acl.cleanup();
  });

  it('a node whose own statuses never come back says it hears nothing, and the retained copy does not make it connected', async () => {
    // b's "up" as the broker keeps it from an earlier run of b (written here by a client with the rights)
    const seed = mqtt.connect(`mqtt://${HOST}:${broker.port}`, { protocolVersion: 4 });
    try {
      await new Promise<void>((r) => seed.once('connect', () => r()));
      const up = { node: 'b', state: 'up', heartbeat: 1, version: '0.1.0', checks: 0 };
      await seed.publishAsync(topics.node('b'), JSON.stringify(up), { qos: 1, retain: true });
    } finally {
      await seed.endAsync(true);
    }
    const a = captureLogger();
    const b = captureLogger();
    const said = (c: typeof a, re: RegExp): boolean => c.lines.some((l) => re.test(String(l.msg)));
    nodes.push(await openZoneNode('a', broker.port, { zone: ZONE }, { log: a.log }));
    const nb = await openZoneNode(
      'b',
      broker.port,
      { zone: ZONE, mqtt: { hostname: HOST, port: broker.port, username: 'b', password: 'any', statustopic: null } },
      { log: b.log },
    );
    nodes.push(nb);
    let everConnected = false;
    const watch = setInterval(() => (everConnected ||= nb.zone.connected), 10);
    try {
      await until(() => said(a, /node a is up/), 30_000, 'a hears itself');
      // b's client id, from the broker's log of its connection (user b; no password_file: any password)
      let id = '';
      await until(() => (id = /as (\S+) \([^)]*u'b'\)/.exec(broker.log())?.[1] ?? ''), 30_000, 'b connected');
      const replays = (): number => broker.log().split(`Sending PUBLISH to ${id} (d0, q1, r1, m`).length - 1;
      // b got the retained copy of its status at subscribe time (RETAIN set: r1) …
      await until(() => replays() >= 1, 30_000, 'the retained "up" of b sent to b');
      // … and must still find that it hears nothing (misses + 1 heartbeats and at least 5 s), then it reconnects
      await until(() => said(b, /node b hears nothing from the zone/), 30_000, 'b says it hears nothing');
      // the new connection's subscription gets the retained copy again: still not hearing, a heartbeat later
      await until(() => b.lines.filter((l) => l.msg === 'zone connected').length >= 2, 30_000, 'b reconnected');
      await until(() => replays() >= 2, 30_000, 'the retained copy sent again');
      const n = b.lines.length;
      await until(() => b.lines.length > n + 2, 30_000, 'b logs on');
      expect(said(b, /node b (is up|hears the zone again)/), 'b never says it hears the zone').toBe(false);
      expect(everConnected, 'b never counted itself connected').toBe(false);
    } finally {
      clearInterval(watch);
    }
  }, 120_000);
});
