/**
 * TOTP second factor per user (RFC 6238, with RFC 4226's HOTP underneath),
 * kept in the site database (module `web-2fa`), not in the site file: the
 * shared secret is key material the daemon needs to read back, so it is
 * stored encrypted (AES-256-GCM, key derived with HKDF from the site's
 * session signing key), and recovery codes are stored only as HMACs.
 *
 * - Enrolment: `begin` makes a fresh secret (not yet enforced); `confirm`
 *   with a correct code turns it on and returns ten one-time recovery codes
 *   (shown once).
 * - Login: `verify` accepts the current code (±1 time step, RFC 6238 §5.2)
 *   once — a code of a step already used is refused (RFC 6238 §5.2, "the
 *   verifier MUST NOT accept the second attempt of the same OTP") — or an
 *   unused recovery code, which is then spent.
 * - An administrator's `reset` removes a user's second factor and codes.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, randomInt } from 'node:crypto';
import type { Database as Db, Statement } from 'better-sqlite3';
import * as OTPAuth from 'otpauth';
import { migrate, type MigrationSet } from '../../store/db.ts';

export const TOTP_MIGRATIONS: MigrationSet = {
  module: 'web-2fa',
  steps: [
    `CREATE TABLE web_totp (
       user TEXT PRIMARY KEY,
       secret TEXT NOT NULL,
       enabled INTEGER NOT NULL DEFAULT 0,
       created INTEGER NOT NULL,
       last_step INTEGER NOT NULL DEFAULT -1
     );
     CREATE TABLE web_recovery (
       user TEXT NOT NULL,
       hash TEXT NOT NULL,
       PRIMARY KEY (user, hash)
     );`,
  ],
};

/** RFC 6238 defaults every authenticator app understands. */
const PERIOD = 30;
const DIGITS = 6;
export const RECOVERY_CODES = 10;
/** Crockford-like alphabet without look-alikes (0/O, 1/I/L). */
const CODE_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export type VerifyResult = { ok: true; recovery: boolean; left: number } | { ok: false };

function recoveryCode(): string {
  let s = '';
  for (let i = 0; i < 10; i++) s += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return `${s.slice(0, 5)}-${s.slice(5)}`;
}

