/**
 * Zone membership and ownership on real brokers (issue 23): Mosquitto, and a
 * 3-node NATS cluster with each node on a different NATS server.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { describeDaemon } from '../servers/common.ts';
import { startMosquitto, MOSQUITTO_PROGRAMS, type Mosquitto } from '../servers/mosquitto.ts';
import { startNatsCluster, NATS_SERVER, type NatsCluster } from '../servers/nats.ts';
import { until } from '../federation/helpers.ts';
import { openZoneNode, someChecks, type ZoneNode } from './helpers.ts';

const ZONE = { name: 'hq', heartbeat: 0.5, misses: 3, grace: 0 };
const CHECKS = someChecks(60);

function suite(brokerName: string, ports: () => number[]): void {
  let nodes: ZoneNode[] = [];
  afterEach(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    nodes = [];
  });
  const open = async (names: string[]): Promise<void> => {
    const ps = ports();
    nodes.push(...(await Promise.all(names.map((n, i) => openZoneNode(n, ps[i % ps.length], { zone: ZONE, checks: CHECKS })))));
  };
  const live = (n: ZoneNode): string[] => [...new Set([...n.zone.view().live, n.name])].sort();
  const owners = (n: ZoneNode): string[] => Object.keys(CHECKS).map((c) => n.zone.owner(c)!);
  /**
   * Waits until each of `ns` sees exactly `want` live and they name the same owners, and returns those owners.
   * Heartbeats are 0.5 s and 3 misses: a node stalled for 1.5 s on a loaded machine shows a peer down for a
   * beat, so the views are waited for together, never read once after another wait.
   */
  const agreed = async (ns: ZoneNode[], want: string, timeoutMs: number): Promise<string[]> => {
    const seen = (): string => ns.map((n) => `${n.name} sees ${live(n).join()}`).join('; ');
    await until(
      () => ns.every((n) => live(n).join() === want) && ns.every((n) => owners(n).join() === owners(ns[0]).join()),
      timeoutMs,
      () => `every node sees ${want} and names the same owners (saw ${seen()})`,
    );
    return owners(ns[0]);
  };

  it(`${brokerName}: three nodes agree on the members and on one owner per check`, async () => {
    await open(['a', 'b', 'c']);
    const [a] = nodes;
    const runners = (check: string): string[] => nodes.filter((n) => n.zone.runsHere(check)).map((n) => n.name);
    const statuses = (): string =>
      a.zone
        .members()
        .map((m) => `${m.name} ${m.status}`)
        .join(', ');
    const all = Object.keys(CHECKS);
    await agreed(nodes, 'a,b,c', 30_000);
    let spread: string[] = [];
    await until(
      () =>
        all.every((c) => runners(c).length === 1) && statuses() === 'a up, b up, c up' && nodes.every((n) => owners(n).join() === (spread = owners(a)).join()),
      30_000,
      () => `one runner per check and a, b, c up (saw ${all.map((c) => `${c}: ${runners(c).join('+')}`).join(', ')}; ${statuses()})`,
    );
    // the owners all three named at that moment spread over all three
    expect(new Set(spread)).toEqual(new Set(['a', 'b', 'c']));
  });

  it(`${brokerName}: a clean stop hands the node's checks to the others at once, and only those`, async () => {
    await open(['a', 'b', 'c']);
    const before = await agreed(nodes, 'a,b,c', 30_000);
    await nodes[2].stop();
    const after = await agreed(nodes.slice(0, 2), 'a,b', 10_000);
    Object.keys(CHECKS).forEach((_, i) => {
      if (before[i] === 'c') expect(['a', 'b']).toContain(after[i]);
      else expect(after[i]).toBe(before[i]);
    });
    expect(nodes[0].zone.members().find((m) => m.name === 'c')?.status).toBe('down');
  });

  it(`${brokerName}: a peer that dies (its last will) or goes silent (missed heartbeats) stops counting`, async () => {
    await open(['a']);
    const [a] = nodes;
    const port = ports()[ports().length - 1];
    const topic = 'siteward/zone/hq/node/';
    const will = { topic: `${topic}dies`, payload: Buffer.from('{"node":"dies","state":"down","reason":"connection lost"}'), qos: 1 as const, retain: true };
    // a's zone link is subscribed before the peers speak: on a NATS cluster a retained message published
    // on another server while a subscribes can miss both the live delivery and the retained replay (each
    // server learns retained messages from JetStream a moment later); a real peer's next heartbeat mends it
    await until(() => a.zone.connected, 30_000, 'a connected to the zone');
    const peer = mqtt.connect(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4, will, reconnectPeriod: 0 });
    await new Promise<void>((r) => peer.once('connect', () => r()));
    // both peers beat (as real ones do) until a has heard both at once
    const beat = async (): Promise<void> => {
      await peer.publishAsync(`${topic}dies`, '{"node":"dies","state":"up","heartbeat":60}', { qos: 1, retain: true });
      await peer.publishAsync(`${topic}silent`, '{"node":"silent","state":"up","heartbeat":0.5}', { qos: 1, retain: true });
    };
    await beat();
    let last = Date.now();
    await until(
      async () => {
        if (live(a).join() === 'a,dies,silent') return true;
        if (Date.now() - last > 1000) {
          last = Date.now();
          await beat();
        }
        return false;
      },
      30_000,
      'both peers up',
    );
    // silent never beats again: dead after 3 × 0.5 s, on a's clock
    await until(() => live(a).join() === 'a,dies', 20_000, 'silent expired');
    peer.stream.destroy(); // no DISCONNECT: the broker publishes the will
    await until(() => live(a).join() === 'a', 30_000, 'the will of "dies" seen');
    expect(a.zone.members().find((m) => m.name === 'dies')?.status).toBe('down');
    const clean = mqtt.connect(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4 });
    await new Promise<void>((r) => clean.once('connect', () => r()));
    await clean.publishAsync(`${topic}dies`, '', { qos: 1, retain: true });
    await clean.publishAsync(`${topic}silent`, '', { qos: 1, retain: true });
    await until(() => !a.zone.view().known.some((k) => k === 'dies' || k === 'silent'), 20_000, 'cleared statuses forgotten');
    await clean.endAsync();
  });
}

describeDaemon('zone membership on Mosquitto', MOSQUITTO_PROGRAMS, () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker?.close();
  });
  suite('Mosquitto', () => [broker.port]);
});

describeDaemon('zone membership on a 3-node NATS cluster', [NATS_SERVER], () => {
  let cluster: NatsCluster;
  beforeAll(async () => {
    cluster = await startNatsCluster(3);
    await cluster.ready();
  }, 120_000);
  afterAll(async () => {
    await cluster?.close();
  });
  suite('NATS', () => cluster.mqttPorts);
});
