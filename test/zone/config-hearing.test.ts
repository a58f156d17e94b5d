/**
 * Issue 23, config replication (docs/ha.md "A node that hears no config"):
 * the statuses prove a node's status subscription; nothing proved its config
 * subscription. A broker ACL that denies reading the config topic, or a
 * subscription the broker lost, left a node on its old config without a
 * word, catching up only if another node published again. Now a node whose
 * peers run a revision it never heard, while no config message reaches it,
 * says so (site log, process log, /healthz, the zone API) and subscribes to
 * the config topic again.
 * Table tests of the rule (config-hearing.ts, a fake clock), then an ACL on
 * a real Mosquitto (said loudly), and a lost subscription on a real NATS
 * cluster, the cause met in the field: the JetStream consumer behind the
 * node's subscription deleted through the server's JetStream API (said, and
 * the new subscription brings the edit). Mosquitto loses no subscription by
 * itself: it keeps them across an ACL reload, and a reconnect subscribes
 * again (clean session).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeDaemon, tempDir } from '../servers/common.ts';
import { startMosquitto, MOSQUITTO_PROGRAMS, type Mosquitto } from '../servers/mosquitto.ts';
import { startNatsCluster, NATS_SERVER, type NatsCluster } from '../servers/nats.ts';
import { deleteMqttConsumer, mqttSessions } from '../servers/nats-js.ts';
import { zoneBroker } from './broker-fixture.ts';
import { until } from '../federation/helpers.ts';
import { putCheck } from '../../src/config/edits.ts';
import { rawEntry } from '../../src/config/raw.ts';
import { hashShared, sharedPart } from '../../src/zone/replica-doc.ts';
import { ConfigHearing, LAG_BEATS, LAG_MS } from '../../src/zone/config-hearing.ts';
import { openZoneNode, someChecks, type ZoneNode } from './helpers.ts';
import { apiDeps } from '../../src/wiring.ts';
import { apiRoutes, createApiContext } from '../../src/api/app.ts';
import { API_MIGRATIONS } from '../../src/api/tokens.ts';

/** GET `path` from the node's API app with a read token. */
async function apiGet(n: ZoneNode, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const ctx = createApiContext(n.site, apiDeps(n.site, null));
  const tok = ctx.tokens.create({ name: 'r', scope: 'read' }).secret;
  const r = await apiRoutes(ctx).request(path, { headers: { authorization: `Bearer ${tok}` } });
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
}

describe('the config hearing rule (fake clock)', () => {
  const make = () => {
    let now = 0;
    const said: string[] = [];
    const h = new ConfigHearing({
      now: () => now,
      deaf: (peer, rev, own, first) => void said.push(`deaf ${peer} ${rev} ${own} ${first}`),
      again: () => void said.push('again'),
    });
    return { h, said, tick: (ms: number) => void (now += ms) };
  };
  const r = (rev: number, node = 'a') => ({ rev, node });

  it('a peer ahead for LAG_BEATS heartbeats and LAG_MS, with no config message arriving: deaf, once per episode', () => {
    const { h, said, tick } = make();
    for (let i = 0; i < LAG_BEATS - 1; i++, tick(2000)) h.peer('a', r(2), r(1, 'b'));
    expect(said).toEqual([]);
    h.peer('a', r(2), r(1, 'b'));
    expect(said).toEqual(['deaf a 2 1 true']);
    expect(h.deafNow).toBe(true);
    for (let i = 0; i < LAG_BEATS; i++, tick(2000)) h.peer('a', r(2), r(1, 'b'));
    expect(said).toEqual(['deaf a 2 1 true', 'deaf a 2 1 false']);
    h.heard(r(2));
    expect(said.at(-1)).toBe('again');
    expect(h.deafNow).toBe(false);
  });

  it('not before LAG_MS (a busy machine), and not while any config message arrives', () => {
    const { h, said, tick } = make();
    for (let i = 0; i < LAG_BEATS * 3; i++, tick(LAG_MS / (LAG_BEATS * 4))) h.peer('a', r(2), r(1, 'b'));
    expect(said).toEqual([]);
    const x = make();
    for (let i = 0; i < LAG_BEATS * 3; i++, x.tick(2000)) {
      x.h.peer('a', r(2), r(1, 'b'));
      if (i % 3 === 0) x.h.heard(null); // a message it could not read: the topic reaches it all the same
    }
    expect(x.said).toEqual([]);
  });

  it('a peer on the same, an older or no revision, or one already heard (being applied), is no sign', () => {
    const { h, said, tick } = make();
    h.heard(r(3));
    for (let i = 0; i < LAG_BEATS * 2; i++, tick(2000)) {
      h.peer('a', r(1), r(1, 'b'));
      h.peer('c', null, r(1, 'b'));
      h.peer('d', r(3), r(1, 'b')); // heard, still being applied here
      h.peer('e', r(1, 'b'), r(1, 'b'));
    }
    expect(said).toEqual([]);
  });
});

