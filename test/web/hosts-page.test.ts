/**
 * /hosts against a real site (issue 22 "Hosts"): local checks that really
 * run, a TrueNAS check against the JSON-RPC stand-in (test/servers/truenas.ts),
 * tile history from the 5-minute tier and the raw runs, and federated hosts
 * over a real MQTT broker (aedes): a card per instance, its CPU tile from the
 * level it publishes, silent once it goes offline, and a live batch that
 * carries only the changed card.
 */
import { describe, it, expect, afterEach, beforeAll, afterAll } from 'vitest';
import { FakeClock } from '../../src/engine/clock.ts';
import { HostSeries, SPAN } from '../../src/web/hosts/series.ts';
import { MetricCodec } from '../../src/store/history.ts';
import { fragment } from '../../src/web/render.tsx';
import { hostId } from '../../views/partials/host-card.tsx';
import { Agent, PASSWORDS, webSite, type TestSite } from './helpers.ts';
import { alert, disk, mirror, pool, startTruenas, type FakeTruenas } from '../servers/truenas.ts';
import { startAedes, type AedesBroker } from '../servers/aedes.ts';
import { federatedHub, nasBox } from './federated-host.ts';

const KEY = '1-Xq9cZ2dW8sLrTnVbKpYfGhJmE4uA7oQ3iS6tR0eWzC5vB1nM';
const TIB = 1024 ** 4;

let t: TestSite | null = null;
let nas: FakeTruenas;
let broker: AedesBroker;
beforeAll(async () => {
  nas = await startTruenas(
    {
      apiKey: KEY,
      pools: [
        pool({
          name: 'tank',
          size: 4 * TIB,
          allocated: 3.4 * TIB,
          data: [mirror(0, 'ONLINE', [disk('sda'), disk('sdb')])],
          cache: [disk('nvme0n1')],
          spare: [disk('sdd', { status: 'AVAIL' })],
        }),
        pool({ name: 'scratch', size: 1 * TIB, allocated: 0.1 * TIB, data: [disk('sdc')] }),
      ],
      // below the check's alertLevel (WARNING): listed on the card, the check still passes
      alerts: [alert('INFO', 'Scrub of pool <b>tank</b> &amp; friends finished.'), alert('CRITICAL', 'Dismissed already', { dismissed: true })],
    },
    { tls: false },
  );
  broker = await startAedes();
});
afterAll(async () => {
  await nas.stop();
  await broker.close();
});
afterEach(async () => {
  await t?.close();
  t = null;
});

