/**
 * The loop pacer (src/engine/pacer.ts): work runs at once within a slice of
 * the event loop, past the budget it waits for later turns — in order, results
 * before wind-downs — and other events get in between two slices.
 */
import { describe, it, expect } from 'vitest';
import { performance } from 'node:perf_hooks';
import { LoopPacer, immediatePacer } from '../../src/engine/pacer.ts';

const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A pacer on a clock the test moves: each item "costs" what it adds. */
function pacer(budget = 4): { p: LoopPacer; clock: { t: number } } {
  const clock = { t: 0 };
  return { p: new LoopPacer(budget, () => clock.t), clock };
}

describe('loop pacer', () => {
  it('runs work at once while the slice has time left', () => {
    const { p, clock } = pacer();
    const ran: number[] = [];
    p.later(() => ran.push(1));
    clock.t = 3;
    p.later(() => ran.push(2));
    expect(p.turn()).toBeUndefined();
    expect(ran).toEqual([1, 2]);
  });

  it('past the budget, work waits for later turns and runs in order, results before wind-downs', async () => {
    const { p, clock } = pacer();
    const ran: string[] = [];
    p.later(() => ran.push('a'));
    clock.t = 5;
    p.later(() => ran.push('b'));
    p.later(() => ran.push('c'));
    const t = p.turn();
    expect(t).toBeInstanceOf(Promise);
    void t!.then(() => ran.push('result'));
    expect(ran).toEqual(['a']);
    expect(p.waiting).toBe(3);
    while (p.waiting) await nextTurn();
    await nextTurn();
    expect(ran).toEqual(['a', 'result', 'b', 'c']);
  });

  it('a burst is worked off a slice per turn, with other events in between', async () => {
    // real time: each item keeps the CPU busy for 1 ms
    const p = new LoopPacer(4);
    const ran: number[] = [];
    const item = (i: number) => () => {
      ran.push(i);
      const end = performance.now() + 1;
      while (performance.now() < end) {
        /* busy */
      }
    };
    for (let i = 0; i < 40; i++) p.later(item(i));
    // a 4 ms slice holds at most 4 of them (fewer on a busy machine)
    expect(ran.length).toBeGreaterThanOrEqual(1);
    expect(ran.length).toBeLessThanOrEqual(5);
    // another event (a timer due now) runs before the burst is over
    let timerAt = -1;
    setTimeout(() => (timerAt = ran.length), 0);
    while (p.waiting) await nextTurn();
    expect(ran).toEqual([...Array(40).keys()]);
    expect(timerAt).toBeGreaterThan(0);
    expect(timerAt).toBeLessThan(40);
  });

  it('the immediate pacer runs everything at once', () => {
    const ran: number[] = [];
    immediatePacer.later(() => ran.push(1));
    expect(immediatePacer.turn()).toBeUndefined();
    expect(ran).toEqual([1]);
  });
});
