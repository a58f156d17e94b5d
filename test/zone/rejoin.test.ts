/**
 * A node always rejoins once a server can serve it, and says so while it
 * hears nobody (issue 23, docs/ha.md "A node that hears nobody"). The chaos
 * run's seed 777 (two NATS servers killed in turn) left a node connected to
 * a server that answered its SUBSCRIBE with 0x80 (NATS could not create the
 * JetStream consumer while the cluster had no quorum): the node never
 * subscribed again, heard nobody for good and ran every check. Here the
 * refusal is made deterministic on a real 3-node NATS cluster: server 1
 * denies node a the zone's status topic (a NATS permission, answered with
 * the same SUBACK 0x80), servers 2 and 3 allow it; a has all three in
 * `mqtt.servers`.
 */
import { expect, it } from 'vitest';
import { describeDaemon } from '../servers/common.ts';
import { startNatsCluster, NATS_SERVER, type NatsCluster } from '../servers/nats.ts';
import { zoneBroker } from './broker-fixture.ts';
import { until } from '../federation/helpers.ts';
import { openZoneNode, someChecks, type ZoneNode } from './helpers.ts';

const zone = { name: 'hq', heartbeat: 0.5, misses: 4, grace: 0, topic: 'swtest/rejoin' };

describeDaemon('a zone node whose subscription a NATS server refuses', [NATS_SERVER], () => {
  // MQTT topic swtest/rejoin/hq/node/+ is NATS subject swtest.rejoin.hq.node.*; `ready()` connects without a user (no_auth_user)
  const deny = (i: number): string => (i === 0 ? ', permissions: { subscribe: { deny: ["swtest.rejoin.hq.node.*"] } }' : '');
  const fx = zoneBroker<NatsCluster, ZoneNode>(
    () => startNatsCluster(3, (i) => [`authorization { users: [ {user: a, password: pa${deny(i)}}, {user: b, password: pb} ] }`, 'no_auth_user: b']),
    { ready: (c) => c.ready(), stopNodes: 'all', startTimeoutMs: 90_000 },
  );

  it('says it hears nobody, reconnects to the next server of mqtt.servers and rejoins the zone', async () => {
    const { broker: cluster, nodes } = fx;
    const [p0, p1, p2] = cluster.mqttPorts;
    const mqttOf = (user: string, port: number, others: number[]) => ({
      hostname: '127.0.0.1',
      port,
      username: user,
      password: `p${user}`,
      statustopic: null,
      servers: others.map((p) => `127.0.0.1:${p}`),
    });
    const b = await openZoneNode('b', p1, { zone, checks: someChecks(4), mqtt: mqttOf('b', p1, [p2, p0]) });
    nodes.push(b);
    const said: string[] = [];
    // a starts on server 1, which refuses its subscription to the zone's statuses
    const a = await openZoneNode('a', p0, { zone, checks: someChecks(4), mqtt: mqttOf('a', p0, [p1, p2]) });
    nodes.push(a);
    a.site.bus.on('log', ({ line }) => said.push(line));
    await until(() => /Subscription Violation - User "a"/.test(cluster.log(0)), 30_000, 'server 1 refused a its subscription');
    // a must not stay deaf: it hears b (and b hears a) within a few heartbeats of the refusal
    await until(() => a.zone.view().live.includes('b') && b.zone.view().live.includes('a'), 30_000, 'a and b see each other');
    await until(() => a.zone.connected, 15_000, 'a hears itself: connected');
    // and it said so meanwhile (log, site notes: /healthz and the UI)
    expect(said.some((l) => /refused this node's subscriptions.*hears nobody/.test(l) || /hears nothing from the zone/.test(l))).toBe(true);
    expect(said.some((l) => /node a (is up|hears the zone again)/.test(l))).toBe(true);
  }, 120_000);
});
