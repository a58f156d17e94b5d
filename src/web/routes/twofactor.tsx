/**
 * Two-factor sign-in (TOTP, RFC 6238): the code step after the password,
 * one's own enrolment at /account/2fa (QR code rendered here as SVG, served
 * as an image so the page needs no inline script or style), recovery codes,
 * and an administrator's reset of a user's second factor. The model and its
 * rules: src/web/twofactor/store.ts; docs/security.md "Two-factor sign-in".
 */
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import QRCode from 'qrcode';
import { userHash } from '../auth.ts';
import { authOf, clientAddress, need, type WebContext, type WebEnv } from '../context.ts';
import { checkLoginToken, issueLoginToken } from '../csrf.ts';
import type { WebDeps } from '../deps.ts';
import { formValues } from '../fields.ts';
import { html, pageCtx } from '../render.tsx';
import { PENDING_MS } from '../twofactor/pending.ts';
import { notFound } from './checks.tsx';
import { finishLogin, logName } from '../login.ts';
import type { TwoFactorState } from '../view-data.ts';
import { userUrl } from '../view-data.ts';

const MAX_CODE = 32;

export function pendingCookie(secure: boolean): string {
  return secure ? '__Host-siteward-2fa' : 'siteward-2fa';
}

/** After a right password for a user with 2FA on: the code page instead of a session. */
export function askForCode(c: WebContext, d: WebDeps, user: string, hash: string, next: string) {
  const { TotpLoginPage } = d.pages;
  const secret = d.twofactor.pending.start(user, hash, next);
  setCookie(c, pendingCookie(d.secure), secret, { httpOnly: true, secure: d.secure, sameSite: 'Strict', path: '/', maxAge: PENDING_MS / 1000 });
  return html(c, <TotpLoginPage site={d.site.name} assets={d.assets} token={issueLoginToken(c, d.secure)} user={user} />);
}

