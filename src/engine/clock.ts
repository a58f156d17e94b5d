/**
 * Time and timers behind one interface, so the scheduler and runner can be
 * tested with a fake clock instead of real sleeps (style-anchors "inject time").
 */

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  now(): number;
  setTimer(fn: () => void, ms: number): TimerHandle;
}

/** Timers longer than this are re-armed in steps (setTimeout's 32-bit limit). */
const MAX_TIMER = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const delay = Math.max(0, Math.min(ms, MAX_TIMER));
    let t: NodeJS.Timeout | null = null;
    if (delay < ms) {
      const target = Date.now() + ms;
      const rearm = (): void => {
        const left = target - Date.now();
        t = left > MAX_TIMER ? setTimeout(rearm, MAX_TIMER) : setTimeout(fn, Math.max(0, left));
      };
      t = setTimeout(rearm, MAX_TIMER);
    } else {
      t = setTimeout(fn, delay);
    }
    return {
      cancel: () => {
        if (t) clearTimeout(t);
      },
    };
  },
};

/**
 * A manual clock for tests and benchmarks: `advance(ms)` fires due timers in
 * time order, letting promises settle between them.
 */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: { at: number; seq: number; fn: () => void; live: boolean }[] = [];

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimer(fn: () => void, ms: number): TimerHandle {
    const timer = { at: this.t + Math.max(0, ms), seq: this.seq++, fn, live: true };
    this.timers.push(timer);
    return {
      cancel: () => {
        timer.live = false;
      },
    };
  }

  /** Number of live timers (for tests that assert nothing is left scheduled). */
  pending(): number {
    return this.timers.filter((x) => x.live).length;
  }

  /** Moves time forward, firing every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await flush();
      this.timers = this.timers.filter((x) => x.live);
      let next: (typeof this.timers)[number] | undefined;
      for (const x of this.timers) if (x.at <= end && (!next || x.at < next.at || (x.at === next.at && x.seq < next.seq))) next = x;
      if (!next) break;
      this.t = Math.max(this.t, next.at);
      next.live = false;
      next.fn();
    }
    this.t = end;
    await flush();
  }

  /** Advances to an absolute instant. */
  async advanceTo(at: number): Promise<void> {
    await this.advance(Math.max(0, at - this.t));
  }
}

/** Lets pending promise callbacks (and one macrotask turn) run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}
