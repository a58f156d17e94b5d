/**
 * API bearer tokens, stored hashed in SQLite. A token is shown once, when it
 * is created; the database keeps only its SHA-256 (a token is 256 random
 * bits, so a slow password hash adds nothing) and a short non-secret prefix
 * to tell tokens apart in lists. Scopes nest: read ⊂ operate ⊂ admin.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Database as Db, Statement } from 'better-sqlite3';
import type { MigrationSet } from '../store/db.ts';

export const SCOPES = ['read', 'operate', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export function scopeAllows(have: Scope, need: Scope): boolean {
  return SCOPES.indexOf(have) >= SCOPES.indexOf(need);
}

export const API_MIGRATIONS: MigrationSet = {
  module: 'api',
  steps: [
    `CREATE TABLE api_tokens (
       id INTEGER PRIMARY KEY,
       name TEXT NOT NULL,
       scope TEXT NOT NULL,
       hash TEXT NOT NULL UNIQUE,
       prefix TEXT NOT NULL,
       created INTEGER NOT NULL,
       expires INTEGER,
       last_used INTEGER,
       revoked INTEGER
     );`,
  ],
};

export interface TokenInfo {
  id: number;
  name: string;
  scope: Scope;
  /** the first characters of the token (not secret), e.g. `swt_AbC1x9` */
  prefix: string;
  created: number;
  expires: number | null;
  lastUsed: number | null;
  revoked: number | null;
}

export type Verified = { ok: true; token: TokenInfo } | { ok: false; reason: 'invalid' | 'expired' | 'revoked' };

const PREFIX = 'swt_';
/** last use is written at most this often per token, so reads do not each cost a write */
export const LAST_USE_RESOLUTION_MS = 60_000;

interface Row {
  id: number;
  name: string;
  scope: string;
  prefix: string;
  created: number;
  expires: number | null;
  last_used: number | null;
  revoked: number | null;
}

const info = (r: Row): TokenInfo => ({
  id: r.id,
  name: r.name,
  scope: r.scope as Scope,
  prefix: r.prefix,
  created: r.created,
  expires: r.expires,
  lastUsed: r.last_used,
  revoked: r.revoked,
});

const hashOf = (token: string): string => createHash('sha256').update(token).digest('hex');

export class TokenStore {
  private readonly q: Record<'insert' | 'byHash' | 'byId' | 'all' | 'touch' | 'revoke' | 'remove', Statement>;

  /** `now` is the site clock (tests inject a fake one). */
  constructor(
    db: Db,
    private readonly now: () => number = Date.now,
  ) {
    this.q = {
      insert: db.prepare('INSERT INTO api_tokens (name, scope, hash, prefix, created, expires) VALUES (?, ?, ?, ?, ?, ?)'),
      byHash: db.prepare('SELECT * FROM api_tokens WHERE hash = ?'),
      byId: db.prepare('SELECT * FROM api_tokens WHERE id = ?'),
      all: db.prepare('SELECT * FROM api_tokens ORDER BY id'),
      touch: db.prepare('UPDATE api_tokens SET last_used = ? WHERE id = ?'),
      revoke: db.prepare('UPDATE api_tokens SET revoked = ? WHERE id = ? AND revoked IS NULL'),
      remove: db.prepare('DELETE FROM api_tokens WHERE id = ?'),
    };
  }

  /** Creates a token. The returned `secret` is the only time it is available. */
  create(o: { name: string; scope: Scope; expires?: number | null }): { secret: string; token: TokenInfo } {
    if (!SCOPES.includes(o.scope)) throw new Error(`unknown scope ${JSON.stringify(o.scope)}`);
    const secret = PREFIX + randomBytes(32).toString('base64url');
    const prefix = secret.slice(0, PREFIX.length + 6);
    const id = Number(this.q.insert.run(o.name, o.scope, hashOf(secret), prefix, this.now(), o.expires ?? null).lastInsertRowid);
    return { secret, token: this.get(id)! };
  }

  get(id: number): TokenInfo | undefined {
    const r = this.q.byId.get(id) as Row | undefined;
    return r ? info(r) : undefined;
  }

  list(): TokenInfo[] {
    return (this.q.all.all() as Row[]).map(info);
  }

  /** Revokes a token (kept for the record). False when unknown or already revoked. */
  revoke(id: number): boolean {
    return this.q.revoke.run(this.now(), id).changes > 0;
  }

  remove(id: number): boolean {
    return this.q.remove.run(id).changes > 0;
  }

  /** Checks a presented token and records its use. */
  verify(secret: string): Verified {
    if (!secret.startsWith(PREFIX) || secret.length > 200) return { ok: false, reason: 'invalid' };
    const r = this.q.byHash.get(hashOf(secret)) as Row | undefined;
    if (!r) return { ok: false, reason: 'invalid' };
    const now = this.now();
    if (r.revoked !== null) return { ok: false, reason: 'revoked' };
    if (r.expires !== null && r.expires <= now) return { ok: false, reason: 'expired' };
    if (r.last_used === null || now - r.last_used >= LAST_USE_RESOLUTION_MS) {
      // best effort: a read must not depend on a write (a full disk answers reads all the same)
      try {
        this.q.touch.run(now, r.id);
        r.last_used = now;
      } catch {
        // recorded with a later use, once the database takes writes again
      }
    }
    return { ok: true, token: info(r) };
  }
}

/** The token store over a site's database (stateless: every holder sees the same tokens). */
export function siteTokens(site: { db: Db; clock: { now(): number } }): TokenStore {
  return new TokenStore(site.db, () => site.clock.now());
}
