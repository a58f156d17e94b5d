/**
 * Issue 23, "exactly one notifier", the loss window at commit (docs/ha.md):
 * at a transition the owner publishes its notified record (this state
 * notified, this notification undelivered) in commit(); the transition's
 * rows and the outbox row are written in the flush at the end of that
 * event-loop turn. A kill -9 inside that turn left a record that no outbox
 * held: the others leave the delivery to the node (it is live), and its own
 * next run found the state "already notified" and sent nothing.
 *
 * Deterministic, without racing a kill: node a (in-process, real Mosquitto,
 * real webhook receiver) records its FAIL and is stopped before its outbox
 * holds it in a store that survives (its database is in memory): what the
 * broker keeps and what the node's store lacks are exactly what a kill -9
 * between the publish and the flush leaves. When a starts again it must send
 * that FAIL, once, with its first delivery id. And a delivery the outbox
 * did make (the record's update after it was lost) is not sent again.
 */
import { createServer, type Server } from 'node:net';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeDaemon, freePort, HOST, tempDir } from '../servers/common.ts';
import { startMosquitto, MOSQUITTO_PROGRAMS, type Mosquitto } from '../servers/mosquitto.ts';
import { startReceiver, type Receiver } from '../servers/http-receiver.ts';
import { until } from '../federation/helpers.ts';
import { ZoneObjectSchema, zoneTopics } from '../../src/zone/config.ts';
import { decodeRecord, type NotifiedRecord } from '../../src/zone/notified.ts';
import { deliveryId } from '../../src/actions/outbox/delivery-id.ts';
import { openZoneNode, type ZoneNode } from './helpers.ts';

const ZONE = { name: 'hq', heartbeat: 1, misses: 3, grace: 2 };
const topics = zoneTopics(ZoneObjectSchema.parse(ZONE));

