/**
 * Why siteward has its own NUT client (src/checks/ups/nut.ts) instead of the
 * npm package node-nut 1.0.3, which the design card named: node-nut keeps its
 * parse state in module-level variables (an implicit global `self`, a shared
 * `vars` array), so concurrent queries — several UPS checks firing together —
 * interfere. Both findings are shown against the real upsd, next to the same
 * load through siteward's client.
 */
import { it, expect, beforeAll, afterAll } from 'vitest';
import { createRequire } from 'node:module';
import { nutListVars } from '../../../src/checks/ups/nut.ts';
import { describeDaemon } from '../../servers/common.ts';
import { startNut, UPSD, DUMMY_UPS, type NutServer, type UpsVars } from '../../servers/nut.ts';

/** The part of node-nut's (untyped, CommonJS) API used here. */
interface NodeNut {
  on(ev: 'ready' | 'close', f: () => void): void;
  on(ev: 'error', f: (e: Error) => void): void;
  start(): void;
  close(): void;
  GetUPSVars(ups: string, cb: (vars: Record<string, string> | null, err: string | null) => void): void;
}
const NodeNutClass = createRequire(import.meta.url)('node-nut') as new (port: number, host: string) => NodeNut;

interface Result {
  ups: string;
  status?: string;
  charge?: string;
  err?: string;
}

/** Variables enough that upsd's reply spans several reads, as with a real UPS driver. */
function upsVars(status: string, charge: string): UpsVars {
  const v: UpsVars = { 'ups.status': status, 'battery.charge': charge, 'battery.voltage': '13.0' };
  for (let i = 0; i < 60; i++) v[`experimental.test.value${i}`] = `value number ${i} for ${status}`;
  return v;
}
const WANT: Record<string, { status: string; charge: string }> = { a: { status: 'OL', charge: '100' }, b: { status: 'OB', charge: '50' } };
const wrong = (r: Result): boolean => r.err !== undefined || r.status !== WANT[r.ups].status || r.charge !== WANT[r.ups].charge;

describeDaemon('node-nut under concurrent queries (why siteward has its own NUT client)', [UPSD, DUMMY_UPS], () => {
  let nut: NutServer;
  beforeAll(async () => {
    nut = await startNut({ a: upsVars('OL', '100'), b: upsVars('OB', '50') });
  });
  afterAll(async () => {
    await nut?.stop();
  });

  const open = (): Promise<NodeNut> =>
    new Promise((resolve, reject) => {
      const n = new NodeNutClass(nut.port, nut.host);
      n.on('ready', () => resolve(n));
      n.on('error', reject);
      n.start();
    });
  const poll = (n: NodeNut, ups: string): Promise<Result> =>
    new Promise((resolve) => {
      n.GetUPSVars(ups, (vars, err) => resolve(err ? { ups, err } : { ups, status: vars?.['ups.status'], charge: vars?.['battery.charge'] }));
    });
  /** One check's worth of node-nut: connect, list, close. */
  const oneShot = (ups: string): Promise<Result> =>
    new Promise((resolve) => {
      const n = new NodeNutClass(nut.port, nut.host);
      const timer = setTimeout(() => resolve({ ups, err: 'no answer within 3 s' }), 3000);
      n.on('error', (e) => {
        clearTimeout(timer);
        resolve({ ups, err: e.message });
      });
      n.on('ready', () =>
        n.GetUPSVars(ups, (vars, err) => {
          clearTimeout(timer);
          n.close();
          resolve(err ? { ups, err } : { ups, status: vars?.['ups.status'], charge: vars?.['battery.charge'] });
        }),
      );
      n.start();
    });
  const ours = async (ups: string): Promise<Result> => {
    try {
      const v = await nutListVars({ host: nut.host, port: nut.port, ups, signal: AbortSignal.timeout(3000) });
      return { ups, status: v['ups.status'], charge: v['battery.charge'] };
    } catch (e) {
      return { ups, err: (e as Error).message };
    }
  };

  it('node-nut: two connections polled at once leave the first one refusing its next poll', async () => {
    const [A, B] = [await open(), await open()];
    try {
      await Promise.all([poll(A, 'a'), poll(B, 'b')]);
      // A has nothing outstanding, yet the global `self` reset B's status instead of A's
      const [second] = await Promise.all([poll(A, 'a'), poll(B, 'b')]);
      expect(second.err).toBe('Other communication still running');
    } finally {
      A.close();
      B.close();
    }
  });

  it("node-nut: one-shot queries in parallel get another UPS's variables; siteward's client never does", async () => {
    const pattern = ['a', 'b', 'a', 'b', 'a'];
    let nodeNutWrong: Result | undefined;
    let rounds = 0;
    // node-nut's mix-up depends on how upsd's reply is split into reads, so
    // look for it over several rounds (here it shows within the first few)
    while (!nodeNutWrong && rounds < 60) {
      rounds++;
      nodeNutWrong = (await Promise.all(pattern.map(oneShot))).find(wrong);
    }
    expect(nodeNutWrong, `node-nut answered correctly for ${rounds} rounds`).toBeDefined();

    for (let i = 0; i < Math.max(rounds, 20); i++) {
      const results = await Promise.all(pattern.map(ours));
      expect(results.filter(wrong)).toEqual([]);
    }
  });
});
