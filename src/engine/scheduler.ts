/**
 * The scheduler (spec §6.1): one entry per triggered check in a min-heap of
 * fire times, served by a single timer, so 10,000 checks cost one timer and
 * O(log n) per fire.
 *
 * - interval: first run `firstDelayMs` (1 s) after (re)adding, then every
 *   interval from that origin; missed runs are coalesced into one.
 * - cron: the next calendar match (no run at start-up); missed runs coalesced.
 * - jitter: each fire time is delayed by a uniform random 0…jitter (the base
 *   sequence is not shifted by it).
 * - first-run ramp (issue 20): the first runs of interval checks added
 *   together start at most FIRST_RUN_BURST at the first-run instant, then
 *   FIRST_RUN_RATE a second (a token bucket), each within its own interval;
 *   a site of 10,000 checks no longer starts 10,000 runs (and their
 *   timeouts, sockets and TLS handshakes) within the jitter's 5 s, which set
 *   the process's peak memory. A small site, and any check added later on
 *   its own, still runs first after `firstDelayMs`. The ramp moves the
 *   check's interval origin, so the steady runs stay spread too.
 * - end_date stops a schedule; cron start_date delays its first run.
 * Overlap is the runner's business: the scheduler only says "due".
 */
import type { Clock, TimerHandle } from './clock.ts';
import type { Schedule } from '../config/trigger.ts';

/** First runs of interval checks that start at once (fletchck's FIRSTTRIGGER instant). */
export const FIRST_RUN_BURST = 200;
/** Further first runs per second after the burst. */
export const FIRST_RUN_RATE = 200;

export interface SchedulerOptions {
  clock: Clock;
  /** maximum random delay added to each fire time, ms */
  jitterMs: number;
  /** first run of an interval trigger after add, ms (spec §11 FIRSTTRIGGER = 1 s) */
  firstDelayMs?: number;
  random?: () => number;
  /** first-run ramp (see above); tests may set their own */
  firstRunBurst?: number;
  firstRunRate?: number;
  /** called when a check is due; `planned` is its jittered fire time */
  onDue: (name: string, planned: number) => void;
}

interface Entry {
  name: string;
  schedule: Schedule;
  /** the un-jittered fire time */
  base: number;
  /** the time it actually fires (base + jitter) */
  at: number;
  gen: number;
}

export class Scheduler {
  private readonly heap: Entry[] = [];
  private readonly live = new Map<string, Entry>();
  private timer: TimerHandle | null = null;
  private timerAt = Infinity;
  private gen = 0;
  private stopped = false;
  private firing = false;
  private readonly random: () => number;
  private readonly firstDelayMs: number;
  /** the ramp's token bucket as a virtual time: the next first run may start at max(instant, rampNext) */
  private rampNext = -Infinity;
  private readonly rampStepMs: number;
  private readonly rampBurstMs: number;

  constructor(private readonly o: SchedulerOptions) {
    this.random = o.random ?? Math.random;
    this.firstDelayMs = o.firstDelayMs ?? 1000;
    this.rampStepMs = 1000 / (o.firstRunRate ?? FIRST_RUN_RATE);
    this.rampBurstMs = Math.max(0, (o.firstRunBurst ?? FIRST_RUN_BURST) - 1) * this.rampStepMs;
  }

  /** Adds or replaces a check's schedule. A null schedule removes it. */
  set(name: string, schedule: Schedule | null): void {
    this.live.delete(name);
    if (!schedule || this.stopped) {
      this.rearm();
      return;
    }
    const now = this.o.clock.now();
    const base = this.firstBase(schedule, now);
    if (base === null) return;
    this.insert({ name, schedule, base, at: this.jitter(base), gen: ++this.gen });
  }

  remove(name: string): void {
    this.live.delete(name);
  }

  /** The next (jittered) fire time of a check, or null. */
  nextRun(name: string): number | null {
    return this.live.get(name)?.at ?? null;
  }

  size(): number {
    return this.live.size;
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    this.live.clear();
    this.heap.length = 0;
  }

  private firstBase(s: Schedule, now: number): number | null {
    if (s.kind === 'interval') {
      const t = this.rampSlot(now + this.firstDelayMs, s.everyMs);
      return s.endAt !== null && t > s.endAt ? null : t;
    }
    const from = s.startAt !== null && s.startAt - 1 > now ? s.startAt - 1 : now;
    return this.capped(s, s.calendar.next(from));
  }

  /** The first-run instant `t0` delayed by the ramp: the burst at t0, then one per step, wrapped within the interval. */
  private rampSlot(t0: number, everyMs: number): number {
    // a full bucket holds the burst: virtual time lags t0 by at most burst − 1 steps
    if (this.rampNext < t0 - this.rampBurstMs) this.rampNext = t0 - this.rampBurstMs;
    const slot = Math.max(t0, this.rampNext);
    this.rampNext += this.rampStepMs;
    return t0 + ((slot - t0) % everyMs);
  }

  private capped(s: Schedule, t: number | null): number | null {
    if (t === null) return null;
    return s.endAt !== null && t > s.endAt ? null : t;
  }

  /** The base after `prev`, skipping (coalescing) every base that is already past. */
  private nextBase(s: Schedule, prev: number, now: number): number | null {
    if (s.kind === 'interval') {
      let t = prev + s.everyMs;
      if (t <= now) t = prev + Math.ceil((now - prev) / s.everyMs) * s.everyMs;
      if (t <= now) t += s.everyMs;
      return this.capped(s, t);
    }
    return this.capped(s, s.calendar.next(Math.max(prev, now)));
  }

  private jitter(base: number): number {
    return this.o.jitterMs > 0 ? base + Math.floor(this.random() * this.o.jitterMs) : base;
  }

  private insert(e: Entry): void {
    this.live.set(e.name, e);
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].at <= h[i].at) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
    if (!this.firing && e.at < this.timerAt) this.rearm();
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l].at < h[m].at) m = l;
        if (r < h.length && h[r].at < h[m].at) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }

  private isLive(e: Entry): boolean {
    return this.live.get(e.name) === e;
  }

  private rearm(): void {
    // drop dead entries at the top so the timer targets a live one
    while (this.heap.length && !this.isLive(this.heap[0])) this.pop();
    const next = this.heap[0];
    const at = next ? next.at : Infinity;
    if (at === this.timerAt && this.timer) return;
    this.timer?.cancel();
    this.timer = null;
    this.timerAt = at;
    if (next) this.timer = this.o.clock.setTimer(() => this.fire(), at - this.o.clock.now());
  }

  private fire(): void {
    this.timer = null;
    this.timerAt = Infinity;
    if (this.stopped) return;
    const now = this.o.clock.now();
    const due: Entry[] = [];
    const planned: number[] = [];
    while (this.heap.length && this.heap[0].at <= now) {
      const e = this.pop()!;
      if (this.isLive(e)) {
        due.push(e);
        planned.push(e.at);
      }
    }
    this.firing = true;
    for (const e of due) {
      const base = this.nextBase(e.schedule, e.base, now);
      // the popped entry is reused (it is no longer in the heap): a copy per fire lived until the
      // check's next fire, so every one was promoted to the old generation (issue 20)
      if (base !== null) {
        e.base = base;
        e.at = this.jitter(base);
        e.gen = ++this.gen;
        this.insert(e);
      } else this.live.delete(e.name);
    }
    this.firing = false;
    this.rearm();
    for (let i = 0; i < due.length; i++) this.o.onDue(due[i].name, planned[i]);
  }
}
