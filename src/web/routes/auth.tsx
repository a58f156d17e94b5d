/**
 * Sign in, sign out and one's own password (spec §8.2, fixed: throttled,
 * persistent sessions, logout by POST, password change ends other sessions).
 */
import { Hono } from 'hono';
import { deleteCookie } from 'hono/cookie';
import { hashPassword, randomPassword } from '../../config/init.ts';
import type { WebuiConfig } from '../../config/load.ts';
import { formatIssue } from '../../config/issues.ts';
import { roleOf, userHash } from '../auth.ts';
import { authOf, clientAddress, cookieNames, need, safeNext, type WebContext, type WebEnv } from '../context.ts';
import { checkLoginToken, issueLoginToken } from '../csrf.ts';
import type { WebDeps } from '../deps.ts';
import { formValues } from '../fields.ts';
import { html, pageCtx } from '../render.tsx';
import { putUser } from '../users.ts';
import { oidcOf } from '../../config/oidc.ts';
import { askForCode } from './twofactor.tsx';
import { finishLogin, logName } from '../login.ts';
import { emptyForm } from '../view-data.ts';
import type { PasswordMode } from '../view-data.ts';

export const MIN_PASSWORD = 8;

export { logName };

/** fletchck's `""` dummy user (spec §2.2), made only when the file has none. */
export async function dummyHash(webui: WebuiConfig | null): Promise<string> {
  const own = webui?.users?.[''];
  return typeof own === 'string' ? own : hashPassword(randomPassword());
}

export interface LoginView {
  next: string;
  user?: string;
  error?: string;
  status?: 200 | 401 | 403 | 429 | 503;
}

/** The login page (with a fresh login token), e.g. again with an error. */
export function showLogin(c: WebContext, d: WebDeps, o: LoginView) {
  const { LoginPage } = d.pages;
  const { site } = d;
  const token = issueLoginToken(c, d.secure);
  const noUsers = Object.keys(site.settings.webui?.users ?? {}).filter((u) => u !== '').length === 0;
  const sso = oidcOf(site.settings.webui);
  return html(
    c,
    <LoginPage
      site={site.name}
      assets={d.assets}
      token={token}
      next={o.next}
      user={o.user}
      error={o.error}
      noUsers={noUsers && !sso}
      sso={sso?.label}
      // only single sign-on accounts: no password form to mislead anyone
      passwords={!(noUsers && sso)}
    />,
    o.status ?? 200,
  );
}