export function twoFactorRoutes(d: WebDeps): Hono<WebEnv> {
  const { TotpLoginPage, TwoFactorPage, ConfirmPage } = d.pages;
  const r = new Hono<WebEnv>();
  const { site } = d;
  const { store, pending, throttle } = d.twofactor;

  const page = (c: WebContext, s: TwoFactorState, status: 200 | 422 = 200) => html(c, <TwoFactorPage ctx={pageCtx(c, d, { kind: 'page' })} s={s} />, status);
  const stateOf = (user: string): TwoFactorState => {
    if (store.enabled(user)) return { kind: 'on', left: store.recoveryLeft(user) };
    const p = store.pending(user);
    return p ? { kind: 'enrolling', secret: p.secret } : { kind: 'off' };
  };

  r.post('/login/2fa', async (c) => {
    const form = formValues(await c.req.parseBody({ all: true }));
    const cookie = getCookie(c, pendingCookie(d.secure));
    if (c.get('auth')) return c.redirect('/', 303); // signed in already
    const p = pending.get(cookie);
    if (!p || !cookie) return c.redirect('/login', 303);
    const again = (error: string, status: 401 | 403 | 429) =>
      html(c, <TotpLoginPage site={site.name} assets={d.assets} token={issueLoginToken(c, d.secure)} user={p.user} error={error} />, status);
    if (!checkLoginToken(c, d.secure, form.get('_login'))) return again('The sign-in form expired. Please try again.', 403);
    const wait = throttle.wait(p.user);
    if (wait > 0) {
      c.header('Retry-After', String(Math.ceil(wait / 1000)));
      return again(`Too many wrong codes. Try again in ${Math.ceil(wait / 1000)} seconds.`, 429);
    }
    const addr = clientAddress(c);
    // the password may have changed while the code page was open
    const v = userHash(site.settings.webui, p.user) === p.hash ? store.verify(p.user, (form.get('code') ?? '').slice(0, MAX_CODE)) : { ok: false as const };
    if (!v.ok) {
      throttle.fail(p.user);
      site.warn(`Invalid second factor username=${logName(p.user)} (${addr})`);
      if (!pending.fail(cookie)) {
        deleteCookie(c, pendingCookie(d.secure), { path: '/', secure: d.secure });
        return c.redirect('/login', 303);
      }
      return again('That code is not right (or was already used). Try the newest code from your app.', 401);
    }
    throttle.reset(p.user);
    pending.end(cookie);
    deleteCookie(c, pendingCookie(d.secure), { path: '/', secure: d.secure });
    if (v.recovery) site.warn(`Recovery code used username=${logName(p.user)}, ${v.left} left (${addr})`);
    finishLogin(c, d, p.user, p.hash, addr, p.next);
    return c.redirect(p.next, 303);
  });

  r.get('/account/2fa', need('viewer'), (c) => page(c, stateOf(authOf(c).user)));

  r.post('/account/2fa/start', need('viewer'), (c) => {
    const a = authOf(c);
    if (a.session.source === 'oidc') return c.text('signed in through single sign-on: your identity provider handles second factors', 403);
    store.begin(a.user);
    return c.redirect('/account/2fa', 303);
  });

  r.get('/account/2fa/qr.svg', need('viewer'), async (c) => {
    const p = store.pending(authOf(c).user);
    if (!p) return c.redirect('/account/2fa', 302); // no enrolment in progress
    const svg = await QRCode.toString(p.uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    c.header('Cache-Control', 'no-store');
    return c.body(svg, 200, { 'Content-Type': 'image/svg+xml' });
  });

  r.post('/account/2fa/confirm', need('viewer'), async (c) => {
    const a = authOf(c);
    const form = formValues(await c.req.parseBody({ all: true }));
    const codes = store.confirm(a.user, (form.get('code') ?? '').slice(0, MAX_CODE));
    if (!codes) {
      const s = stateOf(a.user);
      return page(c, s.kind === 'enrolling' ? { ...s, error: 'That code is not right. Check the time on your phone and enter the newest code.' } : s, 422);
    }
    site.warn(`Two-factor sign-in turned on username=${logName(a.user)}`);
    return page(c, { kind: 'on', left: codes.length, codes });
  });

  r.post('/account/2fa/recovery', need('viewer'), (c) => {
    const a = authOf(c);
    const codes = store.regenerate(a.user);
    if (!codes) return c.redirect('/account/2fa', 303);
    site.warn(`New recovery codes username=${logName(a.user)}`);
    return page(c, { kind: 'on', left: codes.length, codes });
  });

  r.post('/account/2fa/disable', need('viewer'), async (c) => {
    const a = authOf(c);
    const form = formValues(await c.req.parseBody({ all: true }));
    const wait = throttle.wait(a.user);
    if (wait > 0)
      return page(c, { kind: 'on', left: store.recoveryLeft(a.user), error: `Too many wrong codes. Try again in ${Math.ceil(wait / 1000)} seconds.` }, 422);
    // a stolen session alone must not switch the factor off
    if (!store.verify(a.user, (form.get('code') ?? '').slice(0, MAX_CODE)).ok) {
      throttle.fail(a.user);
      return page(c, { kind: 'on', left: store.recoveryLeft(a.user), error: 'That code is not right.' }, 422);
    }
    store.reset(a.user);
    site.warn(`Two-factor sign-in turned off username=${logName(a.user)}`);
    return c.redirect('/account/2fa', 303);
  });

  // an administrator's reset (a lost phone): the user signs in with the password alone and may enrol again
  r.get('/user/:name/2fa-reset', need('admin'), (c) => {
    const name = c.req.param('name');
    if (!store.enabled(name)) return notFound(c, d, `user with two-factor sign-in named "${name}"`);
    return html(
      c,
      <ConfirmPage
        ctx={pageCtx(c, d, null)}
        title="Reset two-factor sign-in"
        danger
        cancel="/users"
        question={`Reset two-factor sign-in of "${name}"? Their authenticator app and recovery codes stop working; they can sign in with the password alone and set it up again.`}
        action={userUrl(name, '/2fa-reset')}
        button="Reset"
      />,
    );
  });

  r.post('/user/:name/2fa-reset', need('admin'), async (c) => {
    const name = c.req.param('name');
    const f = formValues(await c.req.parseBody({ all: true }));
    if (f.get('confirm') !== 'yes') return c.redirect(userUrl(name, '/2fa-reset'), 303);
    if (!store.reset(name)) return notFound(c, d, `user with two-factor sign-in named "${name}"`);
    d.sessions.endUser(name);
    site.warn(`Two-factor sign-in reset username=${logName(name)} by ${authOf(c).user}`);
    return c.redirect(`/users?saved=${encodeURIComponent(name)}`, 303);
  });

  return r;
}
