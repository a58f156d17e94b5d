/**
 * Sign-in for teams, end to end in Chromium (playwright-core) against a
 * running siteward (site + wiring + web server on an OS-chosen port):
 *
 * - TOTP: a user enrols (the QR code is an SVG image; its key is read from
 *   the page), signs out, signs in with password + a code from the same
 *   secret, and sees the home page.
 * - OpenID Connect: a REAL provider (the `oidc-provider` package with its
 *   development login pages) on 127.0.0.1; the login page's "Sign in with"
 *   button runs the authorisation code flow with PKCE; the `groups` claim
 *   gives alice admin and bob viewer; carol (no group) is refused. The
 *   client secret comes from an environment variable ({"env": …}).
 *
 * Screenshots go to test-artifacts/e2e/ (not committed).
 */
import { it, expect, beforeAll, afterAll } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { CHROMIUM, launchBrowser, SHOTS, signIn, submitSignIn, closeBrowser } from './browser.ts';
import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import * as OTPAuth from 'otpauth';
import Provider from 'oidc-provider';
import { Site } from '../../src/site.ts';
import * as wiring from '../../src/wiring.ts';
import { WebService } from '../../src/web/server.ts';
import { describeDaemon, tempDir } from '../servers/common.ts';
import { fastHash } from '../web/helpers.ts';

const OLLY_PW = 'olly-e2e-pass';
const SECRET_ENV = 'SW_E2E_OIDC_SECRET';
const CLIENT_SECRET = 'e2e-client-secret-0123456789';

const GROUPS: Record<string, string[]> = { alice: ['siteward-admins', 'staff'], bob: ['staff'], carol: [] };

