/**
 * Web sessions in SQLite (module `web`), identified by a random secret in a
 * signed cookie. Fixes spec §9.9 "sessions die on every web restart": the
 * HMAC key lives in the site folder (mode 0600) and sessions in the site
 * database, so a restart logs nobody out.
 *
 * - The cookie holds `<secret>.<HMAC-SHA256(key, secret)>`; the database only
 *   the SHA-256 of the secret, so a copy of the database yields no cookie.
 * - A session remembers a fingerprint of the user's password hash: changing
 *   the password (from the UI, the raw editor or the file) or removing the
 *   user ends every session of that user.
 * - Expiry slides with use (idle limit, fletchck's AUTHEXPIRY of 2 days) up to
 *   an absolute limit.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { Database as Db, Statement } from 'better-sqlite3';
import { migrate, type MigrationSet } from '../store/db.ts';
import { ensurePrivate } from '../config/save.ts';

export const WEB_MIGRATIONS: MigrationSet = {
  module: 'web',
  steps: [
    `CREATE TABLE web_sessions (
       id TEXT PRIMARY KEY,
       user TEXT NOT NULL,
       pwfp TEXT NOT NULL,
       csrf TEXT NOT NULL,
       created INTEGER NOT NULL,
       seen INTEGER NOT NULL,
       expires INTEGER NOT NULL,
       address TEXT
     );
     CREATE INDEX web_sessions_user ON web_sessions (user);
     CREATE INDEX web_sessions_expires ON web_sessions (expires);`,
    // how the session was signed in (password, or OpenID Connect with the role its claims gave)
    `ALTER TABLE web_sessions ADD COLUMN source TEXT NOT NULL DEFAULT 'password';
     ALTER TABLE web_sessions ADD COLUMN role TEXT;`,
  ],
};

/** spec §11 AUTHEXPIRY: 2 days without use ends a session. */
export const IDLE_MS = 2 * 86_400_000;
/** however active, a session ends after 30 days. */
export const ABSOLUTE_MS = 30 * 86_400_000;
/** `seen`/`expires` are written at most this often per session. */
const TOUCH_MS = 60_000;

/** How a session was signed in: a local password (with or without 2FA), or single sign-on. */
export type SessionSource = 'password' | 'oidc';

export interface Session {
  /** hash of the secret (the row id) */
  id: string;
  user: string;
  csrf: string;
  created: number;
  expires: number;
  source: SessionSource;
  /** oidc: the role the identity provider's claims gave at sign-in */
  role: string | null;
}

/**
 * What a session is bound to now: a password session to the user's stored
 * hash, a single sign-on session to the OpenID Connect settings (src/web/oidc);
 * undefined ends it.
 */
export type CurrentBinding = (user: string, source: SessionSource) => string | undefined;

type Row = { id: string; user: string; pwfp: string; csrf: string; created: number; seen: number; expires: number; source: SessionSource; role: string | null };

/** A short fingerprint of a stored password hash (never the hash itself). */
export function passwordFingerprint(hash: string): string {
  return createHash('sha256').update(`siteward-pwfp\0${hash}`).digest('base64url').slice(0, 22);
}

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * Reads the site's session signing key, creating it on first use. The file
 * is created exclusively with mode 0600, so two processes never disagree.
 */
