/**
 * The MQTT service against an in-process broker (aedes): publishing after
 * runs (spec §3.5, §7.3), receiving and autoadd (§7.4), retained housekeeping
 * (§7.5), live reconfiguration (§7.6), and siteward's stable client id,
 * liveness, outage queue and staleness timer.
 */
import { describe, it, expect, afterEach, beforeEach } from 'vitest';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Client as AedesClient } from 'aedes';
import { startAedes, type AedesBroker } from '../servers/aedes.ts';
import { openSite, mqttSection, peer, retainedOn, fletchckPayload, captureLogger, type TestSite } from './helpers.ts';
import { stableClientId } from '../../src/federation/options.ts';
import { putCheck, deleteCheck } from '../../src/config/edits.ts';
import { FakeClock } from '../../src/engine/clock.ts';
import { fletchckAccepts } from './fletchck-rules.ts';

let broker: AedesBroker;
const sites: TestSite[] = [];
const seen: { topic: string; payload: string; retain: boolean; client: string | null }[] = [];
const clients = new Map<string, AedesClient>();

beforeEach(async () => {
  broker = await startAedes();
  seen.length = 0;
  broker.broker.on('publish', (p, c) => {
    if (!p.topic.startsWith('$SYS')) seen.push({ topic: p.topic, payload: p.payload.toString(), retain: p.retain, client: c?.id ?? null });
  });
  broker.broker.on('client', (c) => clients.set(c.id, c));
});
afterEach(async () => {
  for (const t of sites.splice(0)) await t.stop();
  await broker.close();
  clients.clear();
});

async function site(doc: Record<string, unknown>, opts: Parameters<typeof openSite>[1] = {}): Promise<TestSite> {
  const t = await openSite(doc, opts);
  sites.push(t);
  await expect.poll(() => t.fed.connected, { timeout: 5000 }).toBe(true);
  return t;
}

const on = (topic: string) => seen.filter((m) => m.topic === topic);

describe('publishing (spec §3.5, §7.3)', () => {
  it('publishes the fletchck payload to the check topic after a manual run, retained at the configured QoS', async () => {
    const t = await site({ timezone: 'Australia/Adelaide', mqtt: mqttSection(broker.port, { instance: 'agent-1' }), checks: {} });
    mkdirSync(join(t.dir, 'vol'));
    await t.site.mutate((d) => putCheck(d, 'root', { type: 'disk', publish: 'sw/agent-1/root', options: { volume: join(t.dir, 'vol'), level: 100 } }));
    await t.site.runNow('root');
    await expect.poll(() => on('sw/agent-1/root').length).toBe(1);
    const m = on('sw/agent-1/root')[0];
    expect(m.retain).toBe(true);
    const p = JSON.parse(m.payload) as { name: string; type: string; instance: string; data: Record<string, unknown> };
    expect(Object.keys(p)).toEqual(['name', 'type', 'data', 'instance']);
    expect(Object.keys(p.data)).toEqual(['threshold', 'failState', 'failCount', 'log', 'softFail', 'lastCheck', 'lastFail', 'lastPass', 'level']);
    expect(p).toMatchObject({ name: 'root', type: 'disk', instance: 'agent-1', data: { failState: false, failCount: 0, threshold: 1 } });
    expect(p.data.lastCheck).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+(10:30|09:30)$/);
    expect(fletchckAccepts(Buffer.from(m.payload))).toBe('accepted');
  });

  it('publishes after scheduled runs, every run, changed or not', async () => {
    const t = await site({ mqtt: mqttSection(broker.port), checks: {} });
    mkdirSync(join(t.dir, 'vol'));
    await t.site.mutate((d) =>
      putCheck(d, 'tick', { type: 'disk', publish: 'sw/tick', trigger: { interval: { seconds: 1 } }, options: { volume: join(t.dir, 'vol'), level: 100 } }),
    );
    await expect.poll(() => on('sw/tick').length, { timeout: 8000 }).toBeGreaterThanOrEqual(3);
  });

  it('does not publish the members a sequence runs, only the sequence (spec §3.5)', async () => {
    const t = await site({ mqtt: mqttSection(broker.port), checks: {} });
    mkdirSync(join(t.dir, 'vol'));
    await t.site.mutate((d) =>
      putCheck(putCheck(d, 'member', { type: 'disk', publish: 'sw/member', options: { volume: join(t.dir, 'vol'), level: 100 } }), 'seq', {
        type: 'sequence',
        publish: 'sw/seq',
        options: { checks: ['member'] },
      }),
    );
    await t.site.runNow('seq');
    await expect.poll(() => on('sw/seq').length).toBe(1);
    expect(JSON.parse(on('sw/seq')[0].payload)).toMatchObject({ type: 'sequence', data: { failState: '' } });
    // the member ran before the sequence committed: had it been published, it would have arrived first
    expect(on('sw/member')).toEqual([]);
  });

  it('uses a stable client id derived from the site, so persist resumes the session', async () => {
    const t = await site({ mqtt: mqttSection(broker.port), checks: {} });
    expect(clients.has(stableClientId(t.configPath))).toBe(true);
    const dir = t.dir;
    await t.site.stop();
    const again = await site({ mqtt: mqttSection(broker.port), checks: {} }, { dir });
    expect(again.configPath).toBe(t.configPath);
    expect([...clients.keys()].filter((id) => id === stableClientId(t.configPath))).toHaveLength(1);
    expect(clients.get(stableClientId(t.configPath))!.clean).toBe(false);
  });
});

