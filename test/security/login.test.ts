/**
 * Issue 15, login and abuse: the throttle holds under concurrency (the
 * attempt is reserved before the slow verification), a user cannot be
 * locked out from every address, verifications at once are capped (the
 * rest answered 503 at once), /account/password's current password is
 * throttled too, and `next` after login never leaves this origin.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { Agent, PASSWORDS, webSite, type TestSite } from '../web/helpers.ts';
import { argonVerify, type Verify } from '../../src/web/auth.ts';
import { safeNext } from '../../src/web/context.ts';

let t: TestSite | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** argon2 that counts its calls and can be held open, so requests overlap as they do under a real ~0.5 s hash. */
function countingVerify(): { verify: Verify; calls: () => number; release: () => void; held: () => number } {
  let calls = 0;
  let held = 0;
  const waiters: (() => void)[] = [];
  let open = false;
  return {
    verify: async (hash, pw) => {
      calls++;
      if (!open) {
        held++;
        await new Promise<void>((r) => waiters.push(r));
        held--;
      }
      return argonVerify(hash, pw);
    },
    calls: () => calls,
    held: () => held,
    release: () => {
      open = true;
      for (const w of waiters.splice(0)) w();
    },
  };
}

async function loginForm(a: Agent): Promise<string> {
  return /name="_login" value="([^"]+)"/.exec(await (await a.get('/login')).text())![1];
}

describe('the login throttle under concurrency', () => {
  it('50 parallel wrong passwords for one user from one address get 6 verifications, as 50 in a row would', async () => {
    const v = countingVerify();
    t = await webSite({ app: { verify: v.verify, maxVerifications: 100 } });
    const a = new Agent(t.web, '198.51.100.7');
    const token = await loginForm(a);
    const all = Promise.all(Array.from({ length: 50 }, () => a.post('/login', { _login: token, username: 'olly', password: 'wrong' }, { csrf: null })));
    await expect.poll(() => v.held()).toBe(6);
    v.release();
    const codes = (await all).map((r) => r.status);
    expect(v.calls()).toBe(6);
    expect(codes.filter((c) => c === 401)).toHaveLength(6);
    expect(codes.filter((c) => c === 429)).toHaveLength(44);
  });

  it('50 parallel guesses from one address across user names get at most 21 verifications', async () => {
    const v = countingVerify();
    t = await webSite({ app: { verify: v.verify, maxVerifications: 100 } });
    const a = new Agent(t.web, '198.51.100.8');
    const token = await loginForm(a);
    const all = Promise.all(Array.from({ length: 50 }, (_, i) => a.post('/login', { _login: token, username: `user${i}`, password: 'wrong' }, { csrf: null })));
    await expect.poll(() => v.held()).toBe(21);
    v.release();
    await all;
    expect(v.calls()).toBe(21);
  });

  it('an anonymous client cannot lock the administrator out: its own address and that name are throttled, others are not', async () => {
    t = await webSite();
    for (let i = 0; i < 12; i++) await new Agent(t.web, '203.0.113.66').login('admin', `guess-${i}`);
    expect((await new Agent(t.web, '203.0.113.66').login('admin', PASSWORDS.admin)).status).toBe(429);
    expect((await new Agent(t.web, '192.0.2.10').login('admin', PASSWORDS.admin)).status).toBe(303);
  });

  it('a successful sign-in does not count against its address', async () => {
    t = await webSite();
    for (let i = 0; i < 30; i++) expect((await new Agent(t.web, '192.0.2.11').login('vera', PASSWORDS.vera)).status).toBe(303);
  });
});

