/**
 * The web UI shows the subsystems around the engine, against the real
 * parts: a push check's URL (with the API mounted as the wiring does) that
 * really records heartbeats, public badges, a remote check's sender and the
 * MQTT federation's status with an in-process broker.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { Agent, PASSWORDS, decodeHtml, webSite, withApi, type TestSite } from './helpers.ts';
import { rawCheck } from '../../src/web/model.ts';
import type { MqttFederation } from '../../src/federation/mqtt.ts';
import { startAedes, type AedesBroker } from '../servers/aedes.ts';
import { fletchckPayload, peer } from '../federation/helpers.ts';
import { freePort } from '../servers/common.ts';

let t: TestSite | null = null;
let fed: MqttFederation | null = null;
let broker: AedesBroker | null = null;
afterEach(async () => {
  await fed?.stop();
  fed = null;
  await t?.close();
  t = null;
  await broker?.close();
  broker = null;
});

async function agent(user: 'admin' | 'olly' | 'vera'): Promise<Agent> {
  const a = new Agent(t!.web);
  await a.login(user, PASSWORDS[user]);
  return a;
}

const field = (html: string, id: string): string =>
  decodeHtml(new RegExp(`id="${id}"[^>]*value="([^"]*)"`).exec(html)?.[1] ?? new RegExp(`id="${id}"[^>]*>([^<]*)</textarea>`).exec(html)![1]);

describe('push checks', () => {
  it('show the generated push URL and curl examples; the URL records heartbeats and failures', async () => {
    t = await webSite({
      app: withApi,
      checks: { beat: { type: 'push', options: { timeout: 60, grace: 30 } } },
    });
    // the API's push hub generates the token and saves it
    await expect.poll(() => (rawCheck(t!.site.loaded, 'beat')!.options as { token?: string }).token ?? '').toMatch(/^[A-Za-z0-9_-]{32}$/);
    const token = (rawCheck(t.site.loaded, 'beat')!.options as { token: string }).token;
    const o = await agent('olly');
    const page = await o.page('/check/beat');
    const url = field(page, 'push-url-0');
    expect(url).toBe(`http://localhost/push/${token}`);
    expect(field(page, 'push-ex-0')).toBe(`curl -fsS -m 10 --retry 3 'http://localhost/push/${token}'`);
    expect(field(page, 'push-ex-1')).toBe(`curl -fsS -m 10 --retry 3 'http://localhost/push/${token}?status=fail&msg=backup%20failed'`);
    expect(page).toContain('within 60 s + 30 s grace');

    const anon = new Agent(t.web);
    const ok = await anon.request(new URL(url).pathname);
    expect(ok.status).toBe(200);
    expect(t.site.state('beat').failState).toBe(false);
    const fail = await anon.request(`${new URL(url).pathname}?status=fail&msg=backup%20failed`);
    expect(fail.status).toBe(200);
    expect(t.site.state('beat').failState).not.toBe(false);
    expect(t.site.state('beat').log.join('\n')).toContain('backup failed');
  });

  it("also show the API listener's URL when it has a port of its own", async () => {
    t = await webSite({ app: withApi, checks: { beat: { type: 'push', options: { token: 'fixedToken_0123456789' } } } });
    await t.site.mutate((doc) => ({ ...doc, api: { hostname: 'mon.example.org', port: 8089, cert: null, key: null } }));
    const page = await (await agent('olly')).page('/check/beat');
    expect(field(page, 'push-url-1')).toBe('http://mon.example.org:8089/push/fixedToken_0123456789');
  });
});

describe('badges', () => {
  it('are shown with their URLs and snippets when enabled for the check, and the URLs serve SVG', async () => {
    t = await webSite({
      app: withApi,
      checks: { 'web site': { type: 'memory', options: { level: 100, badge: true } }, other: { type: 'memory', options: { level: 100 } } },
    });
    const v = await agent('vera');
    const page = await v.page('/check/web%20site');
    expect(field(page, 'badge-state')).toBe('http://localhost/badge/web%20site/state.svg');
    expect(field(page, 'badge-md')).toBe(
      '![web site](http://localhost/badge/web%20site/state.svg) ![web site uptime](http://localhost/badge/web%20site/uptime.svg?days=30)',
    );
    expect(page).toContain('<img src="http://localhost/badge/web%20site/state.svg" alt="state badge"/>');
    const svg = await new Agent(t.web).request('/badge/web%20site/state.svg');
    expect(svg.status).toBe(200);
    expect(svg.headers.get('Content-Type')).toMatch(/^image\/svg\+xml/);
    expect(await v.page('/check/other')).not.toContain('id="badges"');
    expect((await new Agent(t.web).request('/badge/other/state.svg')).status).toBe(404);
    // badges for every check, switched on in the config form (with the outbox's storm limit, same form)
    const admin = await agent('admin');
    const version = /name="version" value="([^"]+)"/.exec(await admin.page('/config'))![1];
    const res = await admin.post('/config', {
      version,
      'webui.name': 'Test Site',
      'webui.hostname': '127.0.0.1',
      'webui.port': '1',
      'api.badges': 'on',
      'notifications.stormLimit': '3',
    });
    expect(res.status).toBe(303);
    expect(t.site.loaded.doc).toMatchObject({ api: { badges: true }, notifications: { stormLimit: 3 } });
    expect(await v.page('/check/other')).toContain('id="badges"');
    expect((await new Agent(t.web).request('/badge/other/state.svg')).status).toBe(200);
  });
});

describe('MQTT federation', () => {
  const mqtt = (port: number): Record<string, unknown> => ({
    hostname: '127.0.0.1',
    port,
    basetopic: 'sw/#',
    instance: 'hq',
    statustopic: 'siteward/status',
    queuesize: 50,
    offlinegrace: 2,
  });

  it('the config page shows the connection, the instance and the counters; a remote check shows its sender and staleness', async () => {
    broker = await startAedes();
    t = await webSite({ app: (site) => ({ federation: site.federation }) });
    fed = t.site.federation;
    await t.site.mutate((doc) => ({
      ...doc,
      mqtt: mqtt(broker!.port),
      checks: { ...(doc.checks as object), far: { type: 'remote', options: { timeout: 600 } } },
    }));
    await fed.start();
    await expect.poll(() => fed!.connected, { timeout: 5000 }).toBe(true);
    const p = await peer(broker.port);
    const payload = { ...(JSON.parse(fletchckPayload('far', 'disk', { log: ['ok'] })) as object), instance: 'agent-7' };
    await p.publishAsync('sw/agent-7/far', JSON.stringify(payload), { qos: 1 });
    await expect.poll(() => fed!.snapshot().applied, { timeout: 5000 }).toBe(1);
    await p.endAsync();

    const a = await agent('admin');
    const cfg = await a.page('/config');
    expect(cfg).toMatch(new RegExp(`mqtt://127.0.0.1:${broker.port} — <strong class="ok">connected</strong>`));
    expect(cfg).toMatch(/<dt>This instance<\/dt><dd>hq<\/dd>/);
    expect(cfg).toMatch(/<td data-label="Counter">remote updates applied<\/td><td data-label="Value">1<\/td>/);
    // the siteward options are in the MQTT form
    for (const k of ['instance', 'statustopic', 'offlinegrace', 'queuesize', 'maxpayload', 'cafile', 'protocol', 'keepalive'])
      expect(cfg).toContain(`name="mqtt.${k}"`);

    const remote = await a.page('/check/far');
    expect(remote).toMatch(/<dt>Sent by instance<\/dt><dd>agent-7<\/dd>/);
    expect(remote).toMatch(/<dt>Topic<\/dt><dd>sw\/agent-7\/far<\/dd>/);
    expect(remote).toMatch(/<dt>Fails for silence at<\/dt><dd>01 Jan 2026 12:10 UTC<\/dd>/);
  });

  it('a broker that cannot be reached is shown as not connected, with the error', async () => {
    t = await webSite({ app: (site) => ({ federation: site.federation }) });
    fed = t.site.federation;
    const port = await freePort();
    await t.site.mutate((doc) => ({ ...doc, mqtt: mqtt(port) }));
    await fed.start();
    await expect.poll(() => fed!.problem?.message ?? '', { timeout: 5000 }).toMatch(/ECONNREFUSED/);
    const cfg = await (await agent('admin')).page('/config');
    expect(cfg).toContain('<strong class="err">not connected</strong>');
    expect(cfg).toMatch(/<dt>Last problem<\/dt><dd class="err">connect ECONNREFUSED 127\.0\.0\.1:\d+ \(01 Jan 2026 12:00 UTC\)/);
  });

  it('without an mqtt section the panel says MQTT is off; the MQTT form keeps keys it does not show', async () => {
    t = await webSite();
    const a = await agent('admin');
    const page = await a.page('/config');
    expect(page).toContain('MQTT is off');
    await t.site.mutate((doc) => ({ ...doc, mqtt: { hostname: 'broker.example', futureKey: { x: 1 } } }));
    const cfg = await a.page('/config');
    const version = /name="version" value="([^"]+)"/.exec(cfg)![1];
    const res = await a.post('/config', {
      version,
      'webui.name': 'Test Site',
      'webui.hostname': '127.0.0.1',
      'webui.port': '1',
      'mqtt.enable': 'on',
      'mqtt.hostname': 'broker.example',
      'mqtt.persist': 'on',
      'mqtt.retain': 'on',
      'mqtt.autoadd': 'on',
      'mqtt.instance': 'site-a',
      'mqtt.statustopic': 'ops/status',
      'mqtt.offlinegrace': '10',
      'mqtt.queuesize': '200',
      'mqtt.protocol': '5',
      'mqtt.password.src': 'env',
      'mqtt.password.ref': 'MQTT_PASSWORD',
    });
    expect(res.status).toBe(303);
    expect(t.site.loaded.doc.mqtt).toEqual({
      hostname: 'broker.example',
      futureKey: { x: 1 },
      instance: 'site-a',
      statustopic: 'ops/status',
      offlinegrace: 10,
      queuesize: 200,
      protocol: '5',
      password: { env: 'MQTT_PASSWORD' },
    });
    expect(await a.page('/config')).toContain('Stored: env MQTT_PASSWORD.');
  });
});