export async function loadSigningKey(path: string): Promise<Buffer> {
  try {
    const text = (await readFile(path, 'utf8')).trim();
    if (/^[0-9a-f]{64,}$/i.test(text)) {
      await ensurePrivate(path);
      return Buffer.from(text, 'hex');
    }
    throw new Error(`${path} does not hold a key (expected 64 hex digits)`);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const key = randomBytes(32);
  try {
    await writeFile(path, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (e) {
    // another process created it first: use theirs
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return loadSigningKey(path);
    throw e;
  }
}

/** Runs a write that a read may do on the side; false when the database refused it. */
function bestEffort(write: () => unknown): boolean {
  try {
    write();
    return true;
  } catch {
    return false;
  }
}

export class SessionStore {
  private readonly q: {
    insert: Statement;
    get: Statement;
    touch: Statement;
    delete: Statement;
    deleteUser: Statement;
    deleteUserExcept: Statement;
    prune: Statement;
    renameUser: Statement;
  };

  constructor(
    private readonly db: Db,
    private readonly key: Buffer,
    private readonly now: () => number,
  ) {
    // idempotent: a site opened without the web migrations still gets the table
    migrate(db, [WEB_MIGRATIONS]);
    this.q = {
      insert: db.prepare(
        'INSERT INTO web_sessions (id, user, pwfp, csrf, created, seen, expires, address, source, role) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      get: db.prepare('SELECT id, user, pwfp, csrf, created, seen, expires, source, role FROM web_sessions WHERE id = ?'),
      touch: db.prepare('UPDATE web_sessions SET seen = ?, expires = ? WHERE id = ?'),
      delete: db.prepare('DELETE FROM web_sessions WHERE id = ?'),
      deleteUser: db.prepare('DELETE FROM web_sessions WHERE user = ?'),
      deleteUserExcept: db.prepare('DELETE FROM web_sessions WHERE user = ? AND id != ?'),
      prune: db.prepare('DELETE FROM web_sessions WHERE expires <= ?'),
      renameUser: db.prepare('UPDATE web_sessions SET user = ? WHERE user = ?'),
    };
  }

  private sign(secret: string): string {
    return createHmac('sha256', this.key).update(secret).digest('base64url');
  }

  /** Starts a session; returns the cookie value. `passwordHash`: what the session binds to (see CurrentBinding). */
  create(user: string, passwordHash: string, address: string | null, o: { source?: SessionSource; role?: string } = {}): { cookie: string; session: Session } {
    const secret = randomBytes(32).toString('base64url');
    const t = this.now();
    const source = o.source ?? 'password';
    const session: Session = {
      id: sha(secret),
      user,
      csrf: randomBytes(24).toString('base64url'),
      created: t,
      expires: t + IDLE_MS,
      source,
      role: o.role ?? null,
    };
    this.q.prune.run(t);
    this.q.insert.run(session.id, user, passwordFingerprint(passwordHash), session.csrf, t, t, session.expires, address, source, session.role);
    return { cookie: `${secret}.${this.sign(secret)}`, session };
  }

  /**
   * The live session behind a cookie value, or null. `currentHash` gives the
   * user's stored hash now (undefined: no such user any more).
   */
  lookup(cookie: string | undefined, currentHash: CurrentBinding): { session: Session; renewed: boolean } | null {
    if (!cookie) return null;
    const dot = cookie.lastIndexOf('.');
    if (dot <= 0) return null;
    const secret = cookie.slice(0, dot);
    const given = Buffer.from(cookie.slice(dot + 1));
    const want = Buffer.from(this.sign(secret));
    if (given.length !== want.length || !timingSafeEqual(given, want)) return null;
    const row = this.q.get.get(sha(secret)) as Row | undefined;
    if (!row) return null;
    const t = this.now();
    const hash = currentHash(row.user, row.source);
    if (row.expires <= t || row.created + ABSOLUTE_MS <= t || hash === undefined || passwordFingerprint(hash) !== row.pwfp) {
      bestEffort(() => this.q.delete.run(row.id));
      return null;
    }
    let expires = row.expires;
    let renewed = false;
    // reading a page must not depend on a write (a full disk shows its banner): the renewal is best effort
    if (t - row.seen >= TOUCH_MS) {
      const next = Math.min(t + IDLE_MS, row.created + ABSOLUTE_MS);
      if (bestEffort(() => this.q.touch.run(t, next, row.id))) {
        expires = next;
        renewed = true;
      }
    }
    return { session: { id: row.id, user: row.user, csrf: row.csrf, created: row.created, expires, source: row.source, role: row.role }, renewed };
  }

  /** Whether a session (by row id) is still valid: not expired, user and password unchanged. */
  alive(id: string, currentHash: CurrentBinding): boolean {
    const row = this.q.get.get(id) as Row | undefined;
    if (!row) return false;
    const t = this.now();
    const hash = currentHash(row.user, row.source);
    return row.expires > t && row.created + ABSOLUTE_MS > t && hash !== undefined && passwordFingerprint(hash) === row.pwfp;
  }

  end(id: string): void {
    this.q.delete.run(id);
  }

  /** Ends every session of a user (password change, removal), optionally keeping one. */
  endUser(user: string, except?: string): void {
    if (except) this.q.deleteUserExcept.run(user, except);
    else this.q.deleteUser.run(user);
  }

  renameUser(from: string, to: string): void {
    this.q.deleteUser.run(to);
    this.q.renameUser.run(to, from);
  }

  /** Re-binds a session to the user's new password hash (the user changed it while logged in). */
  rebind(id: string, passwordHash: string): void {
    this.db.prepare('UPDATE web_sessions SET pwfp = ? WHERE id = ?').run(passwordFingerprint(passwordHash), id);
  }
}