describe('receiving (spec §7.4)', () => {
  it('autoadds an unknown remote and saves the site file at once; rejections are counted and logged once each', async () => {
    const { log, lines } = captureLogger();
    const t = await site({ mqtt: mqttSection(broker.port, { basetopic: 'fl/#' }), checks: {} }, { log });
    const p = await peer(broker.port);
    await p.publishAsync('fl/b/broken', '{"name": "broken", "type": "disk", "data": {"failState": true}}', { qos: 1 });
    await p.publishAsync('fl/b/far', fletchckPayload('far', 'disk', { failState: true, failCount: 1, log: ['full'] }), { qos: 1, retain: true });
    await expect.poll(() => t.site.entry('far') && t.site.state('far').log, { timeout: 5000 }).toEqual(['full']);
    expect((t.file().checks as Record<string, unknown>).far).toMatchObject({ type: 'remote', subType: 'disk' });
    expect(t.fed.snapshot()).toMatchObject({ applied: 1, autoadded: 1, rejected: { 'invalid-data': 1 }, rejectedTotal: 1 });
    expect(lines.filter((l) => l.reason === 'invalid-data')).toHaveLength(1);
    expect(lines.find((l) => l.reason === 'invalid-data')).toMatchObject({ topic: 'fl/b/broken', name: 'broken', level: 40 });
    await p.endAsync();
  });

  it('a renamed remote check keeps receiving under its old name through remoteId (spec §8.4)', async () => {
    const t = await site({ mqtt: mqttSection(broker.port, { basetopic: 'fl/#' }), checks: {} });
    const p = await peer(broker.port);
    await p.publishAsync('fl/b/disk', fletchckPayload('disk', 'disk'), { qos: 1, retain: true });
    await expect.poll(() => t.site.entry('disk')?.config.type, { timeout: 5000 }).toBe('remote');
    const raw = (t.site.loaded.doc.checks as Record<string, Record<string, unknown>>).disk;
    await t.site.mutate((d) => putCheck(d, 'b disk', { ...raw }, 'disk'), { renamed: [['disk', 'b disk']] });
    await p.publishAsync('fl/b/disk', fletchckPayload('disk', 'disk', { failState: true, failCount: 1, log: ['b is full'] }), { qos: 1, retain: true });
    await expect.poll(() => t.site.state('b disk').log).toEqual(['b is full']);
    expect(t.site.entry('disk')).toBeUndefined();
    expect(t.site.entry('b disk')!.config.remoteId).toBe('disk');
    await p.endAsync();
  });
});

describe('retained-state housekeeping (spec §7.5)', () => {
  it('deleting a remote check clears the retained message it came from', async () => {
    const t = await site({ mqtt: mqttSection(broker.port, { basetopic: 'fl/#' }), checks: {} });
    const p = await peer(broker.port);
    await p.publishAsync('fl/b/far', fletchckPayload('far', 'disk'), { qos: 1, retain: true });
    await p.endAsync();
    await expect.poll(() => t.site.entry('far')?.config.type, { timeout: 5000 }).toBe('remote');
    expect(await retainedOn(broker.port, 'fl/b/far')).not.toBe('');
    await t.site.mutate((d) => deleteCheck(d, 'far'));
    await expect.poll(() => retainedOn(broker.port, 'fl/b/far'), { timeout: 5000 }).toBe('');
  });

  it('deleting a published check clears its own topic; moving it clears the old one', async () => {
    const t = await site({ mqtt: mqttSection(broker.port), checks: {} });
    mkdirSync(join(t.dir, 'vol'));
    const check = { type: 'disk', publish: 'sw/a', options: { volume: join(t.dir, 'vol'), level: 100 } };
    await t.site.mutate((d) => putCheck(putCheck(d, 'a', check), 'b', { ...check, publish: 'sw/b' }));
    await t.site.runNow('a');
    await t.site.runNow('b');
    await expect.poll(() => retainedOn(broker.port, 'sw/b')).not.toBe('');
    await t.site.mutate((d) => putCheck(d, 'b', { ...check, publish: 'sw/b2' }));
    await expect.poll(() => retainedOn(broker.port, 'sw/b')).toBe('');
    await t.site.mutate((d) => deleteCheck(d, 'a'));
    await expect.poll(() => retainedOn(broker.port, 'sw/a')).toBe('');
  });
});

