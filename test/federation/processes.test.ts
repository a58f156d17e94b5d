/**
 * Federation between real siteward processes (the built CLI) on one real
 * Mosquitto: mirroring, autoadd, remoteId renames, retained clearing on
 * delete, liveness through the will after SIGKILL, and a 30 s broker outage
 * during which every state change is kept and delivered afterwards.
 */
import { it, expect, beforeAll, afterAll, afterEach } from 'vitest';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describeDaemon, tempDir } from '../servers/common.ts';
import { startMosquitto, MOSQUITTO_PROGRAMS, type Mosquitto } from '../servers/mosquitto.ts';
import { retainedOn } from './helpers.ts';
import { assertBuilt, spawnSiteward, type Proc } from './procs.ts';

const disk = (vol: string, topic: string, seconds = 1): Record<string, unknown> => ({
  type: 'disk',
  trigger: { interval: { seconds } },
  publish: topic,
  options: { volume: vol, level: 100 },
});
const failing = (p: Proc, check: string): boolean | string | null => p.state(check)?.failState ?? null;

describeDaemon('federation between siteward processes', MOSQUITTO_PROGRAMS, () => {
  let mq: Mosquitto;
  let vols: { dir: string; cleanup: () => void };
  const procs: Proc[] = [];
  const mqtt = (instance: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    mqtt: { hostname: '127.0.0.1', port: mq.port, instance, ...extra },
  });
  const start = (name: string, doc: Record<string, unknown>): Proc => {
    const p = spawnSiteward(name, doc);
    procs.push(p);
    return p;
  };
  const vol = (name: string): string => {
    const v = join(vols.dir, name);
    mkdirSync(v, { recursive: true });
    return v;
  };

  beforeAll(async () => {
    assertBuilt();
    mq = await startMosquitto();
  });
  afterAll(async () => {
    await mq?.close();
  });
  afterEach(async () => {
    const codes = await Promise.all(procs.map((p) => p.stop()));
    for (const p of procs.splice(0)) p.cleanup();
    vols?.cleanup();
    // every process that was not killed on purpose shut down cleanly
    expect(codes.filter((c) => c !== null && c !== 0)).toEqual([]);
  });

  it('two processes: a check failing on one shows as a failing remote check on the other within a second', async () => {
    vols = tempDir('swv-');
    const v = vol('a');
    const a = start('a', { ...mqtt('a'), checks: { 'a-vol': disk(v, 'sw/a/a-vol') } });
    const b = start('b', { ...mqtt('b', { basetopic: 'sw/#' }), checks: {} });
    await expect.poll(() => failing(b, 'a-vol'), { timeout: 20_000, interval: 100 }).toBe(false);
    // autoadd saved the site file at once
    expect(b.file().checks['a-vol']).toMatchObject({ type: 'remote', subType: 'disk', trigger: null });

    rmSync(v, { recursive: true });
    await expect.poll(() => failing(a, 'a-vol'), { timeout: 10_000, interval: 50 }).toBe(true);
    await expect.poll(() => failing(b, 'a-vol'), { timeout: 5000, interval: 50 }).toBe(true);
    expect(b.state('a-vol')!.log).toEqual(a.state('a-vol')!.log);
    const aFail = a
      .transitions('a-vol')
      .filter((x) => x.to === 'FAIL')
      .at(-1)!;
    const bFail = b
      .transitions('a-vol')
      .filter((x) => x.to === 'FAIL')
      .at(-1)!;
    const latency = bFail.t - aFail.t;
    console.log(`federation latency A → B: ${latency} ms`);
    expect(latency).toBeLessThan(1000);
  }, 60_000);

  it('three processes: autoadd, a remoteId rename, retained clearing on delete, and liveness when one is SIGKILLed', async () => {
    vols = tempDir('swv-');
    const va = vol('a');
    const a = start('a', { ...mqtt('a'), checks: { 'a-vol': disk(va, 'sw/a/a-vol') } });
    const c = start('c', {
      ...mqtt('c', { basetopic: 'sw/#' }),
      checks: { 'c-vol': disk(vol('c'), 'sw/c/c-vol'), 'c-slow': disk(vol('c'), 'sw/c/c-slow', 3600) },
    });
    const b = start('b', { ...mqtt('b', { basetopic: 'sw/#' }), checks: {} });
    for (const name of ['a-vol', 'c-vol', 'c-slow']) {
      await expect.poll(() => failing(b, name), { timeout: 20_000, interval: 100 }).toBe(false);
    }
    await expect.poll(() => failing(c, 'a-vol'), { timeout: 10_000 }).toBe(false);
    expect(Object.keys(b.file().checks).sort()).toEqual(['a-vol', 'c-slow', 'c-vol']);
    expect(a.file().checks['c-vol']).toBeUndefined(); // A has no basetopic

    // rename on B by editing its file: the new name keeps matching through remoteId
    b.edit((d) => {
      const checks = d.checks as Record<string, Record<string, unknown>>;
      const { 'a-vol': old, ...rest } = checks;
      return { ...d, checks: { ...rest, 'site A volume': { ...old, remoteId: 'a-vol' } } };
    });
    await expect.poll(() => failing(b, 'site A volume'), { timeout: 10_000, interval: 100 }).toBe(false);
    // a rename is not a delete: A's retained state stays
    expect(await retainedOn(mq.port, 'sw/a/a-vol')).not.toBe('');
    rmSync(va, { recursive: true });
    await expect.poll(() => failing(b, 'site A volume'), { timeout: 10_000, interval: 50 }).toBe(true);
    await expect.poll(() => failing(c, 'a-vol'), { timeout: 5000, interval: 50 }).toBe(true);
    expect(b.file().checks['a-vol']).toBeUndefined();

    // delete on B clears the retained state of the deleted remote check (spec §7.5)
    expect(await retainedOn(mq.port, 'sw/c/c-slow')).not.toBe('');
    b.edit((d) => {
      const { 'c-slow': _gone, ...rest } = d.checks as Record<string, unknown>;
      return { ...d, checks: rest };
    });
    await expect.poll(() => retainedOn(mq.port, 'sw/c/c-slow'), { timeout: 10_000, interval: 200 }).toBe('');

    // SIGKILL A: its will marks it offline, and B and C fail its checks (after the default 5 s grace)
    mkdirSync(va);
    await expect.poll(() => failing(b, 'site A volume'), { timeout: 10_000, interval: 50 }).toBe(false);
    await a.kill();
    await expect.poll(() => b.state('site A volume')?.log, { timeout: 15_000, interval: 50 }).toEqual(['instance offline: a (connection lost)']);
    expect(failing(b, 'site A volume')).toBe(true);
    await expect.poll(() => c.state('a-vol')?.log, { timeout: 15_000, interval: 50 }).toEqual(['instance offline: a (connection lost)']);
    expect(failing(b, 'c-vol')).toBe(false);
    expect(JSON.parse(await retainedOn(mq.port, 'siteward/status/a'))).toMatchObject({ state: 'offline', reason: 'connection lost' });
  }, 120_000);
});

