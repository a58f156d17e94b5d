/**
 * The runner (spec §3.2, §3.5): timeouts, errors as data, retries,
 * dependencies, no overlapping runs, bounded fair concurrency. Fake clock.
 */
import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { FakeClock } from '../../src/engine/clock.ts';
import { Runner, ABORT_GRACE_MS, type RunnerHost, type RunMeta } from '../../src/engine/runner.ts';
import { initialState, rulesOf, step, type CheckState, type Step } from '../../src/engine/state.ts';
import { defineCheck, type AnyCheckType, type Outcome, type RunContext } from '../../src/checks/types.ts';
import type { CheckEntry, CheckConfig } from '../../src/config/model.ts';
import { silentLogger } from '../../src/log.ts';
import { sleepOn } from '../../src/checks/shared/errors.ts';
import type { Pacer } from '../../src/engine/pacer.ts';

/** A pacer that holds everything until the test lets it go. */
function heldPacer(): Pacer & { release(): void; held: number } {
  const q: (() => void)[] = [];
  return {
    later: (fn) => void q.push(fn),
    turn: () => new Promise<void>((r) => q.push(r)),
    release: () => {
      while (q.length) q.shift()!();
    },
    get held() {
      return q.length;
    },
  };
}

type Behaviour = (ctx: RunContext, call: number) => Promise<Outcome>;

function harness(
  behaviours: Record<string, Behaviour>,
  opts: { concurrency?: number; configs?: Record<string, Partial<CheckConfig>>; timeout?: number; pacer?: Pacer } = {},
) {
  const clock = new FakeClock();
  const states = new Map<string, CheckState>();
  const calls: Record<string, number> = {};
  const starts: { name: string; at: number }[] = [];
  const commits: { name: string; step: Step; meta: RunMeta }[] = [];
  const types = new Map<string, AnyCheckType>();
  const entries = new Map<string, CheckEntry>();
  for (const [name, fn] of Object.entries(behaviours)) {
    types.set(
      name,
      defineCheck({
        type: name,
        info: { summary: '', pass: '' },
        options: z.looseObject({ timeout: z.number().optional() }),
        defaultTimeout: opts.timeout ?? 5,
        run: (_o, ctx) => {
          calls[name] = (calls[name] ?? 0) + 1;
          starts.push({ name, at: clock.now() });
          return fn(ctx, calls[name]);
        },
      }),
    );
    const config: CheckConfig = {
      name,
      type: name,
      subType: null,
      trigger: null,
      threshold: 1,
      retries: 1,
      priority: 0,
      paused: false,
      failAction: true,
      passAction: true,
      publish: null,
      remoteId: null,
      options: {},
      actions: [],
      depends: [],
      ...opts.configs?.[name],
    };
    entries.set(name, { config, opts: {}, schedule: null, zone: null, active: true, fileData: undefined, index: 0 });
  }
  const host: RunnerHost = {
    clock,
    log: silentLogger(),
    entry: (n) => entries.get(n),
    checkType: (t) => types.get(t),
    state: (n) => states.get(n) ?? initialState(),
    issues: () => [],
    context: (n, _e, signal) => ({
      signal,
      now: () => clock.now(),
      sleep: (ms) => sleepOn(clock, ms, signal),
      zone: null,
      log: silentLogger(),
      scratch: {},
      saveOptions: async () => undefined,
      env: { base: '/', pluginDirs: [], sysRoot: '/sys', procRoot: '/proc' },
      check: { config: entries.get(n)!.config, state: states.get(n) ?? initialState(), displayType: n },
      site: { name: 's', timezone: null, check: () => undefined, runMember: async () => initialState() },
    }),
    input: (n, input, meta) => {
      const e = entries.get(n);
      if (!e) return null;
      const result = step(rulesOf(e.config), states.get(n) ?? initialState(), input, clock.now());
      states.set(n, result.state);
      commits.push({ name: n, step: result, meta });
      return result.state;
    },
  };
  const runner = new Runner(host, opts.concurrency ?? 100, opts.pacer);
  return { clock, runner, states, calls, starts, commits };
}

