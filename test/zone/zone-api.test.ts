/**
 * The zone in the API (issue 23's Interface): on a real Mosquitto, three
 * in-process nodes, each with its own API. GET /api/v1/zone (read scope)
 * lists the nodes; a check's view names its owner; an edit through node A's
 * API is answered after it is saved there and shows in node B's API within
 * seconds (issue 23: 2 s; bounded at 10 s for a loaded machine).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { describeDaemon } from '../servers/common.ts';
import { startMosquitto, MOSQUITTO_PROGRAMS, type Mosquitto } from '../servers/mosquitto.ts';
import { until } from '../federation/helpers.ts';
import { apiRoutes, createApiContext } from '../../src/api/app.ts';
import { API_MIGRATIONS } from '../../src/api/tokens.ts';
import { openZoneNode, someChecks, type ZoneNode } from './helpers.ts';
import { apiSiteView } from '../../src/wiring.ts';

interface ApiNode extends ZoneNode {
  get(path: string, scope?: 'read' | 'admin'): Promise<{ status: number; body: Record<string, unknown> }>;
  patch(path: string, body: unknown): Promise<number>;
}

type ZoneBody = {
  zone: string;
  node: string;
  configRevision: { rev: number } | null;
  nodes: { name: string; status: string; checks: number; self: boolean }[];
};

describeDaemon('the zone in the API', MOSQUITTO_PROGRAMS, () => {
  let broker: Mosquitto;
  const nodes: ApiNode[] = [];
  beforeAll(async () => {
    broker = await startMosquitto();
    // heartbeat 2 s: no node here stops, and a node stalled for seconds on a loaded machine must not count as down
    const zone = { name: 'hq', heartbeat: 2, misses: 3, grace: 0, topic: 'swtest/zoneapi' };
    for (const name of ['a', 'b', 'c']) {
      const n = await openZoneNode(name, broker.port, { zone, checks: someChecks(9) }, { migrations: [API_MIGRATIONS] });
      const ctx = createApiContext(apiSiteView(n.site));
      const app: Hono = apiRoutes(ctx);
      const tok = { read: ctx.tokens.create({ name: 'r', scope: 'read' }).secret, admin: ctx.tokens.create({ name: 'a', scope: 'admin' }).secret };
      nodes.push({
        ...n,
        get: async (path, scope = 'read') => {
          const r = await app.request(`/api/v1${path}`, { headers: { authorization: `Bearer ${tok[scope]}` } });
          return { status: r.status, body: (await r.json()) as Record<string, unknown> };
        },
        patch: async (path, body) =>
          (
            await app.request(`/api/v1${path}`, {
              method: 'PATCH',
              headers: { authorization: `Bearer ${tok.admin}`, 'content-type': 'application/json' },
              body: JSON.stringify(body),
            })
          ).status,
      });
    }
    await until(() => nodes.every((n) => n.zone.view().live.length === 2 && n.zone.configRevision !== null), 20_000, 'the zone formed');
  }, 60_000);
  afterAll(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
    await broker?.close();
  });

  it('GET /zone lists every node up with the checks it runs, on every node; a check names its one owner', async () => {
    // (a node stalled for seconds on a loaded machine may be shown down for a moment: wait until all say up)
    // (the answers checked below are the ones in which all three said so, not a second read that may catch a stall)
    let answers: { status: number; body: Record<string, unknown> }[] = [];
    const ups = (): string => answers.map((r) => (r.body as unknown as ZoneBody).nodes?.map((x) => `${x.name} ${x.status}`).join(', ')).join('; ');
    await until(
      async () => {
        answers = await Promise.all(nodes.map((n) => n.get('/zone')));
        return answers.every((r) => (r.body as unknown as ZoneBody).nodes.every((x) => x.status === 'up'));
      },
      15_000,
      () => `every node shows the three up (saw ${ups()})`,
    );
    for (const [i, n] of nodes.entries()) {
      const { status, body } = answers[i]!;
      expect(status).toBe(200);
      const z = body as unknown as ZoneBody;
      expect(z.zone).toBe('hq');
      expect(z.node).toBe(n.name);
      expect(z.nodes.map((x) => [x.name, x.status, x.self])).toEqual([
        ['a', 'up', n.name === 'a'],
        ['b', 'up', n.name === 'b'],
        ['c', 'up', n.name === 'c'],
      ]);
      expect(z.configRevision?.rev).toBeGreaterThanOrEqual(1);
    }
    // the owners every node names add up to the counts the zone reports
    await until(
      async () => {
        const z = (await nodes[0].get('/zone')).body as unknown as ZoneBody;
        return z.nodes.reduce((s, x) => s + x.checks, 0) === 9;
      },
      15_000,
      'the counts of 9 checks',
    );
    // every node names the same owner for each check (each from its own view of the membership, which the heartbeats keep in step)
    const names = Array.from({ length: 9 }, (_, i) => `web ${i}`);
    const owners = async (n: ApiNode): Promise<string> => {
      const out: string[] = [];
      for (const c of names) out.push(((await n.get(`/checks/${encodeURIComponent(c)}`)).body as { owner: string }).owner);
      return out.join();
    };
    await until(
      async () => {
        const [x, y, z] = await Promise.all(nodes.map(owners));
        return x === y && y === z;
      },
      15_000,
      'every node names the same owners',
    );
    const list = (await nodes[0].get('/checks')).body.checks as { name: string; owner: string }[];
    expect(list).toHaveLength(9);
    const agreed = (await owners(nodes[0])).split(',');
    for (const c of list) expect(c.owner).toBe(agreed[names.indexOf(c.name)]);
    for (const c of list) expect(['a', 'b', 'c']).toContain(c.owner);
    // another node's counts come with the heartbeats: they match the owners within a few of them
    const owned = (name: string): number => list.filter((c) => c.owner === name).length;
    await until(
      async () => ((await nodes[1].get('/zone')).body as unknown as ZoneBody).nodes.every((x) => x.checks === owned(x.name)),
      15_000,
      "node b's counts match the owners",
    );
  });

  it("an edit through node A's API is saved there when answered and shows in B's and C's API within seconds (issue 23: 2 s)", async () => {
    expect(await nodes[0].patch('/checks/web%203', { options: { hostname: 'edited.test' } })).toBe(200);
    const t0 = Date.now();
    const opt = async (n: ApiNode): Promise<unknown> =>
      (((await n.get('/checks/web%203')).body.config as { options: { hostname: string } }).options ?? {}).hostname;
    expect(await opt(nodes[0])).toBe('edited.test');
    // issue 23's 2 s holds on an idle machine; bounded generously for a loaded CI machine
    await until(async () => (await opt(nodes[1])) === 'edited.test' && (await opt(nodes[2])) === 'edited.test', 10_000, 'the edit on b and c');
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
