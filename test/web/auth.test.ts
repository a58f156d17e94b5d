/**
 * Login, sessions and passwords (spec §8.2, fixed): fletchck's PHC hashes
 * verify, unknown users cost one verification too, throttling per user and
 * per address, signed HttpOnly/SameSite=Strict cookies that survive a
 * restart, and logout / password change end sessions.
 */
import { openSite, webSiteView } from '../../src/wiring.ts';
import { describe, it, expect, afterEach } from 'vitest';
import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildWebApp } from '../../src/web/app.ts';
import { PasswordChecker, argonVerify } from '../../src/web/auth.ts';
import { WEB_MIGRATIONS } from '../../src/web/sessions.ts';
import { Agent, PASSWORDS, fastHash, webSite, type TestSite } from './helpers.ts';

// genuine passlib 1.7.4 + argon2-cffi hashes (how fletchck stores passwords, spec §8.2):
// argon2.using(rounds=16, memory_cost=65536, parallelism=4, digest_size=32).hash('fletch-pw-1')
const FLETCH_ID = '$argon2id$v=19$m=65536,t=16,p=4$QQjhvFdKydmbc+69954Tog$PLu322rvVorAgENEUuM/DM9xQp4Vjr1W35GlNIVKDow';
// an older setup's argon2i hash: argon2.using(type='I', rounds=4, memory_cost=8192, parallelism=2, digest_size=32).hash('fletch-pw-2')
const FLETCH_I = '$argon2i$v=19$m=8192,t=4,p=2$sdZ6TwnB+P9/r9Vaa23tvQ$227OckKMOv97j8O7zXINsBjbLC89zuzSmwasU0yhptA';

let t: TestSite | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

async function siteWithUsers(users: Record<string, string>, roles?: Record<string, string>): Promise<TestSite> {
  return webSite({ doc: { webui: { name: 'T', port: 1, users, roles }, checks: {} } });
}

describe('passwords', () => {
  it('verifies fletchck argon2id and argon2i PHC hashes unchanged', async () => {
    expect(await argonVerify(FLETCH_ID, 'fletch-pw-1')).toBe(true);
    expect(await argonVerify(FLETCH_ID, 'fletch-pw-2')).toBe(false);
    expect(await argonVerify(FLETCH_I, 'fletch-pw-2')).toBe(true);
    expect(await argonVerify('not a hash', 'x')).toBe(false);
  });

  it('logs in a fletchck user by its argon2i hash through the form', async () => {
    t = await siteWithUsers({ admin: await fastHash('admin-pass-1'), old: FLETCH_I, '': await fastHash('d') });
    const a = new Agent(t.web);
    expect((await a.login('old', 'fletch-pw-2')).status).toBe(303);
    expect(await a.page('/')).toContain('old (operator)');
  });

  it('an unknown or empty user name costs one verification against the dummy hash', async () => {
    const calls: string[] = [];
    const checker = new PasswordChecker(async (hash) => {
      calls.push(hash);
      return false;
    });
    const webui = { name: 'x', hostname: null, port: 1, cert: null, key: null, users: { admin: 'H-admin', '': '$argon2id$dummy' } };
    expect(await checker.check(webui, 'nobody', 'pw')).toBe(false);
    expect(await checker.check(webui, '', 'pw')).toBe(false);
    expect(await checker.check(webui, 'admin', 'pw')).toBe(false);
    expect(calls).toEqual(['$argon2id$dummy', '$argon2id$dummy', 'H-admin']);
  });

  it('without a "" user the dummy is a real argon2id hash made once', async () => {
    const calls: string[] = [];
    const checker = new PasswordChecker(async (hash) => {
      calls.push(hash);
      return false;
    });
    const webui = { name: 'x', hostname: null, port: 1, cert: null, key: null, users: { admin: 'H' } };
    await checker.check(webui, 'ghost', 'pw');
    await checker.check(webui, 'ghost2', 'pw');
    expect(calls[0]).toMatch(/^\$argon2id\$/);
    expect(calls[1]).toBe(calls[0]);
  });
});