const SPREAD_MS = 30_000;
const hostOf = (n: ZoneNode, check: string): unknown => (rawEntry(n.site.loaded.doc, 'checks', check)?.options as { hostname?: string } | undefined)?.hostname;
const setHost = (n: ZoneNode, check: string, hostname: string) =>
  n.site.mutate((d) => putCheck(d, check, { ...(rawEntry(d, 'checks', check) ?? {}), options: { hostname } }));
const synced = (ns: ZoneNode[]): boolean =>
  ns.every((n) => n.zone.configRevision !== null) && new Set(ns.map((n) => hashShared(sharedPart(n.site.loaded.doc)))).size === 1;
const siteLog = (n: ZoneNode): string => n.site.siteLog.all().join('\n');
const DEAF = /zone config: node b receives no config messages \(node a runs revision \d+, this node \d+\)/;

describeDaemon('zone: a node that receives no config messages says so and subscribes again (real Mosquitto)', MOSQUITTO_PROGRAMS, () => {
  const acl = tempDir('swz-cacl-');
  // anonymous clients: everything; user b: its zone's topics except reading the config (mosquitto.conf(5) acl_file)
  const zb = ['node/#', 'notified/#', 'state/#', 'view/#'].map((t) => `topic readwrite swtest/acl/hq/${t}`);
  writeFileSync(join(acl.dir, 'acl'), ['topic readwrite #', '', 'user b', ...zb, 'topic write swtest/acl/hq/config', ''].join('\n'));
  const fx = zoneBroker<Mosquitto, ZoneNode>(() => startMosquitto({ extraConfig: [`acl_file ${join(acl.dir, 'acl')}`] }), { stopNodes: 'each' });
  afterAll(() => acl.cleanup());
  const ZONE = { name: 'hq', heartbeat: 0.5, misses: 3, grace: 0 };

  it('an ACL that denies reading the config topic: the node says so, loudly', async () => {
    const zone = { ...ZONE, topic: 'swtest/acl' };
    const a = await openZoneNode('a', fx.broker.port, { zone, checks: someChecks(3) });
    fx.nodes.push(a);
    const mqtt = { hostname: '127.0.0.1', port: fx.broker.port, username: 'b', password: 'any', statustopic: null };
    const b = await openZoneNode('b', fx.broker.port, { zone, mqtt, checks: someChecks(3) }, { migrations: [API_MIGRATIONS] });
    fx.nodes.push(b);
    await until(() => synced([a, b]) && a.zone.view().live.includes('b') && b.zone.view().live.includes('a'), 30_000, 'both nodes up, one config');
    const calm = await apiGet(b, '/healthz');
    expect((calm.body.zone as Record<string, unknown> | undefined)?.configWarning).toBeUndefined();
    expect((await apiGet(b, '/api/v1/zone')).body.configProblem).toBeNull();
    expect(await setHost(a, 'web 1', '127.0.0.2')).toMatchObject({ ok: true });
    // bounded: before the fix nothing was ever said (b ran its old config in silence)
    await until(() => DEAF.test(siteLog(b)), SPREAD_MS, 'b says it receives no config').catch(() => undefined);
    expect(siteLog(b), 'b says so in its site log (the UI shows it)').toMatch(DEAF);
    // and where a monitor of the monitor looks: /healthz (a warning, not a 503: its checks still run) and the zone API
    const h = await apiGet(b, '/healthz');
    expect(h.status).toBe(200);
    expect((h.body.zone as { configWarning: string }).configWarning).toMatch(DEAF);
    expect(Date.parse((h.body.zone as { configWarningSince: string }).configWarningSince)).toBeGreaterThan(0);
    const z = (await apiGet(b, '/api/v1/zone')).body.configProblem as { since: string; message: string };
    expect(z.message).toMatch(DEAF);
    // the broker still denies it: the edit has not reached b, and b has not pretended otherwise
    expect(hostOf(b, 'web 1')).not.toBe('127.0.0.2');
  }, 90_000);
});

