/**
 * Issue 23, "exactly one notifier": a new check starts as FAIL (fletchck's
 * rule), so its first PASS is a transition the zone must notify. The chaos
 * run (seed 12345, beside stress-ng) missed it: node a ran a check while it
 * owned it, and by the time the result was committed node b had joined and
 * owned it, so a did not notify; b heard a's PASS as a replicated state
 * before it was ready to notify, so b did not either; from then on b's runs
 * were PASS after PASS (no transition), and after a run the rule was "a
 * passing check with no record: nothing owed". Nobody ever sent the PASS.
 * Now a passing check with no record is owed, marked possibly repeated
 * (notified.ts catchUp; ownership.test.ts has the rule's table). Here the
 * same path on a real Mosquitto: the replicated PASS arrives before the node
 * is ready, and the node must still send it, once, marked.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { describeDaemon, freePort, HOST } from '../servers/common.ts';
import { startMosquitto, MOSQUITTO_PROGRAMS, type Mosquitto } from '../servers/mosquitto.ts';
import { startReceiver, type Receiver } from '../servers/http-receiver.ts';
import { until } from '../federation/helpers.ts';
import { ZoneObjectSchema, zoneTopics } from '../../src/zone/config.ts';
import { encodePayload } from '../../src/federation/payload.ts';
import { initialState } from '../../src/engine/state.ts';
import { openZoneNode, type ZoneNode } from './helpers.ts';

describeDaemon('zone: the first PASS of a check is notified even when it arrived as a replicated state (real Mosquitto)', MOSQUITTO_PROGRAMS, () => {
  let broker: Mosquitto;
  let hook: Receiver;
  let tcp: Server;
  let port: number;
  let node: ZoneNode | null = null;
  beforeAll(async () => {
    broker = await startMosquitto();
    hook = await startReceiver();
    port = await freePort();
    tcp = createServer((s) => s.end());
    await new Promise<void>((r) => tcp.listen(port, HOST, () => r()));
  }, 60_000);
  afterAll(async () => {
    await node?.stop();
    await broker?.close();
    await hook?.close();
    await new Promise((r) => tcp?.close(r));
  });

  /** the webhook's notifications of `check`: its state, and whether it says it may be a repeat */
  const of = (check: string): { state: string; marked: boolean }[] =>
    hook.requests.flatMap((r) => {
      const b = JSON.parse(r.body) as { check: { name: string; state: string; log: string[] } };
      return b.check.name === check ? [{ state: b.check.state, marked: b.check.log.some((l) => l.includes('possibly repeated')) }] : [];
    });

  it('a PASS heard before the node was ready, never notified by anyone, is sent once by the owner, marked possibly repeated', async () => {
    const zone = { name: 'hq', heartbeat: 1, misses: 3, grace: 60 };
    const topics = zoneTopics(ZoneObjectSchema.parse(zone));
    const check = { type: 'tcp', threshold: 1, trigger: { interval: { seconds: 1 } }, options: { hostname: HOST, port, timeout: 2 }, actions: ['hook'] };
    // node "gone" ran "replicated" and passed, but no longer owned it when it committed: its state is retained, no notified record
    const gone = mqtt.connect(`mqtt://${HOST}:${broker.port}`, { protocolVersion: 4 });
    try {
      await new Promise<void>((r) => gone.once('connect', () => r()));
      const now = Date.now();
      const state = { ...initialState(), failState: false, threshold: 1, log: ['passed'], lastCheck: now, lastPass: now, lastUpdate: now };
      await gone.publishAsync(
        topics.state('replicated'),
        encodePayload({ name: 'replicated', type: 'tcp', threshold: 1, state, zone: null, instance: 'gone' }),
        {
          qos: 1,
          retain: true,
        },
      );
    } finally {
      await gone.endAsync(true);
    }

    node = await openZoneNode('a', broker.port, {
      zone,
      notifications: { stormLimit: 0 },
      actions: { hook: { type: 'webhook', options: { url: `${hook.url}/hook` } } },
      // "control": no replicated state; its first run here is the PASS transition, notified as usual
      checks: { replicated: check, control: check },
    });
    const site = node.site;
    let runs = 0;
    site.bus.on('run', ({ name, reason }) => {
      if (name === 'replicated' && reason !== 'remote') runs++;
    });
    // the replicated PASS reached the engine (the node was not ready: not notified then)
    await until(() => site.state('replicated').lastCheck !== null, 30_000, 'the replicated state heard');
    // alone in the zone, the node owns both once ready; a few of its own runs of "replicated" (PASS after PASS)
    await until(() => runs >= 4, 60_000, 'four runs of the check on this node');
    await until(() => of('control').length >= 1, 30_000, 'the control check notified');
    // bounded: before the fix nothing ever came (the assertion below then shows it)
    await until(() => of('replicated').length >= 1, 30_000, 'the replicated check notified').catch(() => undefined);
    expect(of('replicated'), 'the first PASS, once, marked (nobody may have sent it)').toEqual([{ state: 'PASS', marked: true }]);
    expect(
      of('control').map((n) => n.state),
      'the usual first PASS, once',
    ).toEqual(['PASS']);
  }, 120_000);
});
