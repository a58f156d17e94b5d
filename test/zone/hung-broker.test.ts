/**
 * A stop never hangs on the broker (src/federation/close.ts): with a real
 * Mosquitto frozen by SIGSTOP (its sockets stay open, it acknowledges
 * nothing), a site with the federation, the zone, the zone views and the
 * fleet watcher stops within a bounded time — mqtt.js's end(false) alone
 * would wait for ever for the unacknowledged QoS 1 messages — and a publish
 * still waiting fails instead of hanging.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeDaemon, HOST, tempDir } from '../servers/common.ts';
import { startMosquitto, MOSQUITTO_PROGRAMS, type Mosquitto } from '../servers/mosquitto.ts';
import { until } from '../federation/helpers.ts';
import { openSite } from '../../src/wiring.ts';
import { fleetSiteView, vantageSiteView } from '../../src/wiring-views.ts';
import { VantageService } from '../../src/zone/vantage-service.ts';
import { FleetService } from '../../src/fleet/service.ts';
import { closeClient, within, STOP_GRACE_MS } from '../../src/federation/close.ts';

// each service waits at most 2 × STOP_GRACE_MS for the broker; four of them, and a busy machine
const BOUND_MS = 12 * STOP_GRACE_MS;

describeDaemon('stopping while the broker is hung (SIGSTOP)', MOSQUITTO_PROGRAMS, () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto({ logType: 'error' });
  });
  beforeEach(async () => {
    if (!broker.running()) await broker.start();
  });
  afterEach(() => broker.freeze(false));
  afterAll(async () => {
    await broker?.close();
  });

  it('a site with the federation, the zone, its views and the fleet watcher stops in bounded time', async () => {
    const { dir, cleanup } = tempDir('swhung-');
    const configPath = join(dir, 'site.json');
    const doc = {
      scheduler: { jitter: 0 },
      zone: { name: 'hq', heartbeat: 0.5, misses: 3, grace: 0 },
      fleet: true,
      mqtt: { hostname: HOST, port: broker.port, basetopic: 'sw-hung' },
      checks: { web: { type: 'https', options: { hostname: HOST } } },
    };
    writeFileSync(configPath, JSON.stringify(doc, null, 1));
    const site = await openSite({ configPath, dbPath: ':memory:', random: () => 0, node: 'n1' });
    const fleet = new FleetService(site.settings.fleet!, 'n1', fleetSiteView(site));
    for (const s of [site.federation, fleet, site.zoneService, new VantageService({ node: 'n1' }, vantageSiteView(site))]) site.use(s);
    try {
      await site.start();
      await until(() => site.zoneService.connected && site.federation.connected, 30_000, 'zone and federation connected');
      broker.freeze(true);
      const t0 = Date.now();
      // the zone's heartbeats and its "down" status are now QoS 1 messages the broker never acknowledges
      const r = await within(site.stop(), BOUND_MS);
      expect(r, 'site.stop() returned').not.toBe('timeout');
      expect(Date.now() - t0).toBeLessThan(BOUND_MS);
    } finally {
      cleanup();
    }
  });

  it('closeClient ends a client with a message in flight, and that publish fails instead of hanging', async () => {
    const c = await mqtt.connectAsync(`mqtt://${HOST}:${broker.port}`, { protocolVersion: 4, reconnectPeriod: 1000, connectTimeout: 10_000 });
    broker.freeze(true);
    const pub = within(c.publishAsync('sw-hung/x', 'y', { qos: 1 }), BOUND_MS);
    const closed = await within(closeClient(c, 500), BOUND_MS);
    expect(closed).not.toBe('timeout');
    const settled = await pub;
    expect(settled).not.toBe('timeout');
    expect(settled).toMatchObject({ ok: false });
    expect(c.connected).toBe(false);
  });
});
