/**
 * `webui.oidc`: single sign-on with OpenID Connect (Core 1.0, authorisation
 * code flow, §3.1) and PKCE (RFC 7636, S256). The identity provider's claim
 * (`roleClaim`, e.g. `groups`) is mapped to siteward's roles; a user whose
 * claim matches no role is refused unless `defaultRole` is set.
 *
 * The client secret is a secret option (`{"env"}`/`{"file"}` references
 * allowed, src/util/secret.ts), marked so the registry-driven redaction
 * (src/config/redact.ts) never shows its value.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { SecretSchema } from '../util/secret.ts';

type Role = 'admin' | 'operator' | 'viewer';

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** https, or http only on loopback (a provider on the same machine, e.g. in tests). */
export function issuerProblem(issuer: string): string | null {
  let u: URL;
  try {
    u = new URL(issuer);
  } catch {
    return 'is not a URL';
  }
  if (u.protocol === 'https:') return null;
  if (u.protocol === 'http:' && LOOPBACK.has(u.hostname)) return null;
  return 'must be an https:// URL (http:// only on loopback)';
}

const claimValues = z.array(z.string().min(1).max(256)).max(100);

export const OidcSchema = z.looseObject({
  enabled: z.boolean().default(true).describe('offer single sign-on on the login page'),
  issuer: z
    .string()
    .max(2048)
    .superRefine((v, ctx) => {
      const p = issuerProblem(v);
      if (p) ctx.addIssue({ code: 'custom', message: p });
    })
    .describe("the identity provider's issuer URL (its /.well-known/openid-configuration is read)"),
  clientId: z.string().min(1).max(512).describe('client id registered at the identity provider'),
  clientSecret: SecretSchema.nullable()
    .default(null)
    .meta({ secret: true })
    .describe('client secret: the value, {"env": "NAME"} or {"file": "/path"}; null for a public client (PKCE only)'),
  redirectUri: z
    .string()
    .max(2048)
    .nullable()
    .default(null)
    .describe("callback URL registered at the provider; null: <this site's address>/login/oidc/callback"),
  scopes: z.string().max(1024).default('openid profile email').describe('scopes asked for (openid is always included)'),
  usernameClaim: z.string().min(1).max(128).default('preferred_username').describe('claim used as the user name (falls back to sub)'),
  roleClaim: z.string().min(1).max(128).default('groups').describe('claim whose value (a string or a list) decides the role'),
  roles: z
    .looseObject({
      admin: claimValues.default([]),
      operator: claimValues.default([]),
      viewer: claimValues.default([]),
    })
    .default({ admin: [], operator: [], viewer: [] })
    .describe('role → claim values giving it, e.g. {"admin": ["siteward-admins"]}; the highest match wins'),
  defaultRole: z.enum(['admin', 'operator', 'viewer']).nullable().default(null).describe('role of a user matching none of roles; null: such users are refused'),
  label: z.string().min(1).max(64).default('single sign-on').describe('shown on the login button: "Sign in with …"'),
  allowPasswords: z
    .boolean()
    .default(false)
    .describe('let a user who signs in with single sign-on and has no siteward password set one on the account page (false: no password form for them)'),
});

export type OidcConfig = z.output<typeof OidcSchema>;

type WebuiLike = { oidc?: unknown } | null | undefined;

/** The usable OIDC settings of a webui section, or null (absent, off, or invalid — validation reports why). */
export function oidcOf(webui: WebuiLike): OidcConfig | null {
  const raw = webui?.oidc;
  if (raw === undefined || raw === null) return null;
  const r = OidcSchema.safeParse(raw);
  return r.success && r.data.enabled ? r.data : null;
}

/**
 * What a single sign-on session is bound to: the provider, client and role
 * mapping. Changing any of them (or turning sign-on off) ends every such
 * session, as a password change ends a password session.
 */
export function oidcBinding(webui: WebuiLike): string | undefined {
  const o = oidcOf(webui);
  if (!o) return undefined;
  return `oidc:${createHash('sha256')
    .update(JSON.stringify([o.issuer, o.clientId, o.roleClaim, o.usernameClaim, o.roles, o.defaultRole]))
    .digest('base64url')}`;
}

const RANKED: readonly Role[] = ['admin', 'operator', 'viewer'];

/** The role a set of claims gives (highest match), the default role, or null: refused. */
export function roleFromClaims(o: OidcConfig, claims: Record<string, unknown>): Role | null {
  const v = claims[o.roleClaim];
  const have = new Set((Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string'));
  for (const role of RANKED) if (o.roles[role].some((g) => have.has(g))) return role;
  return o.defaultRole;
}

/** The user name the claims give (usernameClaim, else sub), or null when unusable. */
export function userFromClaims(o: OidcConfig, claims: Record<string, unknown>): string | null {
  for (const k of [o.usernameClaim, 'sub']) {
    const v = claims[k];
    if (typeof v === 'string' && v.length > 0 && v.length <= 256 && !/[\u0000-\u001f\u007f]/.test(v)) return v;
  }
  return null;
}
