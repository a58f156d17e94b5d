/**
 * Issue 23, multi-vantage proof: three sites (zones hq, dc2, home) on one
 * real Mosquitto, each running the same check against its own target (a
 * real TCP listener the test opens and closes). One of three sees FAIL → no
 * notification; two see FAIL → exactly one FAIL notification, with each
 * vantage's view in it; they recover → exactly one PASS. A real webhook
 * receiver counts.
 */
import { createServer, type Server } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeDaemon, freePort, HOST, tempDir } from '../servers/common.ts';
import { startMosquitto, MOSQUITTO_PROGRAMS, type Mosquitto } from '../servers/mosquitto.ts';
import { startReceiver, type Receiver } from '../servers/http-receiver.ts';
import { until } from '../federation/helpers.ts';
import { openSite } from '../../src/wiring.ts';
import { vantageSiteView } from '../../src/wiring-views.ts';
import type { Site } from '../../src/site.ts';
import { VantageService } from '../../src/zone/vantage-service.ts';

const ZONES = ['hq', 'dc2', 'home'];

interface Vantage {
  zone: string;
  site: Site;
  views: VantageService;
  stop(): Promise<void>;
}

async function openVantage(zone: string, broker: number, target: number, hook: string): Promise<Vantage> {
  const { dir, cleanup } = tempDir(`swv-${zone}-`);
  const configPath = join(dir, 'site.json');
  const doc = {
    scheduler: { jitter: 0 },
    zone: { name: zone, heartbeat: 0.5, misses: 3, grace: 0 },
    mqtt: { hostname: HOST, port: broker, statustopic: null },
    actions: { hook: { type: 'webhook', options: { url: `${hook}/hook` } } },
    checks: {
      web: {
        type: 'tcp',
        trigger: { interval: { seconds: 1 } },
        options: { hostname: HOST, port: target, timeout: 2, vantage: ZONES, quorum: 2 },
        actions: ['hook'],
      },
    },
  };
  writeFileSync(configPath, JSON.stringify(doc, null, 1));
  const site = await openSite({ configPath, dbPath: ':memory:', random: () => 0, node: `${zone}-1` });
  const views = new VantageService({ node: `${zone}-1` }, vantageSiteView(site));
  site.use(site.zoneService);
  site.use(views);
  await site.start();
  return {
    zone,
    site,
    views,
    stop: async () => {
      await site.stop();
      cleanup();
    },
  };
}

/** A TCP target on a fixed port that the test opens (PASS) and closes (FAIL). */
class Target {
  private server: Server | null = null;
  constructor(readonly port: number) {}
  async open(): Promise<void> {
    if (this.server) return;
    const s = createServer((c) => c.end());
    await new Promise<void>((r) => s.listen(this.port, HOST, () => r()));
    this.server = s;
  }
  async close(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise((r) => s.close(r));
  }
}

describeDaemon('zone: multi-vantage quorum on one real broker', MOSQUITTO_PROGRAMS, () => {
  let broker: Mosquitto;
  let hook: Receiver;
  const targets = new Map<string, Target>();
  const sites: Vantage[] = [];

  beforeAll(async () => {
    broker = await startMosquitto({ logType: 'error' });
    hook = await startReceiver();
    for (const z of ZONES) {
      const t = new Target(await freePort());
      await t.open();
      targets.set(z, t);
    }
  }, 60_000);

  afterAll(async () => {
    await Promise.all(sites.map((s) => s.stop()));
    await Promise.all([...targets.values()].map((t) => t.close()));
    await hook?.close();
    await broker?.close();
  });

  const sent = (): { state: string; vantages: string[]; text: string }[] =>
    hook.requests.map((r) => {
      const b = JSON.parse(r.body) as { message: string; check: { state: string; vantages: string[] } };
      return { state: b.check.state, vantages: b.check.vantages, text: b.message };
    });
  const runs = (): number[] => sites.map((s) => s.site.state('web').lastCheck ?? 0);
  /** every zone ran the check at least three more times (its clock) */
  const moreRuns = async (what: string): Promise<void> => {
    const seen = runs();
    await until(
      () => runs().every((t, i) => t > seen[i]! + 2000),
      30_000,
      () =>
        `${what} (last runs ${runs()
          .map((t, i) => `${ZONES[i]} +${t - seen[i]!} ms`)
          .join(', ')})`,
    );
  };
  const failing = (): boolean[] => sites.map((s) => s.site.state('web').failState === true);

  it('one of three vantages sees FAIL → nothing; two → one FAIL notification; they recover → one PASS', async () => {
    for (const z of ZONES) sites.push(await openVantage(z, broker.port, targets.get(z)!.port, hook.url));
    await until(() => sites.every((s) => s.views.verdict('web') === 'pass'), 60_000, 'every vantage sees the quorum PASS');

    // hq alone sees FAIL: its own transition is not notified, the quorum stays PASS
    await targets.get('hq')!.close();
    await until(() => failing()[0] === true, 30_000, 'hq sees FAIL');
    await moreRuns('three more runs everywhere with hq failing');
    expect(failing()).toEqual([true, false, false]);
    expect(sites.map((s) => s.views.verdict('web'))).toEqual(['pass', 'pass', 'pass']);
    expect(sent()).toEqual([]);

    // dc2 too: two of three → exactly one FAIL notification, whichever zone sends it
    await targets.get('dc2')!.close();
    await until(() => sites.every((s) => s.views.verdict('web') === 'fail'), 60_000, 'every vantage sees the quorum FAIL');
    await until(() => hook.requests.length >= 1, 30_000, 'the FAIL notification');
    await moreRuns('three more runs everywhere after the FAIL');
    expect(sent().map((s) => s.state)).toEqual(['FAIL']);
    const fail = sent()[0]!;
    expect(fail.vantages).toEqual([expect.stringMatching(/^hq: FAIL/), expect.stringMatching(/^dc2: FAIL/), expect.stringMatching(/^home: PASS/)]);
    expect(fail.text).toContain('FAIL in 2 of 3 vantage zones (quorum 2)');
    expect(failing()).toEqual([true, true, false]);

    // both recover → PASS by quorum, once
    await targets.get('hq')!.open();
    await targets.get('dc2')!.open();
    await until(() => hook.requests.length >= 2, 60_000, 'the PASS notification');
    await moreRuns('three more runs everywhere after the PASS');
    expect(sent().map((s) => s.state)).toEqual(['FAIL', 'PASS']);
    // PASS as soon as FAIL is no longer possible: two of three PASS (one may still show its FAIL)
    const pass = sent()[1]!;
    expect(pass.vantages.filter((l) => / PASS \(node /.test(l)).length).toBeGreaterThanOrEqual(2);
    expect(pass.vantages[2]).toMatch(/^home: PASS/);
  }, 240_000);
});
