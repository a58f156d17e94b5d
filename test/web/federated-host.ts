/**
 * A federated host for the hosts view's tests (issue 22 "Hosts"): a hub site
 * federated over a real MQTT broker, and the peer instance "nas-box" played
 * by a bare MQTT client that publishes its CPU check as fletchck does
 * (reference/fletchck-behaviour.md) and goes offline by its status.
 */
import type { FakeClock } from '../../src/engine/clock.ts';
import { peer, until } from '../federation/helpers.ts';
import { fastHash, PASSWORDS, webSite, type TestSite } from './helpers.ts';

/** The hub's mqtt section: peers under fl/, this instance "hub", offline at once. */
export function hubMqtt(port: number): Record<string, unknown> {
  return { hostname: '127.0.0.1', port, basetopic: 'fl/#', instance: 'hub', offlinegrace: 0 };
}

/** The hub as a web test site (viewer vera, one memory check), its federation started and connected within `connectMs`. */
export async function federatedHub(port: number, clock: FakeClock, connectMs: number): Promise<TestSite> {
  const t = await webSite({
    clock,
    doc: {
      webui: {
        name: 'Hub',
        hostname: '127.0.0.1',
        port: 1,
        cert: null,
        key: null,
        users: { vera: await fastHash(PASSWORDS.vera), '': await fastHash('x-dummy') },
        roles: { vera: 'viewer' },
      },
      scheduler: { jitter: 0 },
      mqtt: hubMqtt(port),
      checks: { ram: { type: 'memory', options: { level: 100 } } },
    },
    app: (site) => ({ federation: site.federation }),
  });
  const fed = t.site.federation;
  t.site.use(fed);
  await t.site.start();
  try {
    await until(() => fed.connected, connectMs, "the hub's federation connected");
  } catch (e) {
    await t.close();
    throw e;
  }
  return t;
}

export type NasBox = Awaited<ReturnType<typeof peer>> & {
  /** publishes nas-cpu's state at `level` */
  send(level: string, failState?: boolean): Promise<unknown>;
  /** publishes nas-box's status: offline, its connection lost (retained, as a will is) */
  offline(): Promise<unknown>;
};

/** The peer instance "nas-box" on the broker at `port`. */
export async function nasBox(port: number): Promise<NasBox> {
  const p = await peer(port);
  return Object.assign(p, {
    send: (level: string, failState = false): Promise<unknown> =>
      p.publishAsync(
        'fl/nas-box/nas-cpu',
        JSON.stringify({
          name: 'nas-cpu',
          type: 'cpu',
          instance: 'nas-box',
          data: {
            threshold: 1,
            failState,
            failCount: failState ? 1 : 0,
            log: [`CPU: ${level}`],
            softFail: null,
            lastCheck: null,
            lastFail: null,
            lastPass: null,
            level,
          },
        }),
        { qos: 1 },
      ),
    offline: (): Promise<unknown> =>
      p.publishAsync(
        'siteward/status/nas-box',
        JSON.stringify({ siteward: 'x', instance: 'nas-box', site: 'NAS', state: 'offline', reason: 'connection lost' }),
        { qos: 1, retain: true },
      ),
  });
}