describeDaemon('sign-in for teams in Chromium (TOTP, OpenID Connect)', [CHROMIUM], () => {
  let dir: string;
  let cleanup: () => void;
  let site: Site;
  let base: string;
  let browser: Browser;
  let idp: Server;
  let issuer: string;
  const problems: string[] = [];

  const contextFor = async (): Promise<{ ctx: BrowserContext; page: Page }> => {
    const ctx = await browser.newContext({ viewport: { width: 1100, height: 850 } });
    const page = await ctx.newPage();
    page.on('console', (m) => {
      // the provider's development pages are not ours; siteward's pages must be clean (strict CSP)
      // (a refused page's status is expected: "Failed to load resource" is not a problem here)
      if (page.url().startsWith(base) && !/Failed to load resource/.test(m.text()) && (m.type() === 'error' || /Content.Security.Policy/i.test(m.text()))) {
        problems.push(`${page.url()}: ${m.text()}`);
      }
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    return { ctx, page };
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ({ dir, cleanup } = tempDir('sw-signin-'));
    // the provider's port first (the site file names the issuer) …
    idp = createServer();
    idp.listen(0, '127.0.0.1');
    await once(idp, 'listening');
    issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
    process.env[SECRET_ENV] = CLIENT_SECRET;

    const path = join(dir, 'site.json');
    writeFileSync(
      path,
      JSON.stringify(
        {
          webui: {
            name: 'Sign-in E2E',
            hostname: '127.0.0.1',
            port: null,
            users: { admin: await fastHash('admin-e2e-pass'), olly: await fastHash(OLLY_PW), '': await fastHash('dummy') },
            oidc: {
              issuer,
              clientId: 'siteward',
              clientSecret: { env: SECRET_ENV },
              scopes: 'openid profile groups',
              roles: { admin: ['siteward-admins'], viewer: ['staff'] },
              label: 'Example SSO',
            },
          },
          scheduler: { jitter: 0 },
          checks: { anchor: { type: 'disk', options: { volume: '/', level: 100 } } },
        },
        null,
        1,
      ),
      { mode: 0o600 },
    );
    site = await wiring.openSite({ configPath: path, migrations: wiring.migrations() });
    const services = await wiring.services(site, { port: 0, webui: true });
    for (const s of services) site.use(s);
    await site.start();
    await site.runNow('anchor');
    base = services
      .find((s): s is WebService => s instanceof WebService)!
      .address()!
      .url.replace(/\/$/, '');

    // … then the provider, which must know siteward's callback URL
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: 'siteward',
          client_secret: CLIENT_SECRET,
          redirect_uris: [`${base}/login/oidc/callback`],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
        },
      ],
      scopes: ['openid', 'profile', 'groups'],
      claims: { openid: ['sub'], profile: ['preferred_username'], groups: ['groups'] },
      async findAccount(_ctx, id) {
        return { accountId: id, claims: async () => ({ sub: id, preferred_username: id, groups: GROUPS[id] ?? [] }) };
      },
      pkce: { required: () => true },
      features: { devInteractions: { enabled: true } },
      cookies: { keys: ['e2e-cookie-key-0123456789abcdef'] },
    });
    const handle = provider.callback();
    idp.on('request', (req, res) => void handle(req, res));

    browser = await launchBrowser();
  });

  afterAll(async () => {
    await closeBrowser(browser);
    await site?.stop();
    if (idp) {
      idp.closeAllConnections();
      idp.close();
    }
    delete process.env[SECRET_ENV];
    cleanup?.();
  });

  it('TOTP: enrol with the QR code, sign out, sign in with password and code', { timeout: 120_000 }, async () => {
    const { ctx, page } = await contextFor();
    try {
      await signIn(page, base, 'olly', OLLY_PW);
      await page.goto(`${base}/account`);
      await page.click('a[href="/account/2fa"]');
      await page.click('button:has-text("Set up two-factor sign-in")');
      await page.waitForSelector('img.qr');
      // the QR image really loaded (an SVG served by siteward)
      expect(
        await page.locator('img.qr').evaluate((img) => {
          const i = img as unknown as { complete: boolean; naturalWidth: number };
          return i.complete && i.naturalWidth > 0;
        }),
      ).toBe(true);
      await page.screenshot({ path: join(SHOTS, 'signin-01-enrol.png'), fullPage: true });
      const secret = (await page.locator('#totp-secret').textContent())!.trim();
      const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' });
      await page.fill('#code', totp.generate());
      await page.click('button:has-text("Turn on")');
      await page.waitForSelector('ul.codes li');
      expect(await page.locator('ul.codes li').count()).toBe(10);
      await page.screenshot({ path: join(SHOTS, 'signin-02-recovery-codes.png'), fullPage: true });
      // sign out and back in: the code step
      await page.click('header form[action="/logout"] button');
      await page.waitForURL(/\/login/);
      await submitSignIn(page, 'olly', OLLY_PW);
      await page.waitForSelector('text=Enter your code');
      await page.screenshot({ path: join(SHOTS, 'signin-03-code.png'), fullPage: true });
      expect(page.url()).not.toBe(`${base}/`);
      // a code of the next time step (the enrolment used the current one: replays are refused)
      await page.fill('#code', totp.generate({ timestamp: Date.now() + 30_000 }));
      await page.click('button:has-text("Continue")');
      await page.waitForURL(`${base}/`);
      expect(await page.locator('header .who').textContent()).toContain('olly (operator)');
    } finally {
      await ctx.close();
    }
  });

  const ssoLogin = async (page: Page, user: string): Promise<void> => {
    await page.goto(`${base}/login`);
    await page.click('button:has-text("Sign in with Example SSO")');
    // the provider's development login page
    await page.waitForURL((u) => !u.href.startsWith(`${base}/login`) || u.href.startsWith(issuer), { timeout: 15_000 }).catch(() => undefined);
    if (!page.url().startsWith(issuer)) throw new Error(`not at the provider: ${page.url()}\n${(await page.textContent('body'))?.slice(0, 500)}`);
    await page.fill('input[name=login]', user);
    await page.fill('input[name=password]', 'any');
    await page.click('button[type=submit]');
    // consent, when the provider asks
    await page.waitForURL((u) => u.href.startsWith(base) || /interaction/.test(u.href));
    if (page.url().startsWith(issuer)) await page.click('button[type=submit]');
  };

  it('OpenID Connect: alice (admin group) signs in as admin, bob as viewer, carol is refused', { timeout: 120_000 }, async () => {
    for (const [user, role] of [
      ['alice', 'admin'],
      ['bob', 'viewer'],
    ] as const) {
      const { ctx, page } = await contextFor();
      try {
        await ssoLogin(page, user);
        await page.waitForURL(`${base}/`);
        expect(await page.locator('header .who').textContent()).toContain(`${user} (${role})`);
        // the role decides what the session may do: only the admin sees Users
        const users = await page.goto(`${base}/users`);
        expect(users!.status()).toBe(role === 'admin' ? 200 : 403);
        if (user === 'bob') {
          // issue 19: an account only single sign-on knows has no password form
          await page.goto(`${base}/account`);
          expect(await page.locator('#sso-only').textContent()).toContain('You sign in with Example SSO');
          expect(await page.locator('input[type=password]').count()).toBe(0);
        }
        if (user === 'alice') {
          await page.goto(`${base}/`);
          await page.screenshot({ path: join(SHOTS, 'signin-04-sso-home.png'), fullPage: true });
        }
      } finally {
        await ctx.close();
      }
    }
    const { ctx, page } = await contextFor();
    try {
      await page.goto(`${base}/login`);
      await page.screenshot({ path: join(SHOTS, 'signin-05-login-sso.png'), fullPage: true });
      await ssoLogin(page, 'carol');
      await page.waitForSelector('text=not in a group allowed to use siteward');
      expect(page.url()).toContain('/login/oidc/callback');
      expect((await page.goto(`${base}/checks`))!.url()).toContain('/login');
    } finally {
      await ctx.close();
    }
    expect(problems).toEqual([]);
  });

  it('the client secret never reaches the site log', () => {
    const log = site.siteLog.all().join('\n');
    expect(log).toContain('via single sign-on as admin');
    expect(log).not.toContain(CLIENT_SECRET);
  });
});