describe('the hosts page', () => {
  it('a viewer sees this instance with a tile per host check and a card per TrueNAS pool with its marks; signed out goes to sign-in', async () => {
    t = await webSite({
      checks: {
        ram: { type: 'memory', options: { level: 100 } },
        root: { type: 'disk', options: { volume: '/', level: 100 } },
        nas: { type: 'truenas', options: { hostname: '127.0.0.1', port: nas.port, tls: false, apiKey: KEY, level: 90, warnLevel: 80 } },
        notes: { type: 'memory', options: { level: 100 }, paused: true },
      },
    });
    for (const n of ['ram', 'root', 'nas']) await t.site.runNow(n);
    expect(t.site.state('nas').failState).toBe(false);
    const a = new Agent(t.web);
    const out = await a.get('/hosts');
    expect(out.status).toBe(302);
    expect(out.headers.get('location')).toMatch(/^\/login/);
    await a.login('vera', PASSWORDS.vera);
    const page = await a.page('/hosts');
    expect(page).toContain('<a href="/hosts" aria-current="page">Hosts</a>');
    // tank is above the TrueNAS check's warnLevel: the check, so the host, warns
    expect(t.site.state('nas').warn).toBe(true);
    expect(page).toContain(`<article id="${hostId('self')}" class="card host" data-state="WARN"`);
    expect(page).toContain('<h2 id="' + hostId('self') + '-h">Test Site</h2>');
    expect(page).toContain('<a href="/checks?instance=local">4 checks</a>: 1 warn, 1 paused, 2 pass');
    // tiles: the level as the check reports it, linked to the check
    const tiles = [
      ...page.matchAll(
        /<li class="htile" data-state="(\w+)" data-check="([^"]+)"><a [^>]*><span class="tile-label">([^<]+)<\/span><span class="tile-value">([^<]+)</g,
      ),
    ];
    expect(tiles.map((m) => [m[2], m[3], m[1]])).toEqual([
      ['notes', 'Memory', 'PAUSED'],
      ['ram', 'Memory', 'PASS'],
      ['root', 'Disk /', 'PASS'],
    ]);
    expect(tiles[0][4]).toBe('–');
    expect(tiles[1][4]).toMatch(/^\d+%$/);
    // one card per pool: tank is 85 % full, between warnLevel (80) and level (90)
    expect(page).toContain('<section class="pool" data-band="warn" data-healthy="yes" aria-label="Pool tank">');
    expect(page).toContain('<section class="pool" data-band="ok" data-healthy="yes" aria-label="Pool scratch">');
    expect(page).toContain('aria-label="tank: 85.0 % used; warning above 80 %, failing above 90 %"');
    expect(page).toContain('<rect class="cap-used warn" x="0" y="0" width="85" height="10"></rect>');
    expect(page).toContain('<line class="cap-warn" x1="80" y1="0" x2="80" y2="10"></line>');
    expect(page).toContain('<line class="cap-crit" x1="90" y1="0" x2="90" y2="10"></line>');
    // the vdev layout from the run: a group per vdev, a square per disk with its name, status and counts
    const groups = [...page.matchAll(/<li class="vdev" data-status="(\w+)"><span class="vdev-label">([^<]+)<\/span><span class="disks">(.*?)<\/span><\/li>/g)];
    expect(groups.map((g) => [g[2], g[1]])).toEqual([
      ['mirror', 'ONLINE'],
      ['cache', 'ONLINE'],
      ['spare', 'AVAIL'],
      ['stripe', 'ONLINE'],
    ]);
    expect(groups[0][3]).toBe(
      '<span class="disk ok" role="img" aria-label="sda: ONLINE, 0 read, 0 write, 0 checksum errors" title="sda: ONLINE, 0 read, 0 write, 0 checksum errors" tabindex="0"></span>' +
        '<span class="disk ok" role="img" aria-label="sdb: ONLINE, 0 read, 0 write, 0 checksum errors" title="sdb: ONLINE, 0 read, 0 write, 0 checksum errors" tabindex="0"></span>',
    );
    // the active alerts, escaped plain text; the dismissed one is not listed
    expect(page).toContain(
      '<li data-level="INFO"><strong class="alert-level">info</strong> Scrub of pool tank &amp; friends finished. <a class="muted" href="/check/nas">nas</a></li>',
    );
    expect(page).not.toContain('Dismissed already');
    // live: the page subscribes to the hosts view
    expect(page).toContain('/events?view=hosts');
  });

  it("a tile's sparkline reads the 5-minute tier before the roll-up watermark and the raw runs after it, the same slots either way", async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
    t = await webSite({ clock, checks: { ram: { type: 'memory', options: { level: 100 } } } });
    const start = clock.now();
    for (let i = 0; i < 40; i++) {
      await t.site.runNow('ram');
      await clock.advance(5 * 60_000);
    }
    const now = clock.now();
    const series = new HostSeries(t.site.db, t.site.store, new MetricCodec(t.site.db));
    const raw = series.read('ram', now);
    while (t.site.store.rollupStep(now));
    const w = t.site.store.rolledUntil()!;
    expect(w).toBeGreaterThan(now - SPAN);
    const mixed = series.read('ram', now);
    const slots = (s: typeof raw): number[] => s.samples.map((x) => x.t);
    expect(slots(mixed)).toEqual(slots(raw));
    expect(slots(raw)).toEqual(Array.from({ length: 40 }, (_, i) => start + i * 5 * 60_000).filter((x) => x >= now - SPAN));
    mixed.samples.forEach((s, i) => expect(s.v).toBeCloseTo(raw.samples[i].v, 1));
    expect(raw.unit).toBe('%');
    // the page draws it
    const a = new Agent(t.web);
    await a.login('vera', PASSWORDS.vera);
    const page = await a.page('/hosts');
    expect(page).toMatch(
      /<svg class="hspark" viewBox="0 0 120 32" preserveAspectRatio="none" role="img" aria-label="Memory, last 6 hours: [\d.]+( to [\d.]+)? %, latest [\d.]+ %">/,
    );
    expect(page).toMatch(/<polyline class="line" points="[\d., ]+"><\/polyline>/);
    // a new run is drawn at once (a tile's history is kept until its check runs again or roll-up moves on)
    const points = (html: string): string => /<li class="htile"[^]*?<polyline class="line" points="([^"]+)"/.exec(html)![1];
    await clock.advance(5 * 60_000);
    await t.site.runNow('ram');
    const after = await a.page('/hosts');
    expect(points(after)).not.toBe(points(page));
    expect(points(after).split(' ')).toHaveLength(points(page).split(' ').length + 1);
  });
});

