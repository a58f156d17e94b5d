/**
 * Single sign-on with OpenID Connect (authorisation code + PKCE): the login
 * page's button posts here (with the login form's token), the browser goes to
 * the provider and comes back to /login/oidc/callback, where the claims give
 * the user name and the role (src/config/oidc.ts). docs/security.md
 * "Single sign-on".
 */
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { oidcBinding, oidcOf, roleFromClaims, userFromClaims } from '../../config/oidc.ts';
import { clientAddress, safeNext, type WebEnv } from '../context.ts';
import { checkLoginToken } from '../csrf.ts';
import type { WebDeps } from '../deps.ts';
import { formValues } from '../fields.ts';
import { finishLogin, logName } from '../login.ts';
import { html } from '../render.tsx';
import { FLOW_MS } from '../oidc/client.ts';
import { showLogin } from './auth.tsx';

export const CALLBACK = '/login/oidc/callback';

function flowCookie(secure: boolean): string {
  return secure ? '__Secure-siteward-oidc' : 'siteward-oidc';
}

/** An error as a person reads it (one line, bounded); the details go to the log. */
function short(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.replace(/\s+/g, ' ').slice(0, 200);
}

export function oidcRoutes(d: WebDeps): Hono<WebEnv> {
  const { ContinuePage } = d.pages;
  const r = new Hono<WebEnv>();
  const { site } = d;

  r.post('/login/oidc', async (c) => {
    const form = formValues(await c.req.parseBody({ all: true }));
    const next = safeNext(form.get('next'));
    if (c.get('auth')) return c.redirect(next, 303); // signed in already
    const o = oidcOf(site.settings.webui);
    if (!o) return c.text('single sign-on is not configured', 404);
    if (!checkLoginToken(c, d.secure, form.get('_login'))) return showLogin(c, d, { next, error: 'The sign-in form expired. Please try again.', status: 403 });
    const redirectUri = o.redirectUri ?? new URL(CALLBACK, c.req.url).href;
    try {
      const { url, cookie } = await d.oidc.start(o, redirectUri, next);
      // Lax, not Strict: the provider's redirect back is a cross-site navigation
      setCookie(c, flowCookie(d.secure), cookie, { httpOnly: true, secure: d.secure, sameSite: 'Lax', path: '/login/oidc', maxAge: FLOW_MS / 1000 });
      // a page, not a 303: the login page's CSP (form-action 'self') forbids a form's redirect to the provider
      return await html(c, <ContinuePage site={site.name} assets={d.assets} next={url} title="Single sign-on" text={`Continue to ${o.label}`} />);
    } catch (e) {
      site.log.warn({ err: e }, 'single sign-on: cannot reach the identity provider');
      site.warn(`Single sign-on unavailable: ${short(e)}`);
      return showLogin(c, d, { next, error: `Single sign-on is unavailable: the identity provider cannot be reached (${short(e)}).`, status: 503 });
    }
  });

  r.get(CALLBACK, async (c) => {
    const o = oidcOf(site.settings.webui);
    if (!o) return c.text('single sign-on is not configured', 404);
    const cookie = getCookie(c, flowCookie(d.secure));
    deleteCookie(c, flowCookie(d.secure), { path: '/login/oidc', secure: d.secure });
    const addr = clientAddress(c);
    const url = new URL(c.req.url);
    const denied = url.searchParams.get('error');
    if (denied) {
      const why = (url.searchParams.get('error_description') ?? denied).slice(0, 200);
      return showLogin(c, d, { next: '/', error: `The identity provider did not sign you in: ${why}`, status: 401 });
    }
    let got: { claims: Record<string, unknown>; next: string };
    try {
      got = await d.oidc.finish(o, cookie, url, o.roleClaim);
    } catch (e) {
      site.log.warn({ err: e }, 'single sign-on failed');
      site.warn(`Single sign-on failed (${addr}): ${short(e)}`);
      return showLogin(c, d, { next: '/', error: `Single sign-on failed: ${short(e)}`, status: 401 });
    }
    const user = userFromClaims(o, got.claims);
    const role = roleFromClaims(o, got.claims);
    if (!user || !role) {
      site.warn(`Single sign-on refused username=${logName(user ?? '?')}: no role for its ${o.roleClaim} (${addr})`);
      return showLogin(c, d, {
        next: got.next,
        error: 'Your account at the identity provider is not in a group allowed to use siteward. Ask an administrator.',
        status: 403,
      });
    }
    finishLogin(c, d, user, oidcBinding(site.settings.webui)!, addr, got.next, { source: 'oidc', role });
    // a page, not a redirect: after the provider's cross-site redirect the browser
    // would not send the new SameSite=Strict session cookie on a redirect chain
    return html(c, <ContinuePage site={site.name} assets={d.assets} next={got.next} title="Signed in" text="Continue" />);
  });

  return r;
}
