/**
 * `webui.oidc` (src/config/oidc.ts): validation with site-file paths, the
 * claim → role mapping, the session binding, and the client secret as a
 * registry-marked secret that redaction hides.
 */
import { describe, it, expect } from 'vitest';
import { OidcSchema, oidcBinding, oidcOf, roleFromClaims, userFromClaims } from '../../src/config/oidc.ts';
import { WebuiSchema } from '../../src/config/schema.ts';
import { marksOf, slotText } from '../../src/config/marks.ts';
import { redactOptions } from '../../src/config/redact.ts';

const base = { issuer: 'https://id.example.org/realms/x', clientId: 'siteward', clientSecret: 's3cret-value', roles: { admin: ['ops'], operator: ['dev'] } };

describe('webui.oidc', () => {
  it('issuer: https, or http only on loopback; errors carry the path', () => {
    expect(OidcSchema.safeParse(base).success).toBe(true);
    expect(OidcSchema.safeParse({ ...base, issuer: 'http://127.0.0.1:8080' }).success).toBe(true);
    const bad = WebuiSchema.safeParse({ oidc: { ...base, issuer: 'http://id.example.org' } });
    expect(bad.success).toBe(false);
    expect(bad.success ? null : bad.error.issues[0]).toMatchObject({ path: ['oidc', 'issuer'], message: 'must be an https:// URL (http:// only on loopback)' });
  });

  it('the highest matching role wins; no match: defaultRole, else refused', () => {
    const o = OidcSchema.parse(base);
    expect(roleFromClaims(o, { groups: ['dev', 'ops'] })).toBe('admin');
    expect(roleFromClaims(o, { groups: 'dev' })).toBe('operator');
    expect(roleFromClaims(o, { groups: ['other'] })).toBeNull();
    expect(roleFromClaims(OidcSchema.parse({ ...base, defaultRole: 'viewer' }), {})).toBe('viewer');
    expect(roleFromClaims(OidcSchema.parse({ ...base, roleClaim: 'roles' }), { roles: ['ops'], groups: [] })).toBe('admin');
  });

  it('user name from preferred_username, else sub; control characters refused', () => {
    const o = OidcSchema.parse(base);
    expect(userFromClaims(o, { sub: 'abc', preferred_username: 'alice' })).toBe('alice');
    expect(userFromClaims(o, { sub: 'abc' })).toBe('abc');
    expect(userFromClaims(o, { sub: 'a\nb' })).toBeNull();
  });

  it('sessions are bound to provider, client and mapping; off or absent: none', () => {
    const b1 = oidcBinding({ oidc: base });
    expect(b1).toMatch(/^oidc:/);
    expect(oidcBinding({ oidc: { ...base, roles: { admin: ['everyone'] } } })).not.toBe(b1);
    expect(oidcBinding({ oidc: { ...base, clientSecret: 'rotated' } })).toBe(b1); // a new secret keeps people signed in
    expect(oidcBinding({ oidc: { ...base, enabled: false } })).toBeUndefined();
    expect(oidcBinding({})).toBeUndefined();
    expect(oidcOf({ oidc: { issuer: 'nope' } })).toBeNull();
  });

  it('the client secret is a marked secret: redaction shows what it is, never the value', () => {
    const marks = marksOf(OidcSchema);
    expect(marks.secrets.map((p) => slotText(p))).toEqual(['clientSecret']);
    const shown = redactOptions(marks, base);
    expect(JSON.stringify(shown)).not.toContain('s3cret-value');
    expect(shown.clientSecret).toBe('(secret: inline)');
    expect(redactOptions(marks, { ...base, clientSecret: { env: 'OIDC_SECRET' } }).clientSecret).toBe('(secret: env OIDC_SECRET)');
    expect(shown.clientId).toBe('siteward');
  });
});