describe('live reconfiguration (spec §7.6)', () => {
  it('a changed broker, then disabling MQTT, take effect without a restart', async () => {
    const other = await startAedes();
    try {
      const t = await site({ mqtt: mqttSection(broker.port, { instance: 'i1' }), checks: {} });
      let connectedToOther = false;
      other.broker.on('client', () => (connectedToOther = true));
      await t.site.mutate((d) => ({ ...d, mqtt: mqttSection(other.port, { instance: 'i1' }) }));
      await expect.poll(() => connectedToOther && t.fed.connected, { timeout: 5000 }).toBe(true);
      // it left the first broker: its status there says so
      expect(JSON.parse(await retainedOn(broker.port, 'siteward/status/i1'))).toMatchObject({ state: 'offline', reason: 'reconfigured' });
      expect(JSON.parse(await retainedOn(other.port, 'siteward/status/i1'))).toMatchObject({ state: 'online' });
      await t.site.mutate((d) => ({ ...d, mqtt: null }));
      await expect
        .poll(() => retainedOn(other.port, 'siteward/status/i1').then((s) => JSON.parse(s) as { state: string }))
        .toMatchObject({ state: 'offline', reason: 'disabled' });
      expect(t.fed.connected).toBe(false);
    } finally {
      await other.close();
    }
  });

  it('debug logs every packet by command and topic, never its content', async () => {
    const { log, lines } = captureLogger();
    const t = await site({ mqtt: mqttSection(broker.port, { debug: true, username: 'u', password: 'secret-pw' }), checks: {} }, { log });
    expect(t.fed.connected).toBe(true);
    expect(lines.filter((l) => l.msg === 'MQTT packet sent').map((l) => l.cmd)).toEqual(expect.arrayContaining(['connect', 'publish']));
    expect(lines.some((l) => l.msg === 'MQTT packet received' && l.cmd === 'connack')).toBe(true);
    expect(JSON.stringify(lines)).not.toContain('secret-pw');
  });

  it('a soft change (autoadd) keeps the connection', async () => {
    const t = await site({ mqtt: mqttSection(broker.port, { basetopic: 'fl/#' }), checks: {} });
    await t.site.mutate((d) => ({ ...d, mqtt: mqttSection(broker.port, { basetopic: 'fl/#', autoadd: false }) }));
    const p = await peer(broker.port);
    await p.publishAsync('fl/x', fletchckPayload('x', 'disk'), { qos: 1 });
    await expect.poll(() => t.fed.snapshot().rejected['unknown-check']).toBe(1);
    expect(t.fed.snapshot().connects).toBe(1);
    await p.endAsync();
  });
});