describeDaemon('zone: a notification recorded at commit and never stored is sent when its node comes back (real Mosquitto)', MOSQUITTO_PROGRAMS, () => {
  let broker: Mosquitto;
  let hook: Receiver;
  let port: number;
  let tcp: Server | null = null;
  let watcher: MqttClient;
  /** every record of "web" the broker delivered, raw and decoded, in order */
  let records: { raw: Buffer; rec: NotifiedRecord }[] = [];
  let node: ZoneNode | null = null;
  const dirs: (() => void)[] = [];

  const up = async (): Promise<void> => {
    const s = createServer((c) => c.end());
    await new Promise<void>((r) => s.listen(port, HOST, () => r()));
    tcp = s;
  };
  const down = async (): Promise<void> => {
    const t = tcp;
    tcp = null;
    if (t) await new Promise((r) => t.close(r));
  };
  /** the ids of the webhook's FAIL notifications of "web", from request `from` on */
  const fails = (from = 0): string[] =>
    hook.requests.slice(from).flatMap((r) => {
      const b = JSON.parse(r.body) as { id: string; check: { name: string; state: string } };
      return b.check.name === 'web' && b.check.state === 'FAIL' ? [b.id] : [];
    });
  const last = (): NotifiedRecord | undefined => records[records.length - 1]?.rec;

  const open = (dir: string): Promise<ZoneNode> =>
    openZoneNode(
      'a',
      broker.port,
      {
        zone: ZONE,
        notifications: { stormLimit: 0 },
        actions: { hook: { type: 'webhook', options: { url: `${hook.url}/hook` } } },
        checks: { web: { type: 'tcp', threshold: 1, trigger: { interval: { seconds: 1 } }, options: { hostname: HOST, port, timeout: 2 }, actions: ['hook'] } },
      },
      { dir, keep: true, db: join(dir, 'site.db'), outbox: true },
    );

  beforeAll(async () => {
    broker = await startMosquitto();
    hook = await startReceiver();
    port = await freePort();
    watcher = mqtt.connect(`mqtt://${HOST}:${broker.port}`, { protocolVersion: 4 });
    watcher.on('message', (_t, payload: Buffer) => {
      const rec = payload.length ? decodeRecord(payload) : null;
      if (rec) records.push({ raw: Buffer.from(payload), rec });
    });
    await new Promise<void>((r) => watcher.once('connect', () => r()));
    await watcher.subscribeAsync(topics.notified('web'), { qos: 1 });
  }, 60_000);
  afterEach(async () => {
    await node?.stop();
    node = null;
    await down();
    // the next test starts from an empty broker record
    await watcher.publishAsync(topics.notified('web'), Buffer.alloc(0), { qos: 1, retain: true });
    records = [];
    hook.requests.length = 0;
    hook.fallback = { status: 200, body: 'ok' };
  });
  afterAll(async () => {
    await node?.stop();
    await watcher?.endAsync(true);
    await broker?.close();
    await hook?.close();
    for (const c of dirs) c();
  });

  /**
   * Node a notifies PASS, then FAIL; returns the raw record that lists the FAIL as undelivered (as commit published
   * it). `before`: called with the node stopped after the PASS, before the FAIL's turn (a copy of its database).
   */
  async function passThenFail(dir: string, o: { refuseFail?: boolean; before?: () => void } = {}): Promise<{ raw: Buffer; rec: NotifiedRecord }> {
    await up();
    node = await open(dir);
    await until(() => hook.requests.some((r) => r.body.includes('"PASS"')), 60_000, 'the first PASS notified');
    await until(() => last()?.failing === false && !last()?.undelivered?.length, 30_000, 'the PASS recorded delivered');
    if (o.before) {
      await node.stop();
      o.before();
      node = await open(dir);
    }
    if (o.refuseFail) hook.fallback = { status: 503, body: 'not now' };
    await down();
    const listed = (r: NotifiedRecord): boolean => r.failing && (r.undelivered ?? []).some((u) => u.n.check.state === 'FAIL');
    await until(() => records.some((r) => listed(r.rec)), 60_000, 'the FAIL recorded as undelivered');
    return records.find((r) => listed(r.rec))!;
  }

  it('the FAIL whose rows a kill took is sent once after the restart, with the id of its first attempt', async () => {
    const t = tempDir('swz-loss-');
    dirs.push(t.cleanup);
    const db = join(t.dir, 'site.db');
    const saved = join(t.dir, 'before.db');
    // the database as it was before the FAIL's turn (the node stopped cleanly: one file, no WAL)
    const recorded = await passThenFail(t.dir, { refuseFail: true, before: () => copyFileSync(db, saved) });
    // its one attempt was refused (503): undelivered, the retry is not due for a while
    await until(() => fails().length >= 1, 30_000, 'the refused attempt');
    await node!.stop();
    node = null;
    expect(last()?.undelivered?.length, 'the broker still lists the FAIL as undelivered').toBe(1);
    // what a kill -9 between the publish and the flush leaves: the record on the broker, and a store without the turn's
    // rows (the FAIL state, its transition, its outbox row)
    for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
    copyFileSync(saved, db);
    const entry = recorded.rec.undelivered!.find((u) => u.n.check.state === 'FAIL')!;
    hook.fallback = { status: 200, body: 'ok' };
    const from = hook.requests.length;

    node = await open(t.dir);
    // bounded: before the fix nothing ever came (the node saw its own record: "already notified")
    await until(() => fails(from).length >= 1, 30_000, 'the FAIL sent after the restart').catch(() => undefined);
    await until(() => last() !== undefined && !last()!.undelivered?.length, 30_000, 'the record without undelivered entries').catch(() => undefined);
    expect(fails(from), 'the recorded FAIL, once, with the delivery id of its first attempt').toEqual([deliveryId(entry.n.id!, 'hook')]);
    expect(last()?.undelivered ?? [], 'the record says it was delivered').toEqual([]);
  }, 180_000);

  it('a FAIL the outbox did deliver (the record update after it lost) is kept once: not sent again, and the record drops it', async () => {
    const t = tempDir('swz-kept-');
    dirs.push(t.cleanup);
    const recorded = await passThenFail(t.dir);
    await until(() => fails().length >= 1 && last()?.failing === true && !last()?.undelivered?.length, 30_000, 'the FAIL delivered and recorded so');
    await node!.stop();
    node = null;
    // the broker holds the record as it was before the delivery (a kill -9 after the outbox sent it, before the update went out)
    await watcher.publishAsync(topics.notified('web'), recorded.raw, { qos: 1, retain: true });
    await until(() => (last()?.undelivered?.length ?? 0) === 1, 30_000, 'the older record back on the broker');
    const from = hook.requests.length;

    node = await open(t.dir);
    let runs = 0;
    node.site.bus.on('run', ({ name }) => void (name === 'web' && runs++));
    // bounded: before the fix the node never cleared its record (nothing re-queued, nothing reported)
    await until(() => last() !== undefined && !last()!.undelivered?.length, 30_000, 'the record without undelivered entries').catch(() => undefined);
    expect(last()?.undelivered ?? [], 'the record says it was delivered').toEqual([]);
    // the node has run the check a few times since (FAIL, no transition): nothing else to send
    await until(() => runs >= 3, 30_000, 'three runs after the restart');
    expect(fails(from), 'not sent again').toEqual([]);
  }, 180_000);
});
