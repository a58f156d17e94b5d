/**
 * The zone's message authentication in the web UI (docs/ha.md "Trust"), in
 * Chromium, on a real Mosquitto: a node of a zone without a key shows an
 * administrator a notice that the zone is unauthenticated (a viewer does
 * not get it); a node with a key that hears only rejected messages (forged,
 * unsigned ones from a plain MQTT client) shows every user an alert. Light
 * and dark, desktop and phone; axe-core finds nothing serious; no CSP or page
 * errors. Screenshots go to test-artifacts/e2e/ (not committed).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import type { BrowserContext, Page } from 'playwright-core';
import type { Site } from '../../src/site.ts';
import * as wiring from '../../src/wiring.ts';
import { WebService } from '../../src/web/server.ts';
import { describeDaemon, HOST, tempDir } from '../servers/common.ts';
import { startMosquitto, MOSQUITTO_PROGRAMS, type Mosquitto } from '../servers/mosquitto.ts';
import { fastHash } from '../web/helpers.ts';
import { until } from '../federation/helpers.ts';
import { axeFindings, CHROMIUM, launchChromium, SHOTS, signIn, watchPage } from './browser.ts';

const PW = { admin: 'admin-zone-pass', vera: 'viewer-zone-pass' };

describeDaemon('the zone trust notice in Chromium', [CHROMIUM, ...MOSQUITTO_PROGRAMS], () => {
  let broker: Mosquitto;
  const sites: { site: Site; base: string; cleanup: () => void }[] = [];
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];

  const open = async (name: string, key: boolean): Promise<string> => {
    const t = tempDir(`sw-ztrust-${name}-`);
    if (key) writeFileSync(join(t.dir, 'zone.key'), 'e2e-zone-key-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n', { mode: 0o600 });
    const path = join(t.dir, 'site.json');
    writeFileSync(
      path,
      JSON.stringify({
        webui: {
          name: `Zone ${name}`,
          hostname: HOST,
          port: null,
          cert: null,
          key: null,
          users: { admin: await fastHash(PW.admin), vera: await fastHash(PW.vera) },
          roles: { admin: 'admin', vera: 'viewer' },
        },
        mqtt: { hostname: HOST, port: broker.port, statustopic: null },
        zone: { name, heartbeat: 0.3, misses: 3, grace: 0, topic: 'swtest/ztrust', ...(key ? { key: { file: 'zone.key' } } : {}) },
        checks: { web: { type: 'tcp', options: { hostname: HOST, port: 9 } } },
      }),
      { mode: 0o600 },
    );
    const site = await wiring.openSite({ configPath: path, migrations: wiring.migrations(), node: `${name}-1` });
    const services = await wiring.services(site, { port: 0, webui: true });
    for (const s of services) site.use(s);
    await site.start();
    const base = services.find((s): s is WebService => s instanceof WebService)!.address()!.url;
    sites.push({ site, base, cleanup: t.cleanup });
    return base;
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    broker = await startMosquitto({ logType: 'error' });
  }, 120_000);

  afterAll(async () => {
    await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
    for (const s of sites) {
      await s.site.stop();
      s.cleanup();
    }
    await broker?.close();
  });

  const look = async (base: string, user: 'admin' | 'vera', shot: string): Promise<Page[]> => {
    const pages: Page[] = [];
    for (const [scheme, viewport] of [
      ['light', { width: 1280, height: 800 }],
      ['dark', { width: 390, height: 844 }],
    ] as const) {
      const ctx = await launchChromium(join(tempDir('sw-ztrust-profile-').dir, 'p'), { viewport, colorScheme: scheme });
      contexts.push(ctx);
      const page = ctx.pages()[0] ?? (await ctx.newPage());
      watchPage(page, problems);
      await signIn(page, base, user, PW[user]);
      await page.screenshot({ path: join(SHOTS, `zone-trust-${shot}-${scheme}-${viewport.width}.png`), fullPage: true });
      expect(await axeFindings(page)).toEqual([]);
      pages.push(page);
    }
    return pages;
  };

  it('an unauthenticated zone: a notice for the administrator, none for a viewer', async () => {
    const base = await open('plain', false);
    for (const page of await look(base, 'admin', 'plain-admin')) {
      await expect(page.locator('#zone-trust').innerText()).resolves.toMatch(/The zone is not authenticated: anyone who can publish to the broker/);
    }
    for (const page of await look(base, 'vera', 'plain-viewer')) expect(await page.locator('#zone-trust').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('a node that hears only rejected messages: an alert for every user', async () => {
    const base = await open('keyed', true);
    const node = sites[sites.length - 1]!.site.zoneService;
    const c = await mqtt.connectAsync(`mqtt://${HOST}:${broker.port}`, { reconnectPeriod: 0 });
    try {
      await until(
        async () => {
          await c.publishAsync('swtest/ztrust/keyed/node/mallory', '{"node":"mallory","state":"up","heartbeat":10,"version":"x"}', { qos: 1 });
          return node.trust()?.onlyRejected === true;
        },
        20_000,
        'the node hears only rejected messages',
      );
    } finally {
      await c.endAsync(true);
    }
    for (const page of await look(base, 'vera', 'rejected-viewer')) {
      await expect(page.locator('#zone-trust[role=alert]').innerText()).resolves.toMatch(/rejects every message it hears from the other nodes/);
    }
    expect(problems).toEqual([]);
  });
});
