/**
 * A form body that cannot be read (a multipart stream cut short, a missing
 * boundary) is refused up front with 400 and the reason. Without this, the
 * route's own `parseBody()` threw and the request ended as a 500. A body
 * that parses is kept in Hono's request cache, so routes read it from there.
 */
import type { MiddlewareHandler } from 'hono';
import type { WebEnv } from './context.ts';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
const FORM = /^\s*(multipart\/form-data|application\/x-www-form-urlencoded)\b/i;

export function formBodyMiddleware(): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    if (SAFE.has(c.req.method) || !FORM.test(c.req.header('Content-Type') ?? '')) return next();
    try {
      await c.req.parseBody({ all: true });
    } catch (e) {
      return c.text(`the form could not be read (${(e as Error).message}): reload the page and try again`, 400);
    }
    return next();
  };
}
