/**
 * Issue 23, "a Mosquitto bridge from two sites to a hub: the hub's fleet view
 * shows both". Three real Mosquitto daemons on OS-chosen ports: two site
 * brokers, each bridging `siteward/zone/#` out to a hub broker (bridge
 * config written here). A zone on each site broker (in-process siteward
 * sites with the zone services) runs real TCP checks; a fleet instance
 * connected only to the hub sees both zones, their nodes and their checks
 * with the right state — and a zone whose node stops shows as silent.
 */
import { createServer, type Server } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, it } from 'vitest';
import { describeDaemon, freePort, HOST, tempDir } from '../servers/common.ts';
import { startMosquitto, MOSQUITTO_PROGRAMS, type Mosquitto } from '../servers/mosquitto.ts';
import { until } from '../federation/helpers.ts';
import type { Site } from '../../src/site.ts';
import { openSite } from '../../src/wiring.ts';
import { fleetSiteView, vantageSiteView } from '../../src/wiring-views.ts';
import { VantageService } from '../../src/zone/vantage-service.ts';
import { FleetService } from '../../src/fleet/service.ts';

async function openFleetSite(doc: Record<string, unknown>, services: (s: Site) => void, node = 'n'): Promise<{ site: Site; stop(): Promise<void> }> {
  const { dir, cleanup } = tempDir('swfl-');
  const configPath = join(dir, 'site.json');
  writeFileSync(configPath, JSON.stringify({ scheduler: { jitter: 0 }, ...doc }, null, 1));
  const site = await openSite({ configPath, dbPath: ':memory:', random: () => 0, node });
  services(site);
  await site.start();
  let stopped = false;
  return {
    site,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await site.stop();
      cleanup();
    },
  };
}

describeDaemon('fleet: two site brokers bridged to a hub, the hub sees both zones', MOSQUITTO_PROGRAMS, () => {
  let hub: Mosquitto;
  const siteBrokers: Mosquitto[] = [];
  let open: Server;
  let closedPort: number;
  const sites: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    hub = await startMosquitto({ logType: 'error' });
    for (const name of ['hq', 'dc2'])
      siteBrokers.push(
        await startMosquitto({
          logType: 'error',
          // mosquitto.conf(5) "Bridges": this broker forwards the zone topics (retained flags kept) to the hub
          extraConfig: [`connection to-hub-${name}`, `address ${HOST}:${hub.port}`, 'topic siteward/zone/# out 1', 'cleansession true', 'restart_timeout 1'],
        }),
      );
    open = createServer((s) => s.end());
    await new Promise<void>((r) => open.listen(0, HOST, () => r()));
    closedPort = await freePort();
  }, 60_000);

  afterAll(async () => {
    for (const s of sites.reverse()) await s.stop();
    await new Promise((r) => open.close(r));
    for (const b of siteBrokers) await b.close();
    await hub?.close();
  });

  it('the fleet instance on the hub lists both zones, their nodes and checks; a stopped zone goes silent', async () => {
    const openPort = (open.address() as { port: number }).port;
    const zoneSite = (zone: string, broker: Mosquitto) =>
      openFleetSite(
        {
          zone: { name: zone, heartbeat: 0.5, misses: 3, grace: 0 },
          mqtt: { hostname: HOST, port: broker.port, statustopic: null },
          checks: {
            web: { type: 'tcp', trigger: { interval: { seconds: 1 } }, options: { hostname: HOST, port: openPort, timeout: 2 } },
            [`${zone} backup`]: { type: 'tcp', trigger: { interval: { seconds: 1 } }, options: { hostname: HOST, port: closedPort, timeout: 2 } },
          },
        },
        (s) => {
          s.use(s.zoneService);
          s.use(new VantageService({ node: `${zone}-1` }, vantageSiteView(s)));
        },
        `${zone}-1`,
      );
    let fleet!: FleetService;
    const watcher = await openFleetSite({ fleet: true, mqtt: { hostname: HOST, port: hub.port, statustopic: null } }, (s) => {
      fleet = new FleetService(s.settings.fleet!, 'hub-1', fleetSiteView(s));
      s.use(fleet);
    });
    sites.push(watcher);
    const hq = await zoneSite('hq', siteBrokers[0]!);
    sites.push(hq);
    sites.push(await zoneSite('dc2', siteBrokers[1]!));

    const rows = (): string[] =>
      fleet.model
        .query({ page: 1, perPage: 100 }, fleet.now())
        .rows.map((r) => `${r.zone}/${r.check}=${r.shown}@${r.node}`)
        .sort();
    const want = ['dc2/dc2 backup=FAIL@dc2-1', 'dc2/web=PASS@dc2-1', 'hq/hq backup=FAIL@hq-1', 'hq/web=PASS@hq-1'];
    await until(
      () => rows().join() === want.join(),
      60_000,
      () => `the hub's fleet view to show both zones' checks (saw: ${rows().join(', ')})`,
    );
    // a zone's node is live for 3 heartbeats (1.5 s) after its last status: on a loaded machine a late
    // heartbeat shows it silent for a moment, so each view is waited for, not read once
    const zones = (): string => JSON.stringify(fleet.model.zoneRows(fleet.now()));
    const wantZones = JSON.stringify([
      { name: 'dc2', up: 1, nodes: 1, checks: 2, failing: 1, silent: false },
      { name: 'hq', up: 1, nodes: 1, checks: 2, failing: 1, silent: false },
    ]);
    const nodes = (): string =>
      fleet.model
        .nodeRows(fleet.now())
        .map((n) => `${n.zone}/${n.name} ${n.status} ${n.version}`)
        .join(', ');
    await until(
      () => zones() === wantZones && nodes() === 'dc2/dc2-1 up 0.1.0, hq/hq-1 up 0.1.0' && fleet.problem() === null,
      30_000,
      () => `both zones up on the hub (saw zones ${zones()}; nodes ${nodes()}; problem ${fleet.problem()})`,
    );

    // hq's only node stops: its "down" status crosses the bridge; hq and its checks show silent, dc2 is untouched
    await hq.stop();
    const gone = ['dc2/dc2 backup=FAIL@dc2-1', 'dc2/web=PASS@dc2-1', 'hq/hq backup=silent@hq-1', 'hq/web=silent@hq-1'];
    const silent = (): number => fleet.model.query({ state: 'silent', page: 1, perPage: 10 }, fleet.now()).total;
    await until(
      () => fleet.model.zoneRows(fleet.now())[1]?.silent === true && rows().join() === gone.join() && silent() === 2,
      30_000,
      () => `hq, and only hq, silent on the hub (saw zones ${zones()}; rows ${rows().join(', ')}; ${silent()} silent)`,
    );
  }, 180_000);
});