describe('verifications at once are capped', () => {
  it('with two verifications running, a third sign-in is answered 503 at once without a verification; later ones go through', async () => {
    const v = countingVerify();
    t = await webSite({ app: { verify: v.verify } });
    const a = new Agent(t.web, '192.0.2.20');
    const token = await loginForm(a);
    const slow = [0, 1].map(() => a.post('/login', { _login: token, username: 'olly', password: 'wrong' }, { csrf: null }));
    await expect.poll(() => v.held()).toBe(2);
    const busy = await new Agent(t.web, '192.0.2.21').post(
      '/login',
      { _login: token, username: 'admin', password: PASSWORDS.admin },
      { csrf: null, headers: { Cookie: `siteward-login=${token}` } },
    );
    expect(busy.status).toBe(503);
    expect(busy.headers.get('Retry-After')).toBe('1');
    expect(await busy.text()).toContain('busy checking other sign-ins');
    expect(v.calls()).toBe(2);
    v.release();
    expect((await Promise.all(slow)).map((r) => r.status)).toEqual([401, 401]);
    expect((await new Agent(t.web, '192.0.2.21').login('admin', PASSWORDS.admin)).status).toBe(303);
  });
});

describe('/account/password', () => {
  it('verifies the current password under the same throttle', async () => {
    const v = countingVerify();
    v.release();
    t = await webSite({ app: { verify: v.verify } });
    const a = new Agent(t.web, '192.0.2.30');
    await a.login('olly', PASSWORDS.olly);
    await a.page('/account');
    const before = v.calls();
    const codes: number[] = [];
    for (let i = 0; i < 10; i++)
      codes.push((await a.post('/account/password', { current: `guess-${i}`, password: 'new-password-1', repeat: 'new-password-1' })).status);
    expect(codes).toEqual([422, 422, 422, 422, 422, 422, 429, 429, 429, 429]);
    expect(v.calls() - before).toBe(6);
    const held = await a.post('/account/password', { current: PASSWORDS.olly, password: 'new-password-1', repeat: 'new-password-1' });
    expect(held.status).toBe(429);
    expect(await held.text()).toMatch(/too many wrong passwords: try again in \d+ seconds/);
    await t.clock.advance(20 * 60_000);
    expect((await a.post('/account/password', { current: PASSWORDS.olly, password: 'new-password-1', repeat: 'new-password-1' })).status).toBe(303);
  });
});

describe('next after login stays on this origin', () => {
  const HOSTILE = [
    '/\t/evil.example/x',
    '/\u000b/evil.example/x',
    '/\n/evil.example',
    '/\r\n/evil.example',
    '//evil.example',
    '/\\evil.example',
    '/\\/evil.example',
    'https://evil.example',
    'evil.example',
    '/%2F/x',
    ' /x',
    '/\u0000/evil',
    '/x\\..\\..\\evil',
    '/\u007f/evil',
  ];

  it('whatever the value, the answer resolves (as a browser resolves it) to this origin', () => {
    for (const v of HOSTILE) {
      const next = safeNext(v);
      expect(new URL(next, 'https://site.example:30443/login').origin, JSON.stringify(v)).toBe('https://site.example:30443');
      expect(next, JSON.stringify(v)).toMatch(/^\/(?!\/)[\x21-\x7e]*$/);
    }
    expect(safeNext('/checks?q=a b&state=FAIL#top')).toBe('/checks?q=a%20b&state=FAIL#top');
    expect(safeNext('/check/caf\u00e9')).toBe('/check/caf%C3%A9');
  });

  it('GET /login?next=/%09/evil.example/x redirects home, and /%0B/… is not an error', async () => {
    t = await webSite();
    const a = new Agent(t.web);
    await a.login('admin', PASSWORDS.admin);
    for (const q of ['/%09/evil.example/x', '/%0B/evil.example/x', '/%0D%0ALocation:%20https://evil.example']) {
      const res = await a.get(`/login?next=${q}`);
      expect(res.status, q).toBe(302);
      expect(res.headers.get('Location'), q).toBe('/');
    }
    const form = await new Agent(t.web).get('/login?next=/%09/evil.example/x');
    expect(await form.text()).toContain('name="next" value="/"');
  });
});
