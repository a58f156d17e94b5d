/**
 * The one outbound-HTTP seam of the actions (healthchecks' `curl`): node
 * fetch under the send's AbortSignal, redirects not followed, errors turned
 * into ActionError with the retry class the outbox needs:
 *
 *   network error, timeout, 408, 429, 5xx  → transient (retried with back-off)
 *   other 4xx, 3xx, bad URL                → permanent (retrying cannot help)
 *
 * Messages name the host only (webhook and bot URLs carry tokens in their
 * path) and have every known secret cut out.
 */
import { ActionError, type ActionContext } from '../types.ts';

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
}

export interface HttpRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** secrets used in this request (URL, headers, body), cut from error messages */
  secrets?: readonly string[];
}

/** Replaces every secret (of 3+ characters) in `text` with `***`. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (s.length >= 3) out = out.split(s).join('***');
  }
  return out;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}

/** `Retry-After` as milliseconds (seconds or an HTTP date), or null. */
export function retryAfterMs(value: string | null, now: number): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : Math.max(0, t - now);
}

/** RFC 9110: 408 and 429 invite a retry, as do 5xx; other client errors do not. */
export function isPermanentStatus(status: number): boolean {
  if (status === 408 || status === 429) return false;
  return status >= 300 && status < 500;
}

function causeText(e: unknown): string {
  const err = e as Error & { cause?: { code?: string; message?: string } };
  const c = err.cause;
  if (c && (c.code || c.message)) return c.code ? `${c.code}${c.message && !c.message.includes(c.code) ? ` ${c.message}` : ''}` : String(c.message);
  return err.message;
}

/** Sends one request; resolves with any HTTP response, throws ActionError on network errors. */
export async function httpRequest(url: string, req: HttpRequest, ctx: ActionContext): Promise<HttpResponse> {
  const host = hostOf(url);
  const secrets = req.secrets ?? [];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ActionError(redact(`invalid URL ${JSON.stringify(url)}`, secrets), { permanent: true });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ActionError(`unsupported URL scheme ${parsed.protocol} (http: or https:)`, { permanent: true });
  }
  let res: Response;
  try {
    res = await fetch(parsed, { method: req.method ?? 'POST', headers: req.headers, body: req.body, signal: ctx.signal, redirect: 'manual' });
  } catch (e) {
    const aborted = ctx.signal.aborted || (e as Error).name === 'AbortError' || (e as Error).name === 'TimeoutError';
    const msg = aborted ? `${host}: timed out` : `${host}: ${causeText(e)}`;
    // a header value fetch refuses (non-Latin-1) is a configuration error
    const permanent = !aborted && (e as Error).name === 'TypeError' && /header/i.test((e as Error).message);
    throw new ActionError(redact(msg, secrets), { permanent, cause: e });
  }
  let text = '';
  try {
    text = await res.text();
  } catch (e) {
    throw new ActionError(redact(`${host}: reading the response failed: ${causeText(e)}`, secrets), { cause: e });
  }
  return { status: res.status, headers: res.headers, text };
}

/** Throws the ActionError for a response that is not a success. */
export function failFor(res: HttpResponse, url: string, ctx: ActionContext, secrets: readonly string[] = [], detail?: string): never {
  const snippet = (detail ?? res.text).replace(/\s+/g, ' ').trim().slice(0, 200);
  const msg = `${hostOf(url)}: HTTP ${res.status}${snippet ? ` ${snippet}` : ''}`;
  throw new ActionError(redact(msg, secrets), {
    permanent: isPermanentStatus(res.status),
    retryAfterMs: res.status === 429 || res.status === 503 ? retryAfterMs(res.headers.get('retry-after'), ctx.now()) : null,
  });
}

/** A request that must end in 2xx. */
export async function httpSend(url: string, req: HttpRequest, ctx: ActionContext): Promise<HttpResponse> {
  const res = await httpRequest(url, req, ctx);
  if (res.status < 200 || res.status > 299) failFor(res, url, ctx, req.secrets);
  return res;
}

/**
 * `application/x-www-form-urlencoded` exactly as Python's `urlencode` writes
 * it (quote_plus: space → `+`, only `A-Za-z0-9_.-~` left as is), so a form
 * is byte-identical to fletchck's (spec §5.5).
 */
export function pyUrlencode(fields: readonly (readonly [string, string])[]): string {
  const q = (s: string): string =>
    encodeURIComponent(s)
      .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
      .replace(/%20/g, '+');
  return fields.map(([k, v]) => `${q(k)}=${q(v)}`).join('&');
}
