/**
 * A sign-in half done: the password was right, the second factor is still
 * to come. Held in memory for a few minutes behind a random cookie (only its
 * SHA-256 is kept), with a bounded number of tries: a restart simply asks
 * for the password again.
 */
import { createHash, randomBytes } from 'node:crypto';

/** How long the code page stays valid after the password. */
export const PENDING_MS = 5 * 60_000;
/** Wrong codes before the password must be given again. */
export const PENDING_TRIES = 5;
/** Most half-done sign-ins kept at once (oldest dropped). */
const MAX_PENDING = 1000;

export interface PendingLogin {
  user: string;
  /** the password hash it was verified against (the session binds to it) */
  hash: string;
  next: string;
  expires: number;
  tries: number;
}

const sha = (s: string): string => createHash('sha256').update(s).digest('base64url');

export class PendingLogins {
  private readonly map = new Map<string, PendingLogin>();

  constructor(private readonly now: () => number) {}

  /** Returns the cookie value. */
  start(user: string, hash: string, next: string): string {
    const t = this.now();
    for (const [k, v] of this.map) if (v.expires <= t) this.map.delete(k);
    while (this.map.size >= MAX_PENDING) this.map.delete(this.map.keys().next().value!);
    const secret = randomBytes(32).toString('base64url');
    this.map.set(sha(secret), { user, hash, next, expires: t + PENDING_MS, tries: 0 });
    return secret;
  }

  get(cookie: string | undefined): PendingLogin | null {
    if (!cookie) return null;
    const p = this.map.get(sha(cookie));
    if (!p) return null;
    if (p.expires <= this.now()) {
      this.map.delete(sha(cookie));
      return null;
    }
    return p;
  }

  /** A wrong code: true while tries are left. */
  fail(cookie: string): boolean {
    const p = this.map.get(sha(cookie));
    if (!p) return false;
    p.tries += 1;
    if (p.tries >= PENDING_TRIES) {
      this.map.delete(sha(cookie));
      return false;
    }
    return true;
  }

  end(cookie: string): void {
    this.map.delete(sha(cookie));
  }
}
