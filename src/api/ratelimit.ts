/**
 * Token-bucket rate limiting on the site clock, keyed by client (address) and
 * bounded in memory: the least recently used keys are dropped first.
 */
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';

export interface RateOptions {
  /** bucket size: requests allowed in a burst */
  burst: number;
  /** sustained requests per second */
  perSecond: number;
  /** most keys kept */
  maxKeys?: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly o: RateOptions,
    private readonly now: () => number,
  ) {}

  /** Takes one request from `key`'s bucket; returns 0 if allowed, else seconds to wait. */
  take(key: string): number {
    const now = this.now();
    let b = this.buckets.get(key);
    if (b) {
      this.buckets.delete(key);
      b.tokens = Math.min(this.o.burst, b.tokens + ((now - b.at) / 1000) * this.o.perSecond);
      b.at = now;
    } else {
      b = { tokens: this.o.burst, at: now };
    }
    // re-inserted last: Map order is then least recently used first
    this.buckets.set(key, b);
    if (this.buckets.size > (this.o.maxKeys ?? 10_000)) this.buckets.delete(this.buckets.keys().next().value!);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - b.tokens) / this.o.perSecond);
  }
}

/** The peer address (the socket's; a reverse proxy's address when behind one). */
export function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // app.request() in tests and non-node adapters have no socket
    return 'unknown';
  }
}