describeDaemon('zone: a config subscription the broker lost (a real NATS server)', [NATS_SERVER], () => {
  const fx = zoneBroker<NatsCluster, ZoneNode>(() => startNatsCluster(3), { stopNodes: 'each', ready: (c) => c.ready(), startTimeoutMs: 120_000 });
  const ZONE = { name: 'hq', heartbeat: 0.5, misses: 3, grace: 0, topic: 'swtest/lost' };
  // the config topic in NATS' subject form, as the server's MQTT session records name it
  const CONFIG = 'swtest.lost.hq.config';
  const withConfig = async (js: number): Promise<string[]> => (await mqttSessions(js)).filter((s) => s.cons?.[CONFIG]).map((s) => s.id);

  it('its JetStream consumer deleted: the node says so, subscribes again and gets the edit', async () => {
    const [port, js] = [fx.broker.mqttPorts[0], fx.broker.clientPorts[0]];
    const a = await openZoneNode('a', port, { zone: ZONE, checks: someChecks(3) });
    fx.nodes.push(a);
    // b's session is the one that appears when b joins
    let before: string[] = [];
    await until(async () => (before = await withConfig(js)).length === 1, 30_000, "a's session subscribed to the config");
    const b = await openZoneNode('b', port, { zone: ZONE, checks: someChecks(3) });
    fx.nodes.push(b);
    await until(() => synced([a, b]) && a.zone.view().live.includes('b') && b.zone.view().live.includes('a'), 30_000, 'both nodes up, one config');
    const sessions = (await mqttSessions(js)).filter((s) => s.cons?.[CONFIG] && !before.includes(s.id));
    expect(sessions.map((s) => s.id)).toHaveLength(1);
    // the incident: the server loses the consumer behind b's config subscription (b's connection and its other
    // subscriptions stay; the server neither says so nor restores it)
    await deleteMqttConsumer(js, sessions[0].cons![CONFIG].durable_name);
    expect(await setHost(a, 'web 1', '127.0.0.2')).toMatchObject({ ok: true });
    // bounded: without the healing the edit never reaches b (a's re-sends go through the consumer that is gone)
    await until(() => hostOf(b, 'web 1') === '127.0.0.2', SPREAD_MS, 'the edit on b').catch(() => undefined);
    expect(hostOf(b, 'web 1'), 'the new subscription brought the retained revision').toBe('127.0.0.2');
    expect(siteLog(b)).toMatch(DEAF);
    await until(() => /node b receives the zone's config again/.test(siteLog(b)), 10_000, 'b says it receives the config again');
    expect(b.zone.configProblem(), 'no longer reported once the config arrives').toBeNull();
  }, 120_000);
});
