/**
 * Bearer-token authentication (RFC 6750) with scopes. A missing, unknown,
 * expired or revoked token is 401; a valid token without the scope is 403.
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors.ts';
import { scopeAllows, type Scope, type TokenInfo, type TokenStore } from './tokens.ts';

export interface AuthEnv {
  Variables: { token: TokenInfo };
}

export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1] : null;
}

/** Authenticates a request's bearer token; throws ApiError unless it has `need`. */
export function authenticate(tokens: TokenStore, header: string | undefined, need: Scope): TokenInfo {
  const secret = bearerToken(header);
  if (!secret) throw new ApiError('unauthorized', 'a bearer token is required (Authorization: Bearer <token>)');
  const v = tokens.verify(secret);
  if (!v.ok) {
    if (v.reason === 'expired') throw new ApiError('token_expired', 'the token has expired');
    if (v.reason === 'revoked') throw new ApiError('token_revoked', 'the token has been revoked');
    throw new ApiError('unauthorized', 'unknown token');
  }
  if (!scopeAllows(v.token.scope, need)) {
    throw new ApiError('forbidden', `this needs a token with scope "${need}" (this token has "${v.token.scope}")`);
  }
  return v.token;
}

export function requireScope(tokens: TokenStore, need: Scope): MiddlewareHandler<AuthEnv> & { requiresScope: Scope } {
  // `requiresScope` names the scope in the route table (test/security/route-matrix.test.ts reads it)
  const guard: MiddlewareHandler<AuthEnv> = async function requireScopeMiddleware(c, next) {
    c.set('token', authenticate(tokens, c.req.header('authorization'), need));
    await next();
  };
  return Object.assign(guard, { requiresScope: need });
}
