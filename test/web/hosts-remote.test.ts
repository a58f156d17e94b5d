/**
 * A federated host's sparkline (issue 22 "Hosts"): a remote update is not
 * stored as a run, so the tile's line comes from the values the hosts view
 * remembers per remote check (src/web/hosts/remote-ring.ts). Over a real MQTT
 * broker (aedes), with a fake clock five minutes between updates.
 */
import { describe, it, expect, afterAll, beforeAll } from 'vitest';
import { FakeClock } from '../../src/engine/clock.ts';
import { mainValue } from '../../src/web/hosts/remote-ring.ts';
import { Agent, PASSWORDS, type TestSite } from './helpers.ts';
import { federatedHub, nasBox } from './federated-host.ts';
import { startAedes, type AedesBroker } from '../servers/aedes.ts';

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
    t = await federatedHub(broker.port, clock, 20_000);
    const p = await nasBox(broker.port);
    try {
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
        await p.send(level);
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
