/**
 * TOTP two-factor sign-in through the web app (fake clock): enrolment with
 * the QR code as an SVG image, the code step after the password, replay
 * refused, recovery codes used once, wrong codes throttled and bounded,
 * turning it off needs a code, an admin's reset, and the secret stored
 * encrypted.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import * as OTPAuth from 'otpauth';
import { Agent, PASSWORDS, webSite, type TestSite } from './helpers.ts';

let t: TestSite;
beforeEach(async () => {
  t = await webSite();
});
afterEach(async () => {
  await t.close();
});

const codeAt = (secret: string, at: number): string =>
  new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: at });

async function enrol(a: Agent): Promise<{ secret: string; codes: string[] }> {
  await a.page('/account/2fa');
  expect((await a.post('/account/2fa/start')).status).toBe(303);
  const page = await a.page('/account/2fa');
  const secret = /id="totp-secret">([A-Z2-7]+)</.exec(page)![1];
  const res = await a.post('/account/2fa/confirm', { code: codeAt(secret, t.clock.now()) });
  expect(res.status).toBe(200);
  const html = await res.text();
  const codes = [...html.matchAll(/<li><code>([a-z2-9]{5}-[a-z2-9]{5})<\/code><\/li>/g)].map((m) => m[1]);
  expect(codes).toHaveLength(10);
  return { secret, codes };
}

/** Password step; returns the code page's login token. */
async function password(a: Agent, user: string, pw: string): Promise<string> {
  const page = await (await a.get('/login')).text();
  const token = /name="_login" value="([^"]+)"/.exec(page)![1];
  const res = await a.post('/login', { _login: token, username: user, password: pw }, { csrf: null });
  expect(res.status).toBe(200);
  const html = await res.text();
  expect(html).toContain('Enter your code');
  return /name="_login" value="([^"]+)"/.exec(html)![1];
}

describe('TOTP two-factor sign-in', () => {
  it('enrolment shows a QR code (SVG image of an otpauth URI) and the key; a wrong code does not turn it on', async () => {
    const a = new Agent(t.web);
    await a.login('olly', PASSWORDS.olly);
    await a.post('/account/2fa/start');
    const qr = await a.get('/account/2fa/qr.svg');
    expect(qr.status).toBe(200);
    expect(qr.headers.get('content-type')).toBe('image/svg+xml');
    expect(qr.headers.get('cache-control')).toBe('no-store');
    const svg = await qr.text();
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).not.toMatch(/<script|style=/);
    const bad = await a.post('/account/2fa/confirm', { code: '000000' });
    expect(bad.status).toBe(422);
    expect(t.web.deps.twofactor.store.enabled('olly')).toBe(false);
    // the page itself has no inline style or script (strict CSP)
    const page = await a.page('/account/2fa');
    expect(page).toContain('<img class="qr" src="/account/2fa/qr.svg"');
    expect(page).not.toMatch(/<script>|style="/);
  });

  it('login asks for the code after the password; a right code signs in, the same code again is refused', async () => {
    const a = new Agent(t.web);
    await a.login('olly', PASSWORDS.olly);
    const { secret } = await enrol(a);
    await t.clock.advance(60_000); // a new time step
    const b = new Agent(t.web);
    let token = await password(b, 'olly', PASSWORDS.olly);
    expect((await b.get('/')).status).not.toBe(200); // no session yet
    const code = codeAt(secret, t.clock.now());
    const ok = await b.post('/login/2fa', { _login: token, code }, { csrf: null });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/');
    expect((await b.get('/')).status).toBe(200);
    // replay: the same code within its window is refused (RFC 6238 §5.2)
    const c = new Agent(t.web);
    token = await password(c, 'olly', PASSWORDS.olly);
    const replay = await c.post('/login/2fa', { _login: token, code }, { csrf: null });
    expect(replay.status).toBe(401);
    expect((await c.get('/')).status).not.toBe(200);
  });

  it('a recovery code works once; five wrong codes end the attempt', async () => {
    const a = new Agent(t.web);
    await a.login('olly', PASSWORDS.olly);
    const { codes } = await enrol(a);
    const b = new Agent(t.web);
    let token = await password(b, 'olly', PASSWORDS.olly);
    expect((await b.post('/login/2fa', { _login: token, code: codes[0].toUpperCase() }, { csrf: null })).status).toBe(303);
    expect(t.web.deps.twofactor.store.recoveryLeft('olly')).toBe(9);
    const c = new Agent(t.web);
    token = await password(c, 'olly', PASSWORDS.olly);
    expect((await c.post('/login/2fa', { _login: token, code: codes[0] }, { csrf: null })).status).toBe(401);
    for (let i = 0; i < 3; i++) {
      const r = await c.post(
        '/login/2fa',
        { _login: /name="_login" value="([^"]+)"/.exec(await (await c.get('/login')).text())![1], code: '123456' },
        { csrf: null },
      );
      expect(r.status).toBe(401);
    }
    // the fifth wrong code: back to the password
    const last = await c.post('/login/2fa', { _login: 'x', code: '123456' }, { csrf: null });
    expect([303, 403]).toContain(last.status);
  });

  it('without the pending cookie or with an expired one, the code step sends you back to the password', async () => {
    const a = new Agent(t.web);
    await a.login('olly', PASSWORDS.olly);
    const { secret } = await enrol(a);
    const b = new Agent(t.web);
    const token = await password(b, 'olly', PASSWORDS.olly);
    await t.clock.advance(6 * 60_000);
    const res = await b.post('/login/2fa', { _login: token, code: codeAt(secret, t.clock.now()) }, { csrf: null });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login');
  });

  it('turning it off needs a code; an admin can reset it (and the user signs in with the password alone)', async () => {
    const a = new Agent(t.web);
    await a.login('olly', PASSWORDS.olly);
    const { secret } = await enrol(a);
    await a.page('/account/2fa');
    expect((await a.post('/account/2fa/disable', { code: '000000' })).status).toBe(422);
    expect(t.web.deps.twofactor.store.enabled('olly')).toBe(true);

    const admin = new Agent(t.web);
    await admin.login('admin', PASSWORDS.admin);
    const users = await admin.page('/users');
    expect(users).toContain('/user/olly/2fa-reset');
    // an operator cannot reset anyone
    expect((await a.post('/user/olly/2fa-reset', { confirm: 'yes' })).status).toBe(403);
    expect((await admin.post('/user/olly/2fa-reset', { confirm: 'yes' })).status).toBe(303);
    expect(t.web.deps.twofactor.store.enabled('olly')).toBe(false);
    // the reset ended olly's sessions; the password alone signs in now
    expect((await a.get('/account')).status).not.toBe(200);
    const b = new Agent(t.web);
    expect((await b.login('olly', PASSWORDS.olly)).status).toBe(303);
    expect(codeAt(secret, t.clock.now())).toMatch(/^\d{6}$/);
  });

  it('the shared secret is stored encrypted and recovery codes only as HMACs', async () => {
    const a = new Agent(t.web);
    await a.login('olly', PASSWORDS.olly);
    const { secret, codes } = await enrol(a);
    const row = t.site.db.prepare('SELECT secret FROM web_totp WHERE user = ?').get('olly') as { secret: string };
    expect(row.secret).not.toContain(secret);
    const hashes = (t.site.db.prepare('SELECT hash FROM web_recovery WHERE user = ?').all('olly') as { hash: string }[]).map((r) => r.hash);
    expect(hashes).toHaveLength(10);
    for (const c of codes) expect(hashes.join(' ')).not.toContain(c.replace('-', ''));
  });
});