export function authRoutes(d: WebDeps): Hono<WebEnv> {
  const { AccountPage, ConfirmPage } = d.pages;
  const r = new Hono<WebEnv>();
  const { site } = d;

  const loginPage = (c: WebContext, o: LoginView) => showLogin(c, d, o);

  r.get('/login', async (c) => {
    const next = safeNext(c.req.query('next'));
    if (c.get('auth')) return c.redirect(next, 302);
    return loginPage(c, { next });
  });

  r.post('/login', async (c) => {
    const form = formValues(await c.req.parseBody({ all: true }));
    const user = form.get('username') ?? '';
    const password = form.get('password') ?? '';
    const next = safeNext(form.get('next'));
    if (!checkLoginToken(c, d.secure, form.get('_login'))) {
      return loginPage(c, { next, user, error: 'The sign-in form expired. Please try again.', status: 403 });
    }
    const addr = clientAddress(c);
    const webui = site.settings.webui;
    const v = await d.logins.verify(webui, user, password, addr);
    if (v.result === 'throttled') {
      site.warn(`Throttled login username=${logName(user)} (${addr})`);
      c.header('Retry-After', String(Math.ceil(v.waitMs / 1000)));
      return loginPage(c, { next, user, error: `Too many failed sign-ins. Try again in ${Math.ceil(v.waitMs / 1000)} seconds.`, status: 429 });
    }
    if (v.result === 'busy') {
      c.header('Retry-After', '1');
      return loginPage(c, { next, user, error: 'siteward is busy checking other sign-ins. Try again in a moment.', status: 503 });
    }
    if (v.result === 'wrong') {
      site.warn(`Invalid login username=${logName(user)} (${addr})`);
      return loginPage(c, { next, user, error: 'Invalid login details', status: 401 });
    }
    const hash = userHash(webui, user)!;
    // the second factor, when the user has one (./twofactor.tsx)
    if (d.twofactor.store.enabled(user)) return askForCode(c, d, user, hash, next);
    finishLogin(c, d, user, hash, addr, next);
    return c.redirect(next, 303);
  });

  r.get('/logout', async (c) => {
    if (!c.get('auth')) return c.redirect('/login', 302);
    return html(c, <ConfirmPage ctx={pageCtx(c, d, null)} title="Sign out" question="Sign out of siteward?" action="/logout" button="Sign out" cancel="/" />);
  });

  r.post('/logout', need('viewer'), async (c) => {
    const a = authOf(c);
    const form = formValues(await c.req.parseBody({ all: true }));
    if (form.get('everywhere') === '1') d.sessions.endUser(a.user);
    else d.sessions.end(a.session.id);
    deleteCookie(c, cookieNames(d.secure).session, { path: '/', secure: d.secure });
    // spec §8.2: fletchck sends Clear-Site-Data on logout
    c.header('Clear-Site-Data', '"cache", "cookies", "storage"');
    return c.redirect('/login', 303);
  });

  /**
   * What the account page offers for a password: `change` (the user has one);
   * for a user signed in with single sign-on who has none, `set` when the
   * admin allows it (webui.oidc.allowPasswords), else `none` — no form.
   */
  const passwordMode = (c: WebContext): PasswordMode => {
    const a = authOf(c);
    if (a.session.source !== 'oidc' || userHash(site.settings.webui, a.user) !== undefined) return 'change';
    return oidcOf(site.settings.webui)?.allowPasswords ? 'set' : 'none';
  };
  const account = (c: WebContext, s = emptyForm(), done = false) => (
    <AccountPage
      ctx={pageCtx(c, d, { kind: 'page' })}
      s={s}
      done={done}
      password={passwordMode(c)}
      sso={oidcOf(site.settings.webui)?.label ?? 'single sign-on'}
    />
  );

  r.get('/account', need('viewer'), async (c) => html(c, account(c, emptyForm(), c.req.query('done') === '1')));

  r.post('/account/password', need('viewer'), async (c) => {
    const a = authOf(c);
    const mode = passwordMode(c);
    const s = emptyForm();
    if (mode === 'none') {
      s.general.push(
        'You sign in with single sign-on: a siteward password is not allowed for your account (an admin may allow it: webui.oidc.allowPasswords).',
      );
      return html(c, account(c, s), 403);
    }
    const form = formValues(await c.req.parseBody({ all: true }));
    const pw = form.get('password') ?? '';
    // the current password is verified under the login limits (a stolen session must not make it a free oracle);
    // a single sign-on user setting a first password has none: the session (and the admin's allowPasswords) stand for it
    const v = mode === 'set' ? { result: 'ok' as const } : await d.logins.verify(site.settings.webui, a.user, form.get('current') ?? '', clientAddress(c));
    if (v.result === 'throttled' || v.result === 'busy') {
      const wait = v.result === 'busy' ? 1 : Math.ceil(v.waitMs / 1000);
      c.header('Retry-After', String(wait));
      s.errors.current =
        v.result === 'busy' ? 'siteward is busy checking other passwords: try again in a moment' : `too many wrong passwords: try again in ${wait} seconds`;
      return html(c, account(c, s), v.result === 'busy' ? 503 : 429);
    }
    if (v.result === 'wrong') s.errors.current = 'is not your current password';
    if (pw.length < MIN_PASSWORD) s.errors.password = `needs at least ${MIN_PASSWORD} characters`;
    else if (pw !== form.get('repeat')) s.errors.repeat = 'does not match the new password';
    if (Object.keys(s.errors).length === 0) {
      const hash = await hashPassword(pw);
      const dummy = await dummyHash(site.settings.webui);
      // a first password for a single sign-on user: the role single sign-on gave them
      const role = mode === 'set' ? a.role : roleOf(site.settings.webui, a.user);
      const res = await site.mutate((doc) => putUser(doc, { name: a.user, oldName: a.user, hash, role }, dummy));
      if (res.ok) {
        d.sessions.endUser(a.user, a.session.id);
        // a single sign-on session stays bound to the provider's settings
        if (a.session.source !== 'oidc') d.sessions.rebind(a.session.id, hash);
        site.warn(`Password changed username=${logName(a.user)}`);
        return c.redirect('/account?done=1', 303);
      }
      s.general.push(...res.issues.map(formatIssue));
    }
    return html(c, account(c, s), 422);
  });

  return r;
}
