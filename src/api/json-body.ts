/**
 * A JSON request body is checked before any route reads it: it must be
 * UTF-8 (RFC 8259 §8.1) and nested at most MAX_DEPTH levels (the routes and
 * the site file's writer recurse; a body a megabyte deep would overflow the
 * stack). Either fault is a 400 `invalid_request` that says which. The size
 * was limited before (src/util/body-limit.ts); the bytes read here stay in
 * Hono's body cache, so the route's own `c.req.json()` does not read again.
 */
import type { MiddlewareHandler } from 'hono';
import { MAX_DEPTH, tooDeep } from '../config/parse.ts';
import { ApiError, sendError } from './errors.ts';

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function jsonBodyGuard(): MiddlewareHandler {
  return async (c, next) => {
    if (!WITH_BODY.has(c.req.method) || !/\bjson\b/i.test(c.req.header('Content-Type') ?? '')) return next();
    let text: string;
    try {
      text = utf8.decode(await c.req.arrayBuffer());
    } catch {
      return sendError(c, new ApiError('invalid_request', 'the request body is not valid UTF-8'));
    }
    if (tooDeep(text) >= 0) return sendError(c, new ApiError('invalid_request', `the request body is nested more than ${MAX_DEPTH} levels deep`));
    return next();
  };
}
