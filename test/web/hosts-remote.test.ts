/**
 * A federated host's sparkline (issue 22 "Hosts"): a remote update is not
 * stored as a run, so the tile's line comes from the values the hosts view
 * remembers per remote check (src/web/hosts/remote-ring.ts). Over a real MQTT
 * broker (aedes), with a fake clock five minutes between updates.
 */
import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { FakeClock } from '../../src/engine/clock.ts';
import { mainValue } from '../../src/web/hosts/remote-ring.ts';
import { Agent, fastHash, PASSWORDS, webSite, type TestSite } from './helpers.ts';
import { startAedes, type AedesBroker } from '../servers/aedes.ts';
import { peer } from '../federation/helpers.ts';

let t: TestSite | null = null;
let broker: AedesBroker;
beforeAll(async () => {
  broker = await startAedes();
});
afterAll(async () => {
  await t?.close();
  await broker.close();
});

describe("a federated host's tiles", () => {
  it('the main number of an update: the first metric, else the number the level starts with', () => {
    expect(mainValue({ metrics: [{ name: 'cpu', value: 12.5, unit: '%' }], level: ' 40%' })).toEqual({ v: 12.5, unit: '%' });
    expect(mainValue({ metrics: [], level: ' 42%' })).toEqual({ v: 42, unit: '%' });
    expect(mainValue({ metrics: [], level: 'ok' })).toBeNull();
  });

  it('draw a sparkline from the updates received (one point per 5-minute slot), none stored as runs', async () => {
    const clock = new FakeClock(Date.now());
    t = await webSite({
      clock,
      doc: {
        webui: {
          name: 'Hub',
          hostname: '127.0.0.1',
          port: 1,
          cert: null,
          key: null,
          users: { vera: await fastHash(PASSWORDS.vera), '': await fastHash('x-dummy') },
          roles: { vera: 'viewer' },
        },
        scheduler: { jitter: 0 },
        mqtt: { hostname: '127.0.0.1', port: broker.port, basetopic: 'fl/#', instance: 'hub', offlinegrace: 0 },
        checks: { ram: { type: 'memory', options: { level: 100 } } },
      },
      app: (site) => ({ federation: site.federation }),
    });
    const fed = t.site.federation;
    t.site.use(fed);
    await t.site.start();
    await expect.poll(() => fed.connected, { timeout: 20_000 }).toBe(true);
    const p = await peer(broker.port);
    try {
      const send = (level: string): Promise<unknown> =>
        p.publishAsync(
          'fl/nas-box/nas-cpu',
          JSON.stringify({
            name: 'nas-cpu',
            type: 'cpu',
            instance: 'nas-box',
            data: {
              threshold: 1,
              failState: false,
              failCount: 0,
              log: [`CPU: ${level}`],
              softFail: null,
              lastCheck: null,
              lastFail: null,
              lastPass: null,
              level,
            },
          }),
          { qos: 1 },
        );
      const a = new Agent(t.web);
      await a.login('vera', PASSWORDS.vera);
      const tile = (html: string): string => {
        const at = html.indexOf('data-check="nas-cpu"');
        expect(at).toBeGreaterThan(-1);
        return html.slice(at, html.indexOf('</li>', at));
      };
      const levels = [' 42%', ' 77%', ' 55%'];
      for (const [i, level] of levels.entries()) {
        if (i > 0) await clock.advance(300_000);
        await send(level);
        await expect.poll(() => t!.site.state('nas-cpu')?.level, { timeout: 20_000 }).toBe(level);
      }
      const page = tile(await a.page('/hosts'));
      // three updates five minutes apart: one line through three points
      const points = /<polyline class="line" points="([^"]+)"/.exec(page)?.[1];
      expect(points, 'a sparkline on the federated tile').toBeDefined();
      expect(points!.trim().split(' ')).toHaveLength(3);
      expect(page).toContain('aria-label="CPU, last 6 hours: 42.0 to 77.0 %, latest 55.0 %"');
      // nothing was written as runs: the line is the hosts view's memory
      expect(t.site.store.recentRuns('nas-cpu', 10)).toEqual([]);
    } finally {
      await p.endAsync();
    }
  });
});