describe('login', () => {
  it('sets a signed, HttpOnly, SameSite=Strict session cookie with an expiry and redirects to next', async () => {
    t = await webSite();
    const a = new Agent(t.web);
    const page = await (await a.get('/login?next=%2Fchecks%3Fq%3Dr')).text();
    const token = /name="_login" value="([^"]+)"/.exec(page)![1];
    const res = await a.post('/login', { _login: token, username: 'admin', password: PASSWORDS.admin, next: '/checks?q=r' }, { csrf: null });
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe('/checks?q=r');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('siteward='))!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Max-Age=\d+/);
    expect(cookie).not.toMatch(/Secure/); // plain HTTP here; see the HTTPS case below
    expect(cookie.split(';')[0]).toMatch(/^siteward=[\w-]+\.[\w-]+$/);
  });

  it('never redirects to another origin after login', async () => {
    t = await webSite();
    const a = new Agent(t.web);
    const page = await (await a.get('/login')).text();
    const token = /name="_login" value="([^"]+)"/.exec(page)![1];
    const res = await a.post('/login', { _login: token, username: 'admin', password: PASSWORDS.admin, next: '//evil.example/x' }, { csrf: null });
    expect(res.headers.get('Location')).toBe('/');
  });

  it('under HTTPS the cookie is Secure and __Host- prefixed', async () => {
    t = await webSite({ app: { secure: true } });
    const a = new Agent(t.web);
    const page = await (await a.get('/login')).text();
    const token = /name="_login" value="([^"]+)"/.exec(page)![1];
    const res = await a.post('/login', { _login: token, username: 'admin', password: PASSWORDS.admin }, { csrf: null });
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('__Host-siteward='))!;
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/Path=\//);
    expect(res.headers.get('Strict-Transport-Security')).toBe('max-age=31536000');
  });

  it('refuses a wrong password, an unknown user and a login form without its token', async () => {
    t = await webSite();
    const a = new Agent(t.web);
    expect((await a.login('admin', 'wrong')).status).toBe(401);
    expect((await a.login('ghost', PASSWORDS.admin)).status).toBe(401);
    const res = await a.post('/login', { _login: 'forged', username: 'admin', password: PASSWORDS.admin }, { csrf: null });
    expect(res.status).toBe(403);
    expect(t.site.siteLog.all().some((l) => l.includes('Invalid login username="ghost"'))).toBe(true);
  });

  it('throttles failures per client address and user name, even with the right password, until time passes', async () => {
    t = await webSite();
    for (let i = 0; i < 5; i++) expect((await new Agent(t.web, '10.0.0.1').login('olly', 'bad')).status).toBe(401);
    expect((await new Agent(t.web, '10.0.0.1').login('olly', 'bad')).status).toBe(401); // 6th failure: delay starts
    const held = await new Agent(t.web, '10.0.0.1').login('olly', PASSWORDS.olly);
    expect(held.status).toBe(429);
    expect(held.headers.get('Retry-After')).toBe('2');
    // another user from that address, and that user from another address, are not affected (issue 15: no lockout of a user)
    expect((await new Agent(t.web, '10.0.0.1').login('admin', PASSWORDS.admin)).status).toBe(303);
    expect((await new Agent(t.web, '10.0.1.1').login('olly', PASSWORDS.olly)).status).toBe(303);
    await t.clock.advance(3000);
    expect((await new Agent(t.web, '10.0.0.1').login('olly', PASSWORDS.olly)).status).toBe(303);
  });

  it('throttles failures per client address across user names', async () => {
    t = await webSite();
    for (let i = 0; i < 21; i++) await new Agent(t.web, '192.0.2.7').login(`user${i}`, 'bad');
    expect((await new Agent(t.web, '192.0.2.7').login('admin', PASSWORDS.admin)).status).toBe(429);
    expect((await new Agent(t.web, '192.0.2.8').login('admin', PASSWORDS.admin)).status).toBe(303);
  });
});