describeDaemon('federation across a broker outage', MOSQUITTO_PROGRAMS, () => {
  const procs: Proc[] = [];
  afterEach(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    for (const p of procs.splice(0)) p.cleanup();
  });

  /**
   * Site A publishes a disk check on a folder the test removes and recreates
   * (`flap`); site B mirrors it. Resolves once B has seen it pass.
   */
  async function flapPair(mq: { port: number }, vols: { dir: string }): Promise<{ a: Proc; b: Proc; v: string }> {
    const v = join(vols.dir, 'flap');
    mkdirSync(v);
    const m = (instance: string, extra: Record<string, unknown> = {}) => ({ mqtt: { hostname: '127.0.0.1', port: mq.port, instance, ...extra } });
    const a = spawnSiteward('a', { ...m('a'), checks: { flap: disk(v, 'sw/a/flap') } });
    const b = spawnSiteward('b', { ...m('b', { basetopic: 'sw/#' }), checks: {} });
    procs.push(a, b);
    await expect.poll(() => failing(b, 'flap'), { timeout: 20_000, interval: 100 }).toBe(false);
    return { a, b, v };
  }

  it('stop the broker for 30 s while a check changes state: both sides reconnect and every change arrives', async () => {
    assertBuilt();
    // a broker that keeps sessions and retained messages across its restart, as in production
    const mq = await startMosquitto({ persistence: true });
    const vols = tempDir('swv-');
    try {
      const { a, b, v } = await flapPair(mq, vols);

      await mq.stop();
      const down = Date.now();
      const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
      // three changes while the broker is down, each lasting several runs
      for (const at of [4000, 12_000, 20_000]) {
        await sleep(down + at - Date.now());
        if (at === 12_000) mkdirSync(v);
        else rmSync(v, { recursive: true });
      }
      await sleep(down + 30_000 - Date.now());
      const during = a
        .transitions('flap')
        .filter((x) => x.t > down)
        .map((x) => x.to);
      expect(during).toEqual(['FAIL', 'PASS', 'FAIL']);
      await mq.start();

      // every change made during the outage reaches B, in order
      await expect
        .poll(
          () =>
            b
              .transitions('flap')
              .filter((x) => x.t > down)
              .map((x) => x.to),
          { timeout: 60_000, interval: 250 },
        )
        .toEqual(['FAIL', 'PASS', 'FAIL']);
      for (const p of [a, b]) expect(p.log()).toMatch(/MQTT reconnected to mqtt:\/\/127\.0\.0\.1/);
      // and the link works again both ways: a change after the outage arrives too
      mkdirSync(v);
      await expect.poll(() => failing(b, 'flap'), { timeout: 10_000, interval: 100 }).toBe(false);
    } finally {
      await mq.close();
      vols.cleanup();
    }
  }, 150_000);

  it('a broker that forgets everything: both sides subscribe again and the current state arrives', async () => {
    assertBuilt();
    const mq = await startMosquitto({ persistence: false });
    const vols = tempDir('swv-');
    try {
      const { a, b, v } = await flapPair(mq, vols);
      await mq.stop();
      rmSync(v, { recursive: true });
      await expect.poll(() => failing(a, 'flap'), { timeout: 10_000, interval: 100 }).toBe(true);
      await mq.start();
      await expect.poll(() => failing(b, 'flap'), { timeout: 40_000, interval: 100 }).toBe(true);
      // B subscribed again (the broker had no session for it): a later change still arrives
      mkdirSync(v);
      await expect.poll(() => failing(b, 'flap'), { timeout: 10_000, interval: 100 }).toBe(false);
      expect(b.log()).toMatch(/"sessionPresent":false[^\n]*"msg":"MQTT connected"[\s\S]*"sessionPresent":false[^\n]*"msg":"MQTT connected"/);
    } finally {
      await mq.close();
      vols.cleanup();
    }
  }, 120_000);
});
