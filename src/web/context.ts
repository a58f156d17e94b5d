/**
 * The Hono environment of the web UI and the reusable auth helpers: session
 * lookup (`sessionMiddleware`), role guards (`need`) and the client address.
 * Extra sub-apps mounted on the same server (REST API, /metrics, /push,
 * /badge) use the same helpers.
 */
import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { WebSite } from './web-site.ts';
import type { SessionStore, Session } from './sessions.ts';
import { allows, sessionBinding, sessionRole, type Role } from './auth.ts';

export interface AuthInfo {
  user: string;
  role: Role;
  session: Session;
}

export type WebEnv = {
  Bindings: { incoming?: Pick<IncomingMessage, 'socket'> };
  Variables: { auth: AuthInfo | null };
};

export type WebContext = Context<WebEnv>;

export interface CookieNames {
  session: string;
  login: string;
}

export function cookieNames(secure: boolean): CookieNames {
  // __Host- cookies are bound to this origin and must be Secure (RFC 6265bis §4.1.3.2)
  return secure ? { session: '__Host-siteward', login: '__Host-siteward-login' } : { session: 'siteward', login: 'siteward-login' };
}

/** The TCP peer address (no proxy headers are trusted). */
export function clientAddress(c: WebContext): string {
  return c.env?.incoming?.socket?.remoteAddress ?? 'unknown';
}

export function setSessionCookie(c: WebContext, secure: boolean, value: string, expires: number, now: number): void {
  setCookie(c, cookieNames(secure).session, value, {
    httpOnly: true,
    secure,
    sameSite: 'Strict',
    path: '/',
    maxAge: Math.max(0, Math.floor((expires - now) / 1000)),
  });
}

/** Looks up the session of every request; never rejects (the guards do). */
export function sessionMiddleware(site: WebSite, sessions: SessionStore, secure: boolean): MiddlewareHandler<WebEnv> {
  const name = cookieNames(secure).session;
  return async (c, next) => {
    const webui = site.settings.webui;
    const found = sessions.lookup(getCookie(c, name), (u, source) => sessionBinding(webui, u, source));
    if (found) {
      c.set('auth', { user: found.session.user, role: sessionRole(webui, found.session), session: found.session });
      if (found.renewed) setSessionCookie(c, secure, getCookie(c, name)!, found.session.expires, site.clock.now());
    } else {
      c.set('auth', null);
    }
    await next();
  };
}

export function isHtmx(c: Context): boolean {
  return c.req.header('HX-Request') === 'true';
}

const HERE = 'http://siteward.invalid';

/**
 * A local path to return to after login (never another origin). Browsers
 * drop tabs and line breaks from URLs and read `\` as `/`, so
 * `/<tab>/evil.example` is `//evil.example` to them: any control character
 * or backslash refuses the value. What is left is resolved as a URL and
 * must stay on this origin; the normalised path is returned (it is always
 * a valid Location header).
 */
export function safeNext(v: string | undefined | null): string {
  if (!v || !v.startsWith('/') || v.startsWith('//') || /[\u0000-\u001f\u007f\\]/.test(v)) return '/';
  let u: URL;
  try {
    u = new URL(v, HERE);
  } catch {
    return '/';
  }
  return u.origin === HERE ? `${u.pathname}${u.search}${u.hash}` : '/';
}

/**
 * Route guard: a logged-in user with at least `role`. Page GETs without a
 * session go to the login page; anything else gets 401. A user without the
 * role gets 403.
 */
export function need(role: Role): MiddlewareHandler<WebEnv> & { requires: Role } {
  const guard: MiddlewareHandler<WebEnv> = async (c, next) => {
    const auth = c.get('auth');
    if (!auth) {
      if (isHtmx(c)) {
        c.header('HX-Redirect', '/login');
        return c.text('login required', 401);
      }
      if (c.req.method === 'GET' && (c.req.header('Accept') ?? '').includes('text/html')) {
        const url = new URL(c.req.url);
        const next = url.pathname === '/' ? '' : `?next=${encodeURIComponent(url.pathname + url.search)}`;
        return c.redirect(`/login${next}`, 302);
      }
      return c.text('login required', 401);
    }
    if (!allows(auth.role, role)) return c.text(`forbidden: needs the ${role} role`, 403);
    await next();
  };
  // `requires` names the role in the route table (test/security/route-matrix.test.ts reads it)
  return Object.assign(guard, { requires: role });
}

/** The caller's auth (only inside a route guarded by `need`). */
export function authOf(c: WebContext): AuthInfo {
  const a = c.get('auth');
  if (!a) throw new Error('route is missing its need() guard');
  return a;
}
