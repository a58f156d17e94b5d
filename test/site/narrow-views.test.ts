/**
 * Issue 18, "no service receives the whole site": the services wiring.ts
 * builds (the web UI, the API, the fleet watcher, the zone views, the
 * remote-write export) each get an object of just what they use
 * (src/wiring-views.ts), never the `Site` façade; what follows the config
 * is read through getters, so an edit reaches them.
 */
import { describe, expect, it } from 'vitest';
import { openTestSite } from '../helpers/site.ts';
import { putCheck } from '../../src/config/edits.ts';
import { services } from '../../src/wiring.ts';
import { apiSiteView, fleetSiteView, remoteWriteSiteView, vantageSiteView, webSiteView } from '../../src/wiring-views.ts';
import type { Site } from '../../src/site.ts';

/** Every value reachable from `root` through own properties (getters read), `depth` levels down. */
function reachable(root: object, depth: number): unknown[] {
  const out: unknown[] = [];
  const walk = (o: object, d: number): void => {
    for (const key of Object.getOwnPropertyNames(o)) {
      let v: unknown;
      try {
        v = (o as Record<string, unknown>)[key];
      } catch {
        continue;
      }
      out.push(v);
      if (d > 1 && v !== null && typeof v === 'object') walk(v, d - 1);
    }
  };
  walk(root, depth);
  return out;
}

const doc = {
  mqtt: { hostname: '127.0.0.1', port: 1, statustopic: null },
  fleet: true,
  checks: { a: { type: 'disk', trigger: { interval: { minutes: 5 } } } },
};

describe('narrow site views', () => {
  it('no service wiring.ts builds holds the Site façade', async () => {
    const t = await openTestSite(doc);
    try {
      const built = await services(t.site, { webui: false });
      const names = built.map((s) => s.name);
      for (const n of ['fleet', 'zone-views', 'remote-write']) expect(names).toContain(n);
      for (const s of built) {
        // the federation and the zone service are the site's own parts, built before the façade
        if (s === t.site.federation || s === t.site.zoneService) continue;
        expect(reachable(s, 2), s.name).not.toContain(t.site);
      }
    } finally {
      await t.close();
    }
  });

  it('each view is not the façade, reaches no façade, and follows a config edit', async () => {
    const t = await openTestSite(doc);
    try {
      const site: Site = t.site;
      const views = {
        web: webSiteView(site),
        api: apiSiteView(site),
        fleet: fleetSiteView(site),
        vantage: vantageSiteView(site),
        remoteWrite: remoteWriteSiteView(site),
      };
      for (const [name, v] of Object.entries(views)) {
        expect(v, name).not.toBe(site);
        expect(reachable(v, 2), name).not.toContain(site);
      }
      expect(Object.keys(views.fleet).sort()).toEqual(['base', 'clock', 'configPath', 'log', 'settings', 'warn']);
      const before = { loaded: views.vantage.loaded, settings: views.fleet.settings };
      expect((await site.mutate((d) => putCheck(d, 'b', { type: 'disk' }))).ok).toBe(true);
      expect(site.loaded).not.toBe(before.loaded);
      for (const v of [views.web, views.api, views.vantage, views.remoteWrite]) {
        expect(v.loaded).toBe(site.loaded);
        expect(v.loaded.checks.has('b')).toBe(true);
      }
      for (const v of [views.web, views.api, views.fleet, views.vantage, views.remoteWrite]) expect(v.settings).toBe(site.settings);
      expect(views.vantage.zone).toBe(site.zone);
      expect(views.remoteWrite.scheduler.size()).toBe(site.scheduler.size());
    } finally {
      await t.close();
    }
  });
});
