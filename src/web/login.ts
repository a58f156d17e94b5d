/**
 * The end of every way of signing in (password, password + second factor,
 * single sign-on): one place that starts the session and logs it.
 */
import { deleteCookie } from 'hono/cookie';
import { cookieNames, setSessionCookie, type WebContext } from './context.ts';
import type { WebDeps } from './deps.ts';
import type { SessionSource } from './sessions.ts';

/** A user name as it may appear in a log line (bounded, one line). */
export function logName(user: string): string {
  return JSON.stringify(user.length > 64 ? `${user.slice(0, 64)}…` : user);
}

/**
 * Starts the session of a user who proved who they are; `binding` is what
 * the session stays bound to (src/web/auth.ts sessionBinding).
 */
export function finishLogin(
  c: WebContext,
  d: WebDeps,
  user: string,
  binding: string,
  addr: string,
  next: string,
  o: { source?: SessionSource; role?: string } = {},
): { cookie: string } {
  const { cookie, session } = d.sessions.create(user, binding, addr, o);
  setSessionCookie(c, d.secure, cookie, session.expires, d.site.clock.now());
  deleteCookie(c, cookieNames(d.secure).login, { path: '/', secure: d.secure });
  d.site.warn(`Login username=${logName(user)}${o.source === 'oidc' ? ` via single sign-on as ${o.role}` : ''} (${addr})`);
  return { cookie };
}
