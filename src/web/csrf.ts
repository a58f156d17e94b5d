/**
 * Cross-site request forgery defence (fixes spec §8.2 / §9.9: fletchck has no
 * tokens and changes state on GET). Every request with an unsafe method must
 *
 *  1. not come from another site (Origin / Sec-Fetch-Site), and
 *  2. carry the session's token, as the form field `_csrf` or the
 *     `X-CSRF-Token` header (htmx requests; DELETE has no body).
 *
 * The login form, which has no session yet, uses a double-submit token: a
 * random value in a SameSite=Strict cookie that the form must echo.
 */
import { timingSafeEqual, randomBytes } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { cookieNames, type WebContext, type WebEnv } from './context.ts';

export const CSRF_FIELD = '_csrf';
export const CSRF_HEADER = 'X-CSRF-Token';
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export function sameToken(a: string | undefined | null, b: string | undefined | null): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * True for requests a browser marks as coming from another site or origin.
 * Fetch metadata first (Sec-Fetch-Site; "same-site" is refused too: another
 * port on the same host is another application). Without it, a non-null
 * Origin must name this host. Browsers send `Origin: null` on form posts
 * under our `Referrer-Policy: no-referrer`, so null is left to the token.
 */
export function crossSite(c: WebContext): boolean {
  const fetchSite = c.req.header('Sec-Fetch-Site');
  if (fetchSite) return fetchSite !== 'same-origin' && fetchSite !== 'none';
  const origin = c.req.header('Origin');
  if (!origin || origin === 'null') return false;
  try {
    return new URL(origin).host !== c.req.header('Host');
  } catch {
    return true;
  }
}

async function formField(c: WebContext, name: string): Promise<string | undefined> {
  const type = c.req.header('Content-Type') ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded') && !type.startsWith('multipart/form-data')) return undefined;
  try {
    const body = await c.req.parseBody({ all: true });
    const v = body[name];
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

export interface CsrfOptions {
  /** path prefixes that do their own authentication (e.g. bearer tokens) */
  exempt: () => readonly string[];
}

function underPrefix(path: string, prefixes: readonly string[]): boolean {
  return prefixes.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`));
}

export function csrfMiddleware(o: CsrfOptions): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    if (SAFE.has(c.req.method)) return next();
    const path = new URL(c.req.url).pathname;
    if (underPrefix(path, o.exempt())) return next();
    if (crossSite(c)) return c.text('cross-site request refused', 403);
    if (path === '/login') return next(); // checked by the login route (double submit)
    // the later steps of a sign-in (/login/2fa, /login/oidc) check the same double-submit token;
    // with a session there is no sign-in to continue, and the session's token applies as everywhere
    if (path.startsWith('/login/') && !c.get('auth')) return next();
    const auth = c.get('auth');
    if (!auth) return c.text('login required', 401);
    const token = c.req.header(CSRF_HEADER) ?? (await formField(c, CSRF_FIELD));
    if (!sameToken(token, auth.session.csrf)) return c.text('missing or wrong CSRF token: reload the page and try again', 403);
    await next();
  };
}

/** The login form's token: sets the cookie and returns the value for the form. */
export function issueLoginToken(c: WebContext, secure: boolean): string {
  const v = randomBytes(18).toString('base64url');
  setCookie(c, cookieNames(secure).login, v, { httpOnly: true, secure, sameSite: 'Strict', path: '/', maxAge: 3600 });
  return v;
}

export function checkLoginToken(c: WebContext, secure: boolean, given: string | undefined): boolean {
  return sameToken(getCookie(c, cookieNames(secure).login), given);
}
