/**
 * Who may log in and what they may do (spec §8.2, extended with roles).
 *
 * - Passwords: argon2 PHC strings; fletchck's argon2id and argon2i hashes
 *   verify unchanged. An unknown or empty user name is verified against a
 *   dummy hash (fletchck's `""` user when present), so it costs the same.
 * - Roles: `webui.roles[user]`, else fletchck's mapping: `admin` is admin,
 *   every other user is operator.
 * - Throttling and the cap on verifications at once: ./login-guard.ts.
 */
import argon2 from 'argon2';
import type { WebuiConfig } from '../config/load.ts';
import { hashPassword, randomPassword } from '../config/init.ts';
import type { Session, SessionSource } from './sessions.ts';
import { oidcBinding } from '../config/oidc.ts';

export type Role = 'admin' | 'operator' | 'viewer';
export const ROLES: readonly Role[] = ['admin', 'operator', 'viewer'];
const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** fletchck's administrator (spec §8.2: only `admin` manages users). */
export const ADMIN_USER = 'admin';

export function roleOf(webui: WebuiConfig | null, user: string): Role {
  const r = webui?.roles?.[user];
  if (r) return r;
  return user === ADMIN_USER ? 'admin' : 'operator';
}

export function allows(role: Role, need: Role): boolean {
  return RANK[role] >= RANK[need];
}

/** Users that can log in (the `""` dummy user never can). */
export function userHash(webui: WebuiConfig | null, user: string): string | undefined {
  if (!user) return undefined;
  const users = webui?.users;
  if (!users || !Object.hasOwn(users, user)) return undefined;
  return users[user];
}

/**
 * What a session is bound to now (src/web/sessions.ts CurrentBinding): a
 * password session to the user's stored hash; a single sign-on session to
 * the OpenID Connect settings that admitted it (none: it ends).
 */
export function sessionBinding(webui: WebuiConfig | null, user: string, source: SessionSource): string | undefined {
  return source === 'oidc' ? oidcBinding(webui) : userHash(webui, user);
}

/** The role of a signed-in session: a single sign-on session keeps what its claims gave. */
export function sessionRole(webui: WebuiConfig | null, s: Pick<Session, 'user' | 'source' | 'role'>): Role {
  if (s.source === 'oidc') return ROLES.includes(s.role as Role) ? (s.role as Role) : 'viewer';
  return roleOf(webui, s.user);
}

export type Verify = (hash: string, password: string) => Promise<boolean>;

/** argon2 verify that never throws (a malformed stored hash simply fails). */
export const argonVerify: Verify = async (hash, password) => {
  try {
    // spec §8.2: fletchck cuts the stored hash to 1024 characters before verifying
    return await argon2.verify(hash.slice(0, 1024), password);
  } catch {
    return false;
  }
};

export class PasswordChecker {
  private dummy: Promise<string> | null = null;

  constructor(private readonly verify: Verify = argonVerify) {}

  private dummyHash(webui: WebuiConfig | null): Promise<string> {
    const own = webui?.users?.[''];
    if (typeof own === 'string' && own.startsWith('$argon2')) return Promise.resolve(own);
    this.dummy ??= hashPassword(randomPassword());
    return this.dummy;
  }

  /**
   * True only for a known user with the right password. Exactly one argon2
   * verification happens either way, so timing does not reveal which user
   * names exist.
   */
  async check(webui: WebuiConfig | null, user: string, password: string): Promise<boolean> {
    const hash = userHash(webui, user);
    if (hash === undefined) {
      await this.verify(await this.dummyHash(webui), password);
      return false;
    }
    return this.verify(hash, password);
  }
}
