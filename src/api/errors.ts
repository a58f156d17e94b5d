/**
 * API errors: every error is JSON `{"error": {"code", "message", "issues"?}}`
 * with a stable machine-readable `code` (docs/api.md lists them) and, for
 * invalid input, the JSON path of every invalid field.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { z } from 'zod';
import { formatPath, fromZod, type Issue, type PathSegment } from '../config/issues.ts';

export type ErrorCode =
  | 'unauthorized'
  | 'token_expired'
  | 'token_revoked'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'invalid_request'
  | 'invalid_config'
  | 'payload_too_large'
  | 'save_failed'
  | 'internal';

export const ERROR_STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  unauthorized: 401,
  token_expired: 401,
  token_revoked: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  // save_failed: a full or failing disk, a temporary condition (Retry-After)
  invalid_request: 400,
  invalid_config: 422,
  payload_too_large: 413,
  save_failed: 503,
  internal: 500,
};

export interface ApiIssue {
  /** path of the invalid field, relative to the request body when it lies inside it */
  path: PathSegment[];
  /** the field as a path in the site file, e.g. `checks["web"].options.port` (in the request, for invalid_request) */
  at: string;
  message: string;
  severity: 'error' | 'warning';
}

export const IssueSchema = z
  .object({
    path: z.array(z.union([z.string(), z.number()])).describe('JSON path of the field, relative to the request body where possible'),
    at: z.string().describe('the field as a path in the site file (for invalid_request: in the request body or query)'),
    message: z.string(),
    severity: z.enum(['error', 'warning']),
  })
  .meta({ id: 'Issue' });

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]).describe('stable, machine-readable'),
      message: z.string().describe('for people; may change'),
      issues: z.array(IssueSchema).optional(),
    }),
  })
  .meta({ id: 'Error' });

/** What a client is told to wait before trying a write again that could not be stored. */
export const SAVE_RETRY_SECONDS = 30;

export class ApiError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues?: ApiIssue[],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get status(): ContentfulStatusCode {
    return ERROR_STATUS[this.code];
  }
}

/** Site issues as API issues; paths under `base` (e.g. ['checks', name]) become relative to the body. */
export function apiIssues(issues: readonly Issue[], base: readonly PathSegment[] = [], bodyPrefix: readonly PathSegment[] = []): ApiIssue[] {
  return issues.map((i) => {
    const inside = base.length > 0 && base.every((seg, k) => i.path[k] === seg);
    return {
      path: inside ? [...bodyPrefix, ...i.path.slice(base.length)] : [...i.path],
      at: formatPath(i.path),
      message: i.message,
      severity: i.severity,
    };
  });
}

/** A zod failure on a request body/query, with paths relative to it. */
export function zodError(error: z.ZodError, input: unknown, where: string): ApiError {
  const issues = fromZod(error, input, []).map((i) => ({
    path: i.path,
    at: `${where}${i.path.length ? ` ${formatPath(i.path)}` : ''}`,
    message: i.message,
    severity: i.severity,
  }));
  return new ApiError('invalid_request', `invalid ${where}: ${issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, issues);
}

export function errorBody(e: ApiError): z.infer<typeof ErrorSchema> {
  return { error: { code: e.code, message: e.message, ...(e.issues ? { issues: e.issues } : {}) } };
}

export function sendError(c: Context, e: ApiError): Response {
  if (e.code === 'unauthorized' || e.code === 'token_expired' || e.code === 'token_revoked') {
    // RFC 6750 §3: tell the client which scheme and why
    c.header('WWW-Authenticate', `Bearer realm="siteward"${e.code === 'unauthorized' ? '' : ', error="invalid_token"'}`);
  }
  if (e.code === 'save_failed') c.header('Retry-After', String(SAVE_RETRY_SECONDS));
  return c.json(errorBody(e), e.status);
}
