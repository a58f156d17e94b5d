/**
 * The first-run ramp (src/engine/scheduler.ts, issue 20): interval checks
 * added together run first at most `burst` at the first-run instant, then
 * `rate` a second, each within its own interval; a check added later on its
 * own still runs 1 s after it is added. Fake clock, no jitter.
 */
import { it, expect } from 'vitest';
import { FakeClock } from '../../src/engine/clock.ts';
import { FIRST_RUN_BURST, FIRST_RUN_RATE, Scheduler } from '../../src/engine/scheduler.ts';
import { compileTrigger, type Schedule } from '../../src/config/trigger.ts';

function sched(trigger: unknown): Schedule {
  const { schedule, issues } = compileTrigger(trigger, 'UTC', []);
  if (!schedule) throw new Error(JSON.stringify(issues));
  return schedule;
}

function harness(o: { burst?: number; rate?: number } = {}) {
  const clock = new FakeClock(Date.UTC(2026, 0, 5, 0, 0, 0));
  const t0 = clock.now();
  const first = new Map<string, number>();
  const s = new Scheduler({
    clock,
    jitterMs: 0,
    firstRunBurst: o.burst,
    firstRunRate: o.rate,
    onDue: (name) => {
      if (!first.has(name)) first.set(name, (clock.now() - t0) / 1000);
    },
  });
  return { clock, first, s };
}

it('a site no larger than the burst runs every first run 1 s after start (fletchck FIRSTTRIGGER)', async () => {
  const { clock, first, s } = harness();
  for (let i = 0; i < FIRST_RUN_BURST; i++) s.set(`c${i}`, sched({ interval: { minutes: 1 } }));
  await clock.advance(1000);
  expect(first.size).toBe(FIRST_RUN_BURST);
  expect(new Set(first.values())).toEqual(new Set([1]));
});

it('beyond the burst, first runs start at the rate, in the order added', async () => {
  const { clock, first, s } = harness({ burst: 3, rate: 2 });
  for (let i = 0; i < 7; i++) s.set(`c${i}`, sched({ interval: { minutes: 1 } }));
  await clock.advance(5000);
  expect(Object.fromEntries(first)).toEqual({ c0: 1, c1: 1, c2: 1, c3: 1.5, c4: 2, c5: 2.5, c6: 3 });
});

it('the ramp moves the interval origin: the steady runs stay spread', async () => {
  const clock = new FakeClock(Date.UTC(2026, 0, 5, 0, 0, 0));
  const t0 = clock.now();
  const runs: [string, number][] = [];
  const s2 = new Scheduler({ clock, jitterMs: 0, firstRunBurst: 1, firstRunRate: 1, onDue: (n) => runs.push([n, (clock.now() - t0) / 1000]) });
  s2.set('a', sched({ interval: { seconds: 10 } }));
  s2.set('b', sched({ interval: { seconds: 10 } }));
  await clock.advance(12_000);
  expect(runs).toEqual([
    ['a', 1],
    ['b', 2],
    ['a', 11],
    ['b', 12],
  ]);
});

it('a first run never waits longer than its own interval (the offset wraps)', async () => {
  const { clock, first, s } = harness({ burst: 1, rate: 1 });
  s.set('slow', sched({ interval: { minutes: 1 } }));
  for (let i = 0; i < 4; i++) s.set(`c${i}`, sched({ interval: { seconds: 3 } }));
  await clock.advance(5000);
  // slots 0,1,2,3,4 s after the instant; the 3 s checks' offsets wrap: 1→1, 2→2, 3→0, 4→1
  expect(Object.fromEntries(first)).toEqual({ slow: 1, c0: 2, c1: 3, c2: 1, c3: 2 });
});

it('a check added later on its own runs 1 s after it is added, whatever the ramp did at start', async () => {
  const { clock, first, s } = harness({ burst: 2, rate: 1 });
  for (let i = 0; i < 10; i++) s.set(`c${i}`, sched({ interval: { minutes: 10 } }));
  await clock.advance(20_000);
  expect(first.get('c9')).toBe(9);
  s.set('late', sched({ interval: { minutes: 10 } }));
  await clock.advance(1000);
  expect(first.get('late')).toBe(21);
});

it('the shipped ramp spreads 10,000 first runs over the rate, not the jitter', async () => {
  const { clock, first, s } = harness();
  for (let i = 0; i < 10_000; i++) s.set(`c${i}`, sched({ interval: { minutes: 1 } }));
  await clock.advance(60_000);
  const perSecond = new Map<number, number>();
  for (const at of first.values()) perSecond.set(Math.floor(at), (perSecond.get(Math.floor(at)) ?? 0) + 1);
  expect(first.size).toBe(10_000);
  expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(FIRST_RUN_BURST + FIRST_RUN_RATE);
  expect(Math.max(...first.values())).toBeCloseTo(1 + (10_000 - FIRST_RUN_BURST) / FIRST_RUN_RATE, 1);
});
