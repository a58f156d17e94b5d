/**
 * `mqtt.servers` (issue 23, docs/ha.md): a node given several servers of a
 * NATS cluster reconnects to another when the one it is connected to dies
 * (kill -9), and the zone keeps working: membership and config replication
 * through the surviving servers. Real 3-node nats-server cluster.
 */
import { describe, expect, it } from 'vitest';
import { describeDaemon } from '../servers/common.ts';
import { startNatsCluster, NATS_SERVER, type NatsCluster } from '../servers/nats.ts';
import { zoneBroker } from './broker-fixture.ts';
import { captureLogger, until } from '../federation/helpers.ts';
import { parseServers } from '../../src/federation/options.ts';
import { putCheck } from '../../src/config/edits.ts';
import { rawEntry } from '../../src/config/raw.ts';
import { openZoneNode, someChecks, type ZoneNode } from './helpers.ts';

describe('parseServers', () => {
  it('puts hostname:port first, fills in the default port, drops repeats', () => {
    expect(parseServers([], 'n1', 1883)).toBeUndefined();
    expect(parseServers(['n1:1883'], 'n1', 1883)).toBeUndefined();
    expect(parseServers(['n2', 'n3:1884', '[::1]:1885', 'n2:1883'], 'n1', 1883)).toEqual([
      { host: 'n1', port: 1883 },
      { host: 'n2', port: 1883 },
      { host: 'n3', port: 1884 },
      { host: '::1', port: 1885 },
    ]);
  });
});

const hostOf = (n: ZoneNode, check: string): unknown => (rawEntry(n.site.loaded.doc, 'checks', check)?.options as { hostname?: string } | undefined)?.hostname;

describeDaemon('a zone node fails over to another server of a NATS cluster', [NATS_SERVER], () => {
  const fx = zoneBroker<NatsCluster, ZoneNode>(() => startNatsCluster(3), { ready: (c) => c.ready(), stopNodes: 'all', startTimeoutMs: 90_000 });

  it('kill -9 of the server a node uses: it reconnects to another, stays in the zone, and edits still replicate', async () => {
    const { broker: cluster, nodes } = fx;
    const [p0, p1, p2] = cluster.mqttPorts;
    const zone = { name: 'hq', heartbeat: 0.5, misses: 4, grace: 0, topic: 'swtest/servers' };
    const mqttOf = (port: number, others: number[]) => ({ hostname: '127.0.0.1', port, statustopic: null, servers: others.map((p) => `127.0.0.1:${p}`) });
    // a on server 0 (then 1, 2); b on server 1 (then 2, 0)
    const logs = { a: captureLogger(), b: captureLogger() };
    const a = await openZoneNode('a', p0, { zone, checks: someChecks(4), mqtt: mqttOf(p0, [p1, p2]) }, { log: logs.a.log });
    nodes.push(a);
    const b = await openZoneNode('b', p1, { zone, checks: someChecks(4), mqtt: mqttOf(p1, [p2, p0]) }, { log: logs.b.log });
    nodes.push(b);
    await until(
      () => a.zone.view().live.includes('b') && b.zone.view().live.includes('a') && a.zone.configRevision && b.zone.configRevision,
      30_000,
      'the zone formed',
    );

    let lost = false;
    a.site.bus.on('log', ({ line }) => {
      if (/connection to .* lost/.test(line)) lost = true;
    });
    const zoneLog = (n: 'a' | 'b'): string =>
      logs[n].lines
        .filter((l) => String(l.msg).startsWith('zone') && !/older config revision|config published/.test(String(l.msg)))
        .slice(-15)
        .map(
          (l) =>
            `${new Date(l.time as number).toISOString()} ${l.msg as string} ${JSON.stringify({ ...l, level: undefined, time: undefined, pid: undefined, hostname: undefined, msg: undefined, zone: undefined })}`,
        )
        .join('\n');
    /** what a and b saw, for a wait that times out */
    const saw = (what: string) => (): string =>
      `${what} (a: connected ${a.zone.connected}, live ${a.zone.view().live.join()}, rev ${a.zone.configRevision?.rev}; b: connected ${b.zone.connected}, live ${b.zone.view().live.join()}, rev ${b.zone.configRevision?.rev})\na's zone log:\n${zoneLog('a')}\nb's zone log:\n${zoneLog('b')}`;
    const killedAt = Date.now();
    await cluster.kill(0);
    await until(() => lost, 20_000, saw("a notices its server's death"));
    // back on another server of the cluster: each hears the zone (its own status comes back) and sees the other, at
    // once; the surviving servers move the dead one's JetStream leaders first, which on a loaded machine takes a while
    await until(
      () => a.zone.connected && b.zone.connected && b.zone.view().live.includes('a') && a.zone.view().live.includes('b'),
      90_000,
      saw('a and b hear the zone and see each other again'),
    );
    const backAt = Date.now();
    // the zone's work goes on through the surviving servers: b's heartbeats say its revision, a sends it again until
    // b has it (bounded generously: the cluster may still be settling; beside stress-ng 15 s was not always enough)
    const r = await a.site.mutate((d) => putCheck(d, 'web 1', { ...(rawEntry(d, 'checks', 'web 1') ?? {}), options: { hostname: 'after-failover.test' } }));
    expect(r.ok).toBe(true);
    await until(() => hostOf(b, 'web 1') === 'after-failover.test', 60_000, saw('the edit on b after the failover'));
    console.log(`server-list: the zone back ${backAt - killedAt} ms after the kill; the edit on b ${Date.now() - backAt} ms later`);
    // the cluster may still be settling: the two see each other again, and nobody else
    await until(() => a.zone.view().live.join() === 'b' && b.zone.view().live.join() === 'a', 60_000, saw('a and b in the zone after the edit'));
  }, 300_000);
});