const passing: Behaviour = async () => ({ fail: false, log: ['ok'] });
const never: Behaviour = () => new Promise<Outcome>(() => undefined);
const honours: Behaviour = (ctx) =>
  new Promise<Outcome>((resolve) => {
    ctx.signal.addEventListener('abort', () => resolve({ fail: true, log: ['host TimeoutError: timed out'] }));
  });

describe('runner', () => {
  it('a check that ignores its signal is abandoned just after its timeout with a TimeoutError line', async () => {
    const h = harness({ hang: never }, { timeout: 2 });
    const p = h.runner.run('hang', 'manual');
    await h.clock.advance(2000 + ABORT_GRACE_MS);
    const s = await p;
    expect(s!.log).toEqual(['hang TimeoutError: no result within 2 s']);
    expect(s!.failState).toBe(true);
  });

  it('ends a timed-out run through the pacer; the grace period starts once the abort is delivered', async () => {
    const pacer = heldPacer();
    const h = harness({ hang: never, polite: honours }, { timeout: 2, pacer });
    const hang = h.runner.run('hang', 'manual');
    const polite = h.runner.run('polite', 'manual');
    await h.clock.advance(2000 + ABORT_GRACE_MS * 4);
    // the pacer holds both aborts: nothing ended, nothing abandoned
    expect(pacer.held).toBe(2);
    expect(h.commits).toEqual([]);
    pacer.release();
    await h.clock.advance(0);
    // the polite check ended on its signal; its result waits for a turn of the pacer too
    expect(pacer.held).toBe(1);
    pacer.release();
    expect((await polite)!.log).toEqual(['host TimeoutError: timed out']);
    await h.clock.advance(ABORT_GRACE_MS - 1);
    expect(h.runner.isRunning('hang')).toBe(true);
    await h.clock.advance(1);
    pacer.release();
    expect((await hang)!.log).toEqual(['hang TimeoutError: no result within 2 s']);
  });

  it('a check that honours its signal ends at the timeout with its own line', async () => {
    const h = harness({ polite: honours }, { timeout: 3 });
    const p = h.runner.run('polite', 'manual');
    await h.clock.advance(3000);
    expect((await p)!.log).toEqual(['host TimeoutError: timed out']);
  });

  it("a thrown error becomes a FAIL with fletchck's detail line", async () => {
    const h = harness({ boom: () => Promise.reject(new RangeError('bad thing')) });
    expect((await h.runner.run('boom', 'manual'))!.log).toEqual(['boom RangeError: bad thing']);
  });

  it('a synchronous throw is caught too', async () => {
    const h = harness({
      sync: () => {
        throw new Error('sync');
      },
    });
    expect((await h.runner.run('sync', 'manual'))!.log).toEqual(['sync Error: sync']);
  });

  it('an outcome that is not an Outcome fails clearly', async () => {
    const h = harness({ junk: async () => ({ nope: 1 }) as unknown as Outcome });
    expect((await h.runner.run('junk', 'manual'))!.log).toEqual(['internal error: the check returned no valid outcome']);
  });

  it("retries: keeps only the last attempt's log, with Retry k/N and Failed after N tries", async () => {
    const h = harness({ flaky: async (_c, n) => ({ fail: true, log: [`attempt ${n}`] }) }, { configs: { flaky: { retries: 3 } } });
    expect((await h.runner.run('flaky', 'manual'))!.log).toEqual(['Retry 3/3', 'attempt 3', 'Failed after 3 tries']);
    expect(h.calls.flaky).toBe(3);
  });

  it('retries stop at the first pass', async () => {
    const h = harness({ flaky: async (_c, n) => ({ fail: n < 2, log: [`attempt ${n}`] }) }, { configs: { flaky: { retries: 5 } } });
    expect((await h.runner.run('flaky', 'manual'))!.log).toEqual(['Retry 2/5', 'attempt 2']);
  });

  it('retries stop at a labelled failure (certificate, hostkey)', async () => {
    const h = harness({ cert: async () => ({ fail: true, log: ['expired'], softFail: 'certificate' }) }, { configs: { cert: { retries: 3 } } });
    await h.runner.run('cert', 'manual');
    expect(h.calls.cert).toBe(1);
  });

  it('a failing dependency soft-fails the check without running it', async () => {
    const h = harness({ db: async () => ({ fail: true, log: ['down'] }), app: passing }, { configs: { app: { depends: ['db'] } } });
    await h.runner.run('db', 'manual');
    const s = await h.runner.run('app', 'manual');
    expect(s!.log).toEqual(['SOFTFAIL (depends=db)']);
    expect(h.calls.app).toBeUndefined();
  });

  it('a manual run while one is in flight waits for it and shares its result', async () => {
    const h = harness(
      {
        slow: async (ctx) => {
          await new Promise((r) => ctx.signal.addEventListener('abort', r));
          return { fail: false, log: ['done'] };
        },
      },
      { timeout: 1 },
    );
    const a = h.runner.run('slow', 'schedule');
    const b = h.runner.run('slow', 'manual');
    await h.clock.advance(1000);
    expect(await a).toBe(await b);
    expect(h.calls.slow).toBe(1);
  });

  it('a scheduled run while one is in flight is skipped', async () => {
    const h = harness({ slow: never }, { timeout: 1 });
    const a = h.runner.run('slow', 'manual');
    expect(await h.runner.run('slow', 'schedule')).toBeNull();
    await h.clock.advance(1000 + ABORT_GRACE_MS);
    await a;
    expect(h.calls.slow).toBe(1);
  });

  it('paused checks do not run and report PAUSED', async () => {
    const h = harness({ p: passing }, { configs: { p: { paused: true } } });
    expect((await h.runner.run('p', 'manual'))!.log).toEqual(['PAUSED']);
    expect(h.calls.p).toBeUndefined();
  });

  it("checks hanging to their timeout do not delay another check's start", async () => {
    const behaviours: Record<string, Behaviour> = { quick: passing };
    for (let i = 0; i < 50; i++) behaviours[`hang${i}`] = never;
    const h = harness(behaviours, { concurrency: 64, timeout: 10 });
    const hung = Object.keys(behaviours)
      .filter((n) => n.startsWith('hang'))
      .map((n) => h.runner.run(n, 'schedule'));
    await h.clock.advance(100);
    const t = h.clock.now();
    const q = h.runner.run('quick', 'schedule');
    await h.clock.advance(0);
    expect(h.starts.find((s) => s.name === 'quick')!.at).toBe(t);
    await q;
    await h.clock.advance(10_000 + ABORT_GRACE_MS);
    await Promise.all(hung);
    expect(h.runner.load.inflight).toBe(0);
  });

  it('bounded concurrency queues runs first-in first-out', async () => {
    const order: string[] = [];
    const b =
      (n: string): Behaviour =>
      async (ctx) => {
        order.push(n);
        await new Promise((r) => ctx.signal.addEventListener('abort', r));
        return { fail: false, log: [] };
      };
    const h = harness({ a: b('a'), b: b('b'), c: b('c'), d: b('d') }, { concurrency: 2, timeout: 1 });
    const runs = ['a', 'b', 'c', 'd'].map((n) => h.runner.run(n, 'schedule'));
    await h.clock.advance(0);
    expect(order).toEqual(['a', 'b']);
    await h.clock.advance(1000);
    expect(order).toEqual(['a', 'b', 'c', 'd']);
    await h.clock.advance(1000);
    await Promise.all(runs);
  });
});