describe('federated hosts over MQTT', () => {
  it('a card per instance with its CPU tile; a live batch carries only the changed card; offline makes it silent, not PASS', async () => {
    const clock = new FakeClock(Date.now());
    t = await federatedHub(broker.port, clock, 10_000);
    const p = await nasBox(broker.port);
    await p.send(' 42%');
    await expect.poll(() => t!.site.state('nas-cpu')?.level, { timeout: 10_000 }).toBe(' 42%');
    const a = new Agent(t.web);
    await a.login('vera', PASSWORDS.vera);
    let page = await a.page('/hosts');
    const card = hostId('h:nas-box');
    expect(page).toContain(`<article id="${card}" class="card host" data-state="PASS"`);
    expect(page).toMatch(/federated instance · last heard from <time [^>]*>just now<\/time>/);
    expect(page).toContain('<li class="htile" data-state="PASS" data-check="nas-cpu">');
    expect(page).toMatch(/data-check="nas-cpu"><a [^>]*><span class="tile-label">CPU<\/span><span class="tile-value">42%</);
    // this instance's own card comes first
    expect(page.indexOf(hostId('self'))).toBeLessThan(page.indexOf(card));

    // a new level: the live batch for /hosts has that card, swapped out of band, and not this instance's
    await p.send(' 77%');
    await expect.poll(() => t!.site.state('nas-cpu').level).toBe(' 77%');
    const who = { csrf: 'x', operate: false };
    const live = await fragment(t.site, t.web.deps, { kind: 'hosts' }, who, { states: new Set(['nas-cpu']), ran: new Set(), lines: [] });
    expect(live).toContain(`<article id="${card}" class="card host" data-state="PASS" aria-labelledby="${card}-h" hx-swap-oob="true">`);
    expect(live).toContain('<span class="tile-value">77%</span>');
    expect(live).not.toContain(hostId('self'));
    expect(live).not.toContain('id="hosts"');

    // the instance goes away (its will): silent, never PASS
    await p.offline();
    await expect.poll(async () => /data-state="SILENT"/.test(await a.page('/hosts')), { timeout: 10_000 }).toBe(true);
    page = await a.page('/hosts');
    expect(page).toContain(`<article id="${card}" class="card host" data-state="SILENT"`);
    expect(page).toContain('<strong class="host-silent"> · offline (connection lost)</strong>');
    await p.publishAsync('siteward/status/nas-box', '', { qos: 1, retain: true });
    await p.endAsync();
  });
});
