/**
 * Response compression (issue 22: `/checks` went out as ~700 KB of HTML at
 * 1,000+ checks): brotli when the browser accepts it (RFC 7932), else gzip
 * (RFC 1952), for text bodies of 1 KB or more. Never for the live-update
 * stream (text/event-stream must reach the browser message by message) nor a
 * response that says `Cache-Control: no-transform`. Hono's own middleware has
 * no brotli; node:zlib has both, and its async calls run off the event loop.
 */
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { MiddlewareHandler } from 'hono';

const br = promisify(brotliCompress);
const gz = promisify(gzip);

/** What is worth compressing: text, JSON, JavaScript, SVG, XML/Atom; never an event stream. */
const COMPRESSIBLE = /^(?:text\/(?:html|css|plain|javascript|xml|csv)|application\/(?:json|javascript|xml|atom\+xml|problem\+json)|image\/svg\+xml)\b/i;
const MIN_BYTES = 1024;

export type Encoding = 'br' | 'gzip';

/** The encoding to use for an Accept-Encoding header (RFC 9110 §12.5.3), brotli first on a tie; null for none. */
export function chooseEncoding(header: string | undefined): Encoding | null {
  if (!header) return null;
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const qp = params.map((x) => x.trim()).find((x) => x.startsWith('q='));
    const v = qp ? Number(qp.slice(2)) : 1;
    q.set(name, Number.isFinite(v) ? v : 0);
  }
  const of = (e: string): number => q.get(e) ?? q.get('*') ?? 0;
  const b = of('br');
  const g = of('gzip');
  if (b <= 0 && g <= 0) return null;
  return b >= g ? 'br' : 'gzip';
}

export function squeeze(body: Buffer, enc: Encoding): Promise<Buffer> {
  return enc === 'br'
    ? // quality 5: most of brotli's gain at a fraction of its top setting's time (a 700 KB page in a few ms)
      br(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } })
    : gz(body, { level: 6 });
}

function varyOnEncoding(h: Headers): void {
  const vary = h.get('Vary');
  if (!vary || !/accept-encoding/i.test(vary)) h.set('Vary', vary ? `${vary}, Accept-Encoding` : 'Accept-Encoding');
}

export function compression(): MiddlewareHandler {
  const cache = new Map<string, Buffer>();
  return async (c, next) => {
    await next();
    const res = c.res;
    if (c.req.method === 'HEAD' || !res.body || res.headers.has('Content-Encoding')) return;
    const type = res.headers.get('Content-Type') ?? '';
    if (!COMPRESSIBLE.test(type) || /no-transform/i.test(res.headers.get('Cache-Control') ?? '')) return;
    const enc = chooseEncoding(c.req.header('Accept-Encoding'));
    if (!enc) {
      // nothing to squeeze: the body goes out as it is, uncopied (a kept status page is megabytes)
      varyOnEncoding(res.headers);
      return;
    }
    const body = Buffer.from(await res.arrayBuffer());
    // immutable files (hashed static URLs) are compressed once
    const key = enc && /immutable/.test(res.headers.get('Cache-Control') ?? '') ? `${enc} ${c.req.path}` : null;
    const out = !enc || body.length < MIN_BYTES ? body : (key && cache.get(key)) || (await squeeze(body, enc));
    if (key && out !== body && !cache.has(key) && cache.size < 64) cache.set(key, out);
    // Hono copies the old response's headers onto the new one: adjust them after
    c.res = new Response(out, res);
    const h = c.res.headers;
    varyOnEncoding(h);
    if (out !== body) {
      h.set('Content-Encoding', enc as Encoding);
      h.delete('Content-Length');
    }
  };
}
