/**
 * Request body limits, per route (issue 15): a body larger than its route
 * allows is answered 413 before it is read — at once from Content-Length,
 * or as soon as a chunked body passes the limit — so no request makes the
 * daemon hold more than the limit in memory. The web UI and the API
 * listener both put this first in their middleware (after the security
 * headers), so the limit holds before sessions, CSRF and bearer tokens are
 * looked at. The connection of a refused request is closed.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';

const KiB = 1024;
const MiB = 1024 * KiB;

/** The documented limits (docs/api.md, docs/webui.md, docs/security.md). */
export const BODY_LIMITS = {
  /** forms and JSON bodies */
  default: 1 * MiB,
  /** the raw site editor (the whole site file, form-encoded: a 10,000-check site is about 15 MB encoded) */
  rawEditor: 32 * MiB,
  /** the sign-in form */
  login: 64 * KiB,
  /** push heartbeats (a message of 200 characters is kept) */
  push: 64 * KiB,
} as const;

/** The largest body accepted for a request. */
export function bodyLimitFor(path: string): number {
  if (path === '/config/raw' || path === '/config/raw/check') return BODY_LIMITS.rawEditor;
  if (path === '/login' || path.startsWith('/login/')) return BODY_LIMITS.login;
  if (path.startsWith('/push/')) return BODY_LIMITS.push;
  return BODY_LIMITS.default;
}

const show = (n: number): string => (n >= MiB ? `${n / MiB} MiB` : `${n / KiB} KiB`);

function tooLarge(c: Context, limit: number): Response {
  const message = `the request body is larger than ${show(limit)}, the most this address accepts`;
  c.header('Connection', 'close');
  // the API's error shape (src/api/errors.ts) under /api/, text elsewhere
  if (c.req.path.startsWith('/api/')) return c.json({ error: { code: 'payload_too_large', message } }, 413);
  return c.text(message, 413);
}

/** Requests already limited: the API app also runs inside the web UI's, and a body is read once. */
const limited = new WeakSet<Request>();

export function bodyLimits(limitFor: (path: string) => number = bodyLimitFor): MiddlewareHandler {
  const byLimit = new Map<number, MiddlewareHandler>();
  return async (c, next) => {
    if (limited.has(c.req.raw)) return next();
    const limit = limitFor(c.req.path);
    let mw = byLimit.get(limit);
    if (!mw) {
      mw = bodyLimit({ maxSize: limit, onError: (cx) => tooLarge(cx, limit) });
      byLimit.set(limit, mw);
    }
    return mw(c, async () => {
      // hono's bodyLimit may have replaced the request by one holding the bytes it read
      limited.add(c.req.raw);
      await next();
    });
  };
}
