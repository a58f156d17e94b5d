/**
 * Cooperative slicing of engine work. Node runs every timer that falls due in
 * one go, and every ready socket in one go, so 1,000 checks that time out
 * together (they started together) would hold the event loop for their whole
 * wind-down — socket close, outcome, state machine, SQLite commit, a few
 * tenths of a millisecond each — and every other check's start and result
 * would wait behind them (bench/hang.ts measured 490 ms; docs/performance.md).
 *
 * The pacer runs work at once while the current slice of the event loop is
 * short; past `budgetMs` it queues the rest, and the queue is worked off a
 * slice per event-loop turn: one setImmediate per item, so each item's promise
 * continuations run before the next item starts and count in its slice.
 * Between two slices the loop serves timers (the scheduler) and I/O.
 * Two priorities: results of runs go before the wind-down of timed-out runs;
 * within a priority nothing is overtaken.
 */
import { performance } from 'node:perf_hooks';

export interface Pacer {
  /** Runs `fn` now, or in a later turn of the event loop when the current slice is used up (low priority). */
  later(fn: () => void): void;
  /** Resolves now (undefined) or in a later turn (normal priority): `const t = pacer.turn(); if (t) await t;` */
  turn(): Promise<void> | undefined;
}

/** No slicing: everything runs at once (fake clocks in tests, where real time means nothing). */
export const immediatePacer: Pacer = {
  later: (fn) => fn(),
  turn: () => undefined,
};

export class LoopPacer implements Pacer {
  private sliceStart = 0;
  /** the event loop has come round since the slice began (a setImmediate ran), so a new one may begin */
  private yielded = true;
  private readonly high: (() => void)[] = [];
  private readonly low: (() => void)[] = [];
  /** immediates in flight, one per queued item */
  private scheduled = 0;
  private readonly markYield = (): void => {
    this.yielded = true;
  };

  constructor(
    private readonly budgetMs = 4,
    private readonly now: () => number = () => performance.now(),
  ) {}

  later(fn: () => void): void {
    if (this.waiting === 0 && this.slice()) {
      fn();
      return;
    }
    this.low.push(fn);
    this.pump();
  }

  turn(): Promise<void> | undefined {
    if (this.waiting === 0 && this.slice()) return undefined;
    return new Promise<void>((resolve) => {
      this.high.push(resolve);
      this.pump();
    });
  }

  /** Items waiting for a later turn. */
  get waiting(): number {
    return this.high.length + this.low.length;
  }

  /** Whether work may run now: a slice is open with time left, or a new one can begin. */
  private slice(): boolean {
    const t = this.now();
    if (this.yielded) {
      this.yielded = false;
      this.sliceStart = t;
      setImmediate(this.markYield);
      return true;
    }
    return t - this.sliceStart < this.budgetMs;
  }

  /** An immediate for every queued item that has none (immediates queued in a check phase run in the next turn). */
  private pump(): void {
    while (this.scheduled < this.waiting) {
      this.scheduled++;
      setImmediate(this.step);
    }
  }

  private readonly step = (): void => {
    this.scheduled--;
    if (!this.slice()) {
      // this turn's slice is used up: wait for the next
      this.pump();
      return;
    }
    const fn = this.high.shift() ?? this.low.shift();
    fn?.();
  };
}
