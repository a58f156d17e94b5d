/**
 * The security headers of spec §8.1 on every response (pages, partials,
 * static files, event streams and mounted sub-apps alike), with a stricter
 * CSP: no inline script or style, no eval, no plugins, forms post only here.
 */
import type { MiddlewareHandler } from 'hono';
import type { WebEnv } from './context.ts';

export const CSP = ["default-src 'self'", "img-src 'self' data:", "frame-ancestors 'none'", "base-uri 'none'", "form-action 'self'", "object-src 'none'"].join(
  '; ',
);

/**
 * `ownHeaders`: path prefixes whose responses carry their own complete set
 * (public badges, meant to be embedded by other sites: src/api/badges.ts),
 * so they are the same on every port.
 */
export function securityHeaders(secure: boolean, ownHeaders: readonly string[] = []): MiddlewareHandler<WebEnv> {
  return async (c, next) => {
    await next();
    if (ownHeaders.some((p) => c.req.path.startsWith(p))) {
      c.res.headers.delete('Server');
      return;
    }
    const h = c.res.headers;
    const set = (k: string, v: string): void => {
      try {
        h.set(k, v);
      } catch {
        // immutable headers (a fetched Response passed through): rebuild it
        c.res = new Response(c.res.body, c.res);
        c.res.headers.set(k, v);
      }
    };
    set('Content-Security-Policy', CSP);
    // HSTS only means something over HTTPS (RFC 6797 §7.2: ignored over HTTP)
    if (secure) set('Strict-Transport-Security', 'max-age=31536000');
    set('X-Frame-Options', 'deny');
    set('X-Content-Type-Options', 'nosniff');
    set('X-Permitted-Cross-Domain-Policies', 'none');
    set('Referrer-Policy', 'no-referrer');
    set('Cross-Origin-Embedder-Policy', 'require-corp');
    set('Cross-Origin-Opener-Policy', 'same-origin');
    set('Cross-Origin-Resource-Policy', 'same-origin');
    if (!h.has('Cache-Control')) set('Cache-Control', 'no-store');
    c.res.headers.delete('Server');
  };
}
