/**
 * Limits on password verification (issue 15), for the login form and the
 * current password of /account/password:
 *
 * - back-off per client address and user name together (5 failures free)
 *   and per client address (20 free), each further attempt waiting 2 s,
 *   doubling up to 15 min. Keyed by the pair, not the user alone, so an
 *   anonymous client cannot lock a named user (the administrator included)
 *   out from every address.
 * - the attempt is reserved before the slow argon2 verification and undone
 *   only if it succeeds, so parallel guesses count as they start: 50 at
 *   once get as many verifications as 50 in a row (6), not 50.
 * - at most `maxConcurrent` verifications at a time; more are answered at
 *   once (503), without a verification. argon2 runs on libuv's thread pool,
 *   which the checks' file and DNS calls share: a flood of logins must not
 *   make healthy checks time out. With libuv's default of 4 threads, 2 stay
 *   for the checks; the Docker image, the systemd unit and `npm start` set
 *   UV_THREADPOOL_SIZE=16 (libuv sizes its pool when node starts, before
 *   any of siteward's code runs, so it cannot be set from here).
 */
import type { WebuiConfig } from '../config/load.ts';
import type { PasswordChecker } from './auth.ts';

interface Failures {
  count: number;
  /** earliest time of the next allowed attempt */
  until: number;
  last: number;
}

export interface ThrottleOptions {
  /** failures allowed before delays start */
  free: number;
  /** first delay, doubled per further failure */
  baseMs: number;
  maxMs: number;
  /** failures are forgotten after this long without one */
  forgetMs: number;
}

/** Exponential back-off per key. */
export class Throttle {
  private readonly map = new Map<string, Failures>();

  constructor(
    private readonly now: () => number,
    private readonly o: ThrottleOptions,
  ) {}

  private delay(count: number): number {
    const over = count - this.o.free;
    return over > 0 ? Math.min(this.o.maxMs, this.o.baseMs * 2 ** (over - 1)) : 0;
  }

  /** ms until the key may try again (0 = now). */
  wait(key: string): number {
    const f = this.map.get(key);
    if (!f) return 0;
    const t = this.now();
    if (t - f.last > this.o.forgetMs) {
      this.map.delete(key);
      return 0;
    }
    return Math.max(0, f.until - t);
  }

  /** Counts a failure (or reserves an attempt that may yet succeed: `release` undoes it). */
  fail(key: string): void {
    const t = this.now();
    const prev = this.map.get(key);
    const count = prev && t - prev.last <= this.o.forgetMs ? prev.count + 1 : 1;
    this.map.delete(key);
    this.map.set(key, { count, until: t + this.delay(count), last: t });
    // bounded memory under a flood of distinct keys: drop the oldest entries
    if (this.map.size > 10_000) {
      for (const k of this.map.keys()) {
        this.map.delete(k);
        if (this.map.size <= 9_000) break;
      }
    }
  }

  /** Undoes one reserved attempt that turned out to be a success. */
  release(key: string): void {
    const f = this.map.get(key);
    if (!f) return;
    if (f.count <= 1) this.map.delete(key);
    else this.map.set(key, { ...f, count: f.count - 1, until: f.last + this.delay(f.count - 1) });
  }

  reset(key: string): void {
    this.map.delete(key);
  }
}

export const PAIR_THROTTLE: ThrottleOptions = { free: 5, baseMs: 2000, maxMs: 15 * 60_000, forgetMs: 60 * 60_000 };
export const ADDRESS_THROTTLE: ThrottleOptions = { free: 20, baseMs: 2000, maxMs: 15 * 60_000, forgetMs: 60 * 60_000 };
/** Password verifications at once (argon2id at 64 MiB each; libuv's pool must keep threads for the checks). */
export const MAX_VERIFICATIONS = 2;

export type Verdict = { result: 'ok' | 'wrong' } | { result: 'throttled'; waitMs: number } | { result: 'busy' };

export class LoginGuard {
  readonly pairs: Throttle;
  readonly addresses: Throttle;
  private active = 0;

  constructor(
    now: () => number,
    private readonly passwords: PasswordChecker,
    private readonly maxConcurrent = MAX_VERIFICATIONS,
  ) {
    this.pairs = new Throttle(now, PAIR_THROTTLE);
    this.addresses = new Throttle(now, ADDRESS_THROTTLE);
  }

  /** Verifications running now. */
  get running(): number {
    return this.active;
  }

  /**
   * Verifies `password` for `user`, asked from `address`, within the limits.
   * Everything up to the verification runs without awaiting, so concurrent
   * requests see each other's reservations.
   */
  async verify(webui: WebuiConfig | null, user: string, password: string, address: string): Promise<Verdict> {
    const pair = `${address}\u0000${user}`;
    const waitMs = Math.max(this.pairs.wait(pair), this.addresses.wait(address));
    if (waitMs > 0) return { result: 'throttled', waitMs };
    if (this.active >= this.maxConcurrent) return { result: 'busy' };
    this.pairs.fail(pair);
    this.addresses.fail(address);
    this.active++;
    let ok: boolean;
    try {
      ok = await this.passwords.check(webui, user, password);
    } finally {
      this.active--;
    }
    if (!ok) return { result: 'wrong' };
    this.pairs.reset(pair);
    this.addresses.release(address);
    return { result: 'ok' };
  }
}
