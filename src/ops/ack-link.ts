/**
 * Signed one-click acknowledgement links (issue 19, docs/operations.md
 * "Acknowledge from the notification"). A link carries a token
 *
 *     v1.<base64url(JSON [check, episode, action, expires])>.<base64url(HMAC-SHA256)>
 *
 * bound to one check, one failure episode (its lastFail), the action that
 * sent it and an expiry. The token is the credential: whoever holds the
 * link may acknowledge that failure and nothing else. The key (32 random
 * bytes) lives in the site database; it is made once, on first use, and
 * changes only when an admin rotates it (logged), never silently.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Database as Db } from 'better-sqlite3';
import { migrate, type MigrationSet } from '../store/db.ts';

export const ACK_LINK_MIGRATIONS: MigrationSet = {
  module: 'ack-link',
  steps: [`CREATE TABLE ack_link_key (id INTEGER PRIMARY KEY CHECK (id = 1), secret BLOB NOT NULL, created INTEGER NOT NULL)`],
};

/** How long a link works after its notification was made. */
export const ACK_LINK_TTL = 24 * 3_600_000;
/** The longest token read (a check name is at most a few hundred characters). */
export const MAX_TOKEN = 2048;

export interface AckClaim {
  check: string;
  /** the failure it acknowledges: the check's lastFail when the link was made */
  episode: number;
  /** the action whose message carried the link */
  action: string;
  expires: number;
}

export type Verified = { ok: true; claim: AckClaim } | { ok: false; error: string };

const b64 = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export class AckLinks {
  private key: Buffer | null = null;

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
    private readonly readOnly: boolean,
  ) {
    if (!readOnly) migrate(db, [ACK_LINK_MIGRATIONS]);
  }

  /** The key, made on first use; null when there is none and none can be written (read-only). */
  private secret(): Buffer | null {
    if (this.key) return this.key;
    let row: { secret: Buffer } | undefined;
    try {
      row = this.db.prepare('SELECT secret FROM ack_link_key WHERE id = 1').get() as { secret: Buffer } | undefined;
    } catch {
      return null; // read-only and never migrated: no links
    }
    if (!row && !this.readOnly) {
      const secret = randomBytes(32);
      this.db.prepare('INSERT OR IGNORE INTO ack_link_key (id, secret, created) VALUES (1, ?, ?)').run(secret, this.now());
      row = this.db.prepare('SELECT secret FROM ack_link_key WHERE id = 1').get() as { secret: Buffer };
    }
    this.key = row ? Buffer.from(row.secret) : null;
    return this.key;
  }

  private mac(key: Buffer, body: string): Buffer {
    return createHmac('sha256', key).update(`v1.${body}`).digest();
  }

  /** A token for `claim`, or null when no key can be had. */
  sign(claim: AckClaim): string | null {
    const key = this.secret();
    if (!key) return null;
    const body = b64(JSON.stringify([claim.check, claim.episode, claim.action, claim.expires]));
    return `v1.${body}.${b64(this.mac(key, body))}`;
  }

  /** What a token claims, when it is ours, whole and not expired. */
  verify(token: string): Verified {
    const bad: Verified = { ok: false, error: 'This acknowledgement link is not valid: it is incomplete or was altered. Open the check in siteward instead.' };
    if (token.length > MAX_TOKEN) return bad;
    const m = /^v1\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]{43})$/.exec(token);
    const key = this.secret();
    if (!m || !key) return bad;
    const want = this.mac(key, m[1]);
    const got = Buffer.from(m[2], 'base64url');
    if (got.length !== want.length || !timingSafeEqual(got, want)) return bad;
    let v: unknown;
    try {
      v = JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8'));
    } catch {
      return bad;
    }
    if (!Array.isArray(v) || v.length !== 4 || typeof v[0] !== 'string' || typeof v[1] !== 'number' || typeof v[2] !== 'string' || typeof v[3] !== 'number')
      return bad;
    const claim: AckClaim = { check: v[0], episode: v[1], action: v[2], expires: v[3] };
    if (this.now() > claim.expires)
      return { ok: false, error: `This acknowledgement link for ${claim.check} has expired. Open the check in siteward to acknowledge it there.` };
    return { ok: true, claim };
  }

  /** Replaces the key: every link sent before stops working. The caller logs who did it. */
  rotate(): boolean {
    if (this.readOnly) return false;
    this.db.prepare('INSERT OR REPLACE INTO ack_link_key (id, secret, created) VALUES (1, ?, ?)').run(randomBytes(32), this.now());
    this.key = null;
    return true;
  }
}