describe('sessions', () => {
  it('survive a restart: the signing key is kept in the site folder, mode 0600', async () => {
    t = await webSite();
    const a = new Agent(t.web);
    await a.login('admin', PASSWORDS.admin);
    const keyFile = join(t.dir, 'site.session-key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const key = readFileSync(keyFile, 'utf8');
    // a second app on the same site (a restart) accepts the cookie
    const web2 = await buildWebApp(webSiteView(t.site), { secure: false });
    const b = new Agent(web2);
    for (const [k, v] of a.jar) b.jar.set(k, v);
    expect((await b.get('/')).status).toBe(200);
    expect(readFileSync(keyFile, 'utf8')).toBe(key);
    web2.close();
  });

  it('survive reopening the site database', async () => {
    t = await webSite();
    const a = new Agent(t.web);
    await a.login('admin', PASSWORDS.admin);
    t.web.close();
    await t.site.stop();
    const site = await openSite({ configPath: t.path, dbPath: join(t.dir, 'site.db'), clock: t.clock, migrations: [WEB_MIGRATIONS] });
    const web = await buildWebApp(webSiteView(site), { secure: false });
    const b = new Agent(web);
    for (const [k, v] of a.jar) b.jar.set(k, v);
    expect((await b.get('/')).status).toBe(200);
    web.close();
    t.site = site;
    t.web = web;
  });

  it('reject a tampered cookie', async () => {
    t = await webSite();
    const a = new Agent(t.web);
    await a.login('admin', PASSWORDS.admin);
    const v = a.jar.get('siteward')!;
    a.jar.set('siteward', `${v.slice(0, -2)}xx`);
    const res = await a.get('/');
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/login');
  });

  it('expire after two idle days, and slide while used', async () => {
    t = await webSite();
    const a = new Agent(t.web);
    await a.login('admin', PASSWORDS.admin);
    await t.clock.advance(36 * 3600_000);
    expect((await a.get('/')).status).toBe(200); // used: expiry moves on
    await t.clock.advance(36 * 3600_000);
    expect((await a.get('/')).status).toBe(200);
    await t.clock.advance(49 * 3600_000);
    expect((await a.get('/')).status).toBe(302);
  });

  it('end on logout (POST with the CSRF token), with Clear-Site-Data', async () => {
    t = await webSite();
    const a = new Agent(t.web);
    await a.login('admin', PASSWORDS.admin);
    const stolen = a.jar.get('siteward')!;
    expect((await a.post('/logout', {}, { csrf: null })).status).toBe(403);
    const res = await a.post('/logout');
    expect(res.status).toBe(303);
    expect(res.headers.get('Clear-Site-Data')).toContain('cookies');
    const b = new Agent(t.web);
    b.jar.set('siteward', stolen);
    expect((await b.get('/')).status).toBe(302);
  });

  it('GET /logout changes nothing (it asks)', async () => {
    t = await webSite();
    const a = new Agent(t.web);
    await a.login('admin', PASSWORDS.admin);
    expect(await (await a.get('/logout')).text()).toContain('Sign out of siteward?');
    expect((await a.get('/')).status).toBe(200);
  });

  it('a password change ends the other sessions of that user, not the current one', async () => {
    t = await webSite();
    const phone = new Agent(t.web);
    await phone.login('olly', PASSWORDS.olly);
    const desk = new Agent(t.web);
    await desk.login('olly', PASSWORDS.olly);
    await desk.page('/account');
    const bad = await desk.post('/account/password', { current: 'nope', password: 'new-password-1', repeat: 'new-password-1' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain('is not your current password');
    const res = await desk.post('/account/password', { current: PASSWORDS.olly, password: 'new-password-1', repeat: 'new-password-1' });
    expect(res.status).toBe(303);
    expect((await desk.get('/')).status).toBe(200);
    expect((await phone.get('/')).status).toBe(302);
    expect((await new Agent(t.web).login('olly', 'new-password-1')).status).toBe(303);
    expect((await new Agent(t.web).login('olly', PASSWORDS.olly)).status).toBe(401);
  });

  it('a password changed in the site file (another way) ends the sessions too', async () => {
    t = await webSite();
    const a = new Agent(t.web);
    await a.login('vera', PASSWORDS.vera);
    const hash = await fastHash('changed-elsewhere');
    await t.site.mutate((doc) => ({ ...doc, webui: { ...(doc.webui as object), users: { ...(doc.webui as { users: object }).users, vera: hash } } }));
    expect((await a.get('/')).status).toBe(302);
  });

  it('a session for a user removed from the file is rejected', async () => {
    t = await siteWithUsers({ admin: await fastHash('admin-pass-1'), gone: await fastHash('gone-pass-1'), '': await fastHash('d') });
    const a = new Agent(t.web);
    await a.login('gone', 'gone-pass-1');
    await t.site.mutate((doc) => {
      const w = doc.webui as { users: Record<string, string> };
      const { gone: _g, ...users } = w.users;
      return { ...doc, webui: { ...w, users } };
    });
    expect((await a.get('/')).status).toBe(302);
  });
});
