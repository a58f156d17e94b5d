/**
 * Single sign-on users and passwords (issue 19): a user who signed in with
 * OpenID Connect and has no siteward password sees no password form on the
 * account page and cannot set one — unless the admin allows it
 * (webui.oidc.allowPasswords), when a first password can be set without a
 * "current" one. A password user is unchanged. A site with only single
 * sign-on shows no password form on the login page.
 *
 * The OIDC session here is the one the callback makes (source "oidc", bound
 * to the provider settings); the sign-in itself against a real provider is
 * test/e2e/signin.test.ts, which also checks the account page in Chromium.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { oidcBinding } from '../../src/config/oidc.ts';
import { Agent, PASSWORDS, decodeHtml, fastHash, webSite, type TestSite } from './helpers.ts';

let t: TestSite;
afterEach(async () => t?.close());

const oidc = (extra: Record<string, unknown> = {}) => ({
  issuer: 'http://127.0.0.1:9/',
  clientId: 'siteward',
  label: 'Example SSO',
  defaultRole: 'viewer',
  ...extra,
});

async function site(o: { users?: Record<string, string>; oidc?: Record<string, unknown> } = {}): Promise<TestSite> {
  return webSite({
    doc: {
      webui: { name: 'T', hostname: '127.0.0.1', port: 1, users: o.users ?? { olly: await fastHash(PASSWORDS.olly) }, oidc: o.oidc ?? oidc() },
      checks: {},
    },
  });
}

/** A browser holding the session the OIDC callback makes for `user`. */
async function ssoAgent(s: TestSite, user: string, role = 'viewer'): Promise<Agent> {
  const a = new Agent(s.web);
  const { cookie } = s.web.deps.sessions.create(user, oidcBinding(s.site.settings.webui)!, '127.0.0.1', { source: 'oidc', role });
  a.jar.set('siteward', cookie);
  await a.page('/');
  return a;
}

describe('single sign-on users and passwords', () => {
  it('no password form and no password for an SSO-only user by default', async () => {
    t = await site();
    const a = await ssoAgent(t, 'bob');
    const page = decodeHtml(await a.page('/account'));
    expect(page).toContain('You sign in with Example SSO; siteward keeps no password for you.');
    expect(page).not.toContain('action="/account/password"');
    expect(page).not.toContain('type="password"');
    expect(page).not.toContain('Manage two-factor sign-in'); // the provider's business for these users
    const r = await a.post('/account/password', { password: 'a-new-password', repeat: 'a-new-password' });
    expect(r.status).toBe(403);
    expect(decodeHtml(await r.text())).toContain('a siteward password is not allowed for your account');
    expect(t.site.settings.webui?.users?.bob).toBeUndefined();
  });

  it('allowPasswords: a first password without a current one, with the role SSO gave; then sign-in with it works', async () => {
    t = await site({ oidc: oidc({ allowPasswords: true }) });
    const a = await ssoAgent(t, 'bob', 'operator');
    const page = decodeHtml(await a.page('/account'));
    expect(page).toContain('<h2>Set a password</h2>');
    expect(page).not.toContain('name="current"');
    expect((await a.post('/account/password', { password: 'short', repeat: 'short' })).status).toBe(422);
    const r = await a.post('/account/password', { password: 'bobs-new-password', repeat: 'bobs-new-password' });
    expect(r.status).toBe(303);
    expect(t.site.settings.webui?.users?.bob).toMatch(/^\$argon2id\$/);
    expect(t.site.settings.webui?.roles?.bob).toBe('operator');
    // the SSO session goes on; the password now signs in too
    expect((await a.get('/account')).status).toBe(200);
    const p = new Agent(t.web);
    expect((await p.login('bob', 'bobs-new-password')).status).toBe(303);
    // and from now on the account page asks for the current password, as for anyone with one
    expect(decodeHtml(await a.page('/account'))).toContain('name="current"');
  });

  it('a password user keeps the usual form; an SSO user who has a password too changes it as usual', async () => {
    t = await site();
    const p = new Agent(t.web);
    await p.login('olly', PASSWORDS.olly);
    expect(decodeHtml(await p.page('/account'))).toContain('<h2>Change password</h2>');
    const a = await ssoAgent(t, 'olly');
    expect(decodeHtml(await a.page('/account'))).toContain('name="current"');
  });

  it('the login page: no password form when only single sign-on accounts exist', async () => {
    t = await site({ users: {} });
    const html = decodeHtml(await (await new Agent(t.web).get('/login')).text());
    expect(html).toContain('Sign in with Example SSO');
    expect(html).not.toContain('type="password"');
    await t.close();
    t = await site();
    const both = decodeHtml(await (await new Agent(t.web).get('/login')).text());
    expect(both).toContain('type="password"');
    expect(both).toContain('Sign in with Example SSO');
  });
});