/** Recovery codes as typed: case, spaces and dashes do not matter. */
export function normaliseRecovery(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

export class TotpStore {
  private readonly enc: Buffer;
  private readonly mac: Buffer;
  private readonly q: Record<
    'get' | 'put' | 'enable' | 'step' | 'del' | 'delCodes' | 'addCode' | 'useCode' | 'countCodes' | 'rename' | 'renameCodes',
    Statement
  >;

  constructor(
    private readonly db: Db,
    key: Buffer,
    private readonly now: () => number,
    private readonly issuer: () => string,
  ) {
    migrate(db, [TOTP_MIGRATIONS]);
    this.enc = Buffer.from(hkdfSync('sha256', key, 'siteward', 'totp-secret', 32));
    this.mac = Buffer.from(hkdfSync('sha256', key, 'siteward', 'recovery-code', 32));
    this.q = {
      get: db.prepare('SELECT secret, enabled, last_step FROM web_totp WHERE user = ?'),
      put: db.prepare('INSERT OR REPLACE INTO web_totp (user, secret, enabled, created, last_step) VALUES (?, ?, 0, ?, -1)'),
      enable: db.prepare('UPDATE web_totp SET enabled = 1, last_step = ? WHERE user = ?'),
      step: db.prepare('UPDATE web_totp SET last_step = ? WHERE user = ?'),
      del: db.prepare('DELETE FROM web_totp WHERE user = ?'),
      delCodes: db.prepare('DELETE FROM web_recovery WHERE user = ?'),
      addCode: db.prepare('INSERT OR IGNORE INTO web_recovery (user, hash) VALUES (?, ?)'),
      useCode: db.prepare('DELETE FROM web_recovery WHERE user = ? AND hash = ?'),
      countCodes: db.prepare('SELECT count(*) AS n FROM web_recovery WHERE user = ?'),
      rename: db.prepare('UPDATE web_totp SET user = ? WHERE user = ?'),
      renameCodes: db.prepare('UPDATE web_recovery SET user = ? WHERE user = ?'),
    };
  }

  private seal(secret: string): string {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.enc, iv);
    const body = Buffer.concat([c.update(secret, 'utf8'), c.final()]);
    return [iv, c.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
  }

  private open(sealed: string): string | null {
    const [iv, tag, body] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
    try {
      const d = createDecipheriv('aes-256-gcm', this.enc, iv!);
      d.setAuthTag(tag!);
      return Buffer.concat([d.update(body!), d.final()]).toString('utf8');
    } catch {
      return null; // another key (a copied database): the factor cannot be used, an admin resets it
    }
  }

  private codeHash(user: string, code: string): string {
    return createHmac('sha256', this.mac)
      .update(`${user}\0${normaliseRecovery(code)}`)
      .digest('base64url');
  }

  private totp(user: string, secret: string): OTPAuth.TOTP {
    return new OTPAuth.TOTP({
      issuer: this.issuer(),
      label: user,
      algorithm: 'SHA1',
      digits: DIGITS,
      period: PERIOD,
      secret: OTPAuth.Secret.fromBase32(secret),
    });
  }

  private row(user: string): { secret: string; enabled: boolean; lastStep: number } | null {
    const r = this.q.get.get(user) as { secret: string; enabled: number; last_step: number } | undefined;
    if (!r) return null;
    const secret = this.open(r.secret);
    return secret === null ? null : { secret, enabled: r.enabled === 1, lastStep: r.last_step };
  }

  /** True when the user must give a second factor at login. */
  enabled(user: string): boolean {
    const r = this.q.get.get(user) as { enabled: number } | undefined;
    return r?.enabled === 1;
  }

  recoveryLeft(user: string): number {
    return (this.q.countCodes.get(user) as { n: number }).n;
  }

  /** Starts (or restarts) enrolment: a new secret, not enforced until confirmed. Refused while one is on. */
  begin(user: string): { secret: string; uri: string } | null {
    if (this.enabled(user)) return null;
    const secret = new OTPAuth.Secret({ size: 20 }).base32;
    this.q.put.run(user, this.seal(secret), this.now());
    return { secret, uri: this.totp(user, secret).toString() };
  }

  /** The enrolment in progress (for the QR code), or null. */
  pending(user: string): { secret: string; uri: string } | null {
    const r = this.row(user);
    if (!r || r.enabled) return null;
    return { secret: r.secret, uri: this.totp(user, r.secret).toString() };
  }

  /** The time step a code belongs to, or null (RFC 6238 §5.2: one step either way for clock drift). */
  private stepOf(user: string, secret: string, code: string): number | null {
    const token = code.replace(/\s/g, '');
    if (!/^\d{6}$/.test(token)) return null;
    const t = this.now();
    const delta = this.totp(user, secret).validate({ token, timestamp: t, window: 1 });
    return delta === null ? null : Math.floor(t / 1000 / PERIOD) + delta;
  }

  /** Confirms enrolment with a code from the app; returns the recovery codes (shown once). */
  confirm(user: string, code: string): string[] | null {
    const r = this.row(user);
    if (!r || r.enabled) return null;
    const step = this.stepOf(user, r.secret, code);
    if (step === null) return null;
    const codes = Array.from({ length: RECOVERY_CODES }, recoveryCode);
    this.db.transaction(() => {
      this.q.enable.run(step, user);
      this.q.delCodes.run(user);
      for (const c of codes) this.q.addCode.run(user, this.codeHash(user, c));
    })();
    return codes;
  }

  /** Checks a login's second factor: a fresh TOTP code or an unused recovery code. */
  verify(user: string, code: string): VerifyResult {
    const r = this.row(user);
    if (!r || !r.enabled) return { ok: false };
    const step = this.stepOf(user, r.secret, code);
    if (step !== null) {
      if (step <= r.lastStep) return { ok: false }; // replayed code
      this.q.step.run(step, user);
      return { ok: true, recovery: false, left: this.recoveryLeft(user) };
    }
    if (normaliseRecovery(code).length !== 10) return { ok: false };
    const used = this.q.useCode.run(user, this.codeHash(user, code)).changes === 1;
    return used ? { ok: true, recovery: true, left: this.recoveryLeft(user) } : { ok: false };
  }

  /** New recovery codes (the old ones stop working). */
  regenerate(user: string): string[] | null {
    if (!this.enabled(user)) return null;
    const codes = Array.from({ length: RECOVERY_CODES }, recoveryCode);
    this.db.transaction(() => {
      this.q.delCodes.run(user);
      for (const c of codes) this.q.addCode.run(user, this.codeHash(user, c));
    })();
    return codes;
  }

  /** Removes the user's second factor and recovery codes (the user turning it off, or an admin's reset). */
  reset(user: string): boolean {
    return this.db.transaction(() => {
      this.q.delCodes.run(user);
      return this.q.del.run(user).changes > 0;
    })();
  }

  /** A user renamed: the factor follows (codes are bound to the name, so they are renewed on next use of regenerate). */
  rename(from: string, to: string): void {
    this.db.transaction(() => {
      this.q.del.run(to);
      this.q.delCodes.run(to);
      this.q.rename.run(to, from);
      this.q.delCodes.run(from); // their HMAC binds the old name
    })();
  }
}