describe('liveness (siteward)', () => {
  it('announces itself with a retained birth and goes offline on stop', async () => {
    const t = await site({ mqtt: mqttSection(broker.port, { instance: 'agent-7' }), checks: {} });
    expect(JSON.parse(await retainedOn(broker.port, 'siteward/status/agent-7'))).toMatchObject({ state: 'online', instance: 'agent-7' });
    await t.site.stop();
    expect(JSON.parse(await retainedOn(broker.port, 'siteward/status/agent-7'))).toMatchObject({ state: 'offline', reason: 'shutdown' });
  });

  async function pair(grace: number, clock?: FakeClock): Promise<{ a: TestSite; b: TestSite }> {
    const a = await site({ mqtt: mqttSection(broker.port, { instance: 'a' }), checks: {} });
    mkdirSync(join(a.dir, 'vol'));
    await a.site.mutate((d) => putCheck(d, 'a-root', { type: 'disk', publish: 'sw/a/a-root', options: { volume: join(a.dir, 'vol'), level: 100 } }));
    const b = await site({ mqtt: mqttSection(broker.port, { instance: 'b', basetopic: 'sw/#', offlinegrace: grace }), checks: {} }, { clock });
    return { a, b };
  }

  it("a lost connection fires the will: the other side fails that instance's checks at once, and the reconnect heals them", async () => {
    const { a, b } = await pair(0);
    await a.site.runNow('a-root');
    await expect.poll(() => b.site.entry('a-root') && b.site.state('a-root').failState, { timeout: 5000 }).toBe(false);
    // the broker drops A without a DISCONNECT, as after a crash or a network cut
    clients.get(stableClientId(a.configPath))!.close();
    await expect.poll(() => b.site.state('a-root').log, { timeout: 5000 }).toEqual(['instance offline: a (connection lost)']);
    expect(b.site.state('a-root').failState).toBe(true);
    // A reconnects by itself, announces itself and republishes its states
    await expect.poll(() => b.site.state('a-root').failState, { timeout: 10_000 }).toBe(false);
  });

  it('with the default grace, a connection blip that heals in a second fails nothing', async () => {
    const clock = new FakeClock();
    const { a, b } = await pair(5, clock);
    await a.site.runNow('a-root');
    await expect.poll(() => b.site.entry('a-root') && b.site.state('a-root').failState, { timeout: 5000 }).toBe(false);
    const transitions: string[] = [];
    b.site.bus.on('transition', (e) => transitions.push(`${e.name} ${e.event.to}`));
    const statuses = b.fed.snapshot().statuses;
    clients.get(stableClientId(a.configPath))!.close();
    // the will, then the birth of the reconnected A
    await expect.poll(() => b.fed.snapshot().statuses, { timeout: 10_000 }).toBe(statuses + 2);
    await clock.advance(60_000);
    expect(transitions).toEqual([]);
    expect(b.site.state('a-root').failState).toBe(false);
  });
});

describe('outages (siteward)', () => {
  it('queues what is published while the broker is unreachable and sends it in order on reconnect', async () => {
    const t = await site({ mqtt: mqttSection(broker.port), checks: {} });
    const vol = join(t.dir, 'vol');
    mkdirSync(vol);
    await t.site.mutate((d) => putCheck(d, 'flap', { type: 'disk', publish: 'sw/flap', options: { volume: vol, level: 100 } }));
    await t.site.runNow('flap');
    await expect.poll(() => on('sw/flap').length).toBe(1);
    await broker.pause();
    await expect.poll(() => t.fed.connected).toBe(false);
    rmSync(vol, { recursive: true });
    await t.site.runNow('flap');
    mkdirSync(vol);
    await t.site.runNow('flap');
    rmSync(vol, { recursive: true });
    await t.site.runNow('flap');
    expect(t.fed.snapshot().queued).toBe(3);
    await broker.resume();
    // the three queued states, then the current one republished on connect
    await expect.poll(() => on('sw/flap').length, { timeout: 10_000 }).toBe(5);
    expect(on('sw/flap').map((m) => (JSON.parse(m.payload) as { data: { failState: boolean } }).data.failState)).toEqual([false, true, false, true, true]);
    expect(t.fed.snapshot()).toMatchObject({ queued: 0, dropped: 0, disconnects: 1, connects: 2 });
  });
});

describe('staleness through the broker (siteward)', () => {
  it('a remote with a timeout and no trigger fails when updates stop (FakeClock)', async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 22, 9, 0));
    const t = await site(
      {
        timezone: 'UTC',
        mqtt: mqttSection(broker.port, { basetopic: 'fl/#' }),
        checks: { far: { type: 'remote', subType: 'disk', options: { timeout: 120 } } },
      },
      { clock },
    );
    const p = await peer(broker.port);
    await p.publishAsync('fl/far', fletchckPayload('far', 'disk', { lastCheck: '2026-11-22T09:00:00+00:00' }), { qos: 1 });
    await expect.poll(() => t.site.state('far').failState).toBe(false);
    await clock.advance(100_000);
    await p.publishAsync('fl/far', fletchckPayload('far', 'disk', { lastCheck: '2026-11-22T09:01:40+00:00' }), { qos: 1 });
    await expect.poll(() => t.fed.staleDeadline('far')).toBe(clock.now() + 120_000);
    await clock.advance(119_000);
    expect(t.site.state('far').failState).toBe(false);
    await clock.advance(2000);
    expect(t.site.state('far')).toMatchObject({ failState: true, log: ['Update timeout 120 sec (22 Nov 2026 09:01 UTC)'] });
    expect(t.fed.snapshot().stale).toBe(1);
    await p.endAsync();
  });
});
