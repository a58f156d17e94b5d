/**
 * `https` — one HTTP request over TLS (or plain HTTP), spec §4.5: SNI,
 * verification and the expiry window, then the status line and headers are
 * read. fletchck logs them as a Python tuple with escaped newlines,
 * `(200, 'Server: x\nDate: …\n\n')`; siteward logs one line a person reads,
 * `HTTP 200 OK in 12 ms · Server: x · Date: …` (fletchck peers receive log
 * lines as text to show and never parse them; docs/checks-network.md).
 * Beyond fletchck: an optional expected status and body substring; without
 * them any HTTP response passes, as in fletchck, but a check made in the web
 * UI or the API starts with `expectStatus` 200-399. Redirects are not followed.
 * `expectJson` tests values in a JSON body (./json.ts). fletchck sends HEAD;
 * a body test needs GET, so GET is the default method with either body test.
 */
import { request } from 'node:http';
import { isIP, type Socket } from 'node:net';
import { z } from 'zod';
import { defineCheck } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { hostnameOption, timeoutOption, tlsOptions } from '../shared/net-options.ts';
import { netRun } from '../shared/netrun.ts';
import { checkExpiry, closeQuietly, connectTcp, connectTls, loadTrust } from '../shared/tls.ts';
import { abortReason } from '../shared/errors.ts';
import { repr } from '../../util/pyrepr.ts';
import { StatusSpec, describeStatus, statusMatches } from './status.ts';
import { EXPECT_JSON_HELP, ExpectJson, jsonFailures } from './json.ts';

export const HttpsOptions = z.looseObject({
  ...commonCheckOptions,
  hostname: hostnameOption.describe('web server host name or IP address (also the SNI name and the Host header)'),
  port: z.int().min(1).max(65535).optional().describe('TCP port; absent = 443 (or 80 when `tls` is false)'),
  timeout: timeoutOption(10),
  tls: z.boolean().default(true).describe('HTTPS; false = plain HTTP'),
  reqType: z
    .string()
    .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'an HTTP method such as HEAD or GET')
    .optional()
    .describe('HTTP method; default HEAD, or GET when `expectBody` or `expectJson` is set'),
  reqPath: z
    .string()
    .regex(/^[^\s\x00-\x1f\x7f]+$/, 'a request path without spaces or control characters')
    .default('/')
    .describe('request path (and query)'),
  expectStatus: StatusSpec.optional().describe(
    'pass only on these statuses: a code, "200-299", "2xx", or a list of them; absent = any HTTP response passes (a check made in the web UI or the API starts with 200-399)',
  ),
  expectBody: z.string().min(1).optional().describe('pass only when the response body contains this text (the first 1 MiB is searched)'),
  expectJson: ExpectJson.optional().describe(EXPECT_JSON_HELP),
  ...tlsOptions,
});

type Opts = z.output<typeof HttpsOptions>;

/** At most this much of a body is read when searching it. */
const BODY_LIMIT = 1 << 20;

/** The request method: HEAD as fletchck, unless a body is tested. */
export function method(o: Pick<Opts, 'reqType' | 'expectBody' | 'expectJson'>): string {
  return o.reqType ?? (o.expectBody !== undefined || o.expectJson !== undefined ? 'GET' : 'HEAD');
}

/** http.client's Host header: the port only when it is not the scheme's default; IPv6 in brackets. */
function hostHeader(host: string, port: number, tls: boolean): string {
  const h = isIP(host) === 6 ? `[${host}]` : host;
  return port === (tls ? 443 : 80) ? h : `${h}:${port}`;
}

/** A parse error of the HTTP reply: the server speaks something else. */
class HttpError extends Error {
  override name = 'HTTPException';
}

interface Reply {
  status: number;
  /** the reason phrase of the status line */
  reason: string;
  /** milliseconds from sending the request to the response headers */
  ms: number;
  /** headers as received: name, value, name, value … */
  headers: string[];
  /** whether expectBody was found, when it was asked for */
  found?: boolean;
  truncated?: boolean;
  /** the body read (up to BODY_LIMIT), when a body test needs it whole (expectJson) */
  body?: Buffer;
}

function exchange(sock: Socket, o: Opts, port: number, signal: AbortSignal): Promise<Reply> {
  return new Promise<Reply>((resolve, reject) => {
    const req = request({
      method: method(o),
      path: o.reqPath,
      host: o.hostname,
      port,
      headers: { Host: hostHeader(o.hostname, port, o.tls), 'Accept-Encoding': 'identity' },
      createConnection: () => sock,
    });
    const onAbort = (): void => {
      req.destroy(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = (f: () => void): void => {
      signal.removeEventListener('abort', onAbort);
      f();
    };
    req.on('error', (e: NodeJS.ErrnoException) => {
      settle(() => reject(typeof e.code === 'string' && e.code.startsWith('HPE_') ? new HttpError(`${e.message} (${e.code})`) : e));
    });
    req.on('response', (res) => {
      const reply: Reply = { status: res.statusCode ?? 0, reason: res.statusMessage ?? '', ms: performance.now() - sent, headers: res.rawHeaders };
      if (o.expectBody === undefined && o.expectJson === undefined) {
        settle(() => resolve(reply));
        return;
      }
      const needle = o.expectBody === undefined ? null : Buffer.from(o.expectBody, 'utf8');
      // JSON is parsed whole; a substring alone can stop reading once found
      const whole = o.expectJson !== undefined;
      let body = Buffer.alloc(0);
      const finish = (truncated: boolean): void => {
        res.removeAllListeners('data');
        settle(() => resolve({ ...reply, found: needle ? body.includes(needle) : undefined, truncated, body: whole ? body : undefined }));
      };
      res.on('data', (d: Buffer) => {
        const room = BODY_LIMIT - body.length;
        body = Buffer.concat([body, d.length > room ? d.subarray(0, room) : d]);
        if (!whole && needle && body.includes(needle)) finish(false);
        else if (body.length >= BODY_LIMIT) finish(true);
      });
      res.on('end', () => finish(false));
      res.on('error', (e) => settle(() => reject(e)));
    });
    // http.client sends no Connection header; servers then answer as to
    // fletchck (e.g. `Connection: keep-alive`), keeping the logged headers alike
    req.removeHeader('Connection');
    const sent = performance.now();
    req.end();
  });
}

/** The longest log line of a reply; more headers are cut off with "…". */
const LINE_LIMIT = 2000;

/** `HTTP 200 OK in 12 ms · Content-Type: text/html · Date: …`: the status line and headers folded into one line. */
export function replyLine(r: Pick<Reply, 'status' | 'reason' | 'ms' | 'headers'>): string {
  let line = `HTTP ${r.status}${r.reason ? ` ${r.reason}` : ''} in ${Math.round(r.ms)} ms`;
  for (let i = 0; i + 1 < r.headers.length; i += 2) line += ` · ${r.headers[i]}: ${r.headers[i + 1]}`;
  const flat = line.replace(/[\x00-\x1f\x7f]/g, ' ');
  return flat.length > LINE_LIMIT ? `${flat.slice(0, LINE_LIMIT - 1)}…` : flat;
}

export const https = defineCheck({
  type: 'https',
  info: {
    summary: 'One HTTP(S) request: TLS certificate checks, status line and headers, optional status, body and JSON value tests.',
    pass: 'any HTTP response over a verified TLS session with at least `expiryDays` days left; with `expectStatus`/`expectBody`/`expectJson`, the status must match, the body contain the text and its JSON values pass the tests.',
    fletchck: true,
  },
  options: HttpsOptions,
  defaultTimeout: 10,
  // fletchck passes on any response, even a 500 (spec §4.5, kept for its files)
  newCheckOptions: { expectStatus: '200-399' },
  validate(o) {
    const head = method(o).toUpperCase() === 'HEAD';
    if (head && o.expectBody !== undefined) return [{ path: ['reqType'], message: 'a HEAD response has no body: use GET with expectBody' }];
    if (head && o.expectJson !== undefined) return [{ path: ['reqType'], message: 'a HEAD response has no body: use GET with expectJson' }];
    return [];
  },
  async run(o, ctx) {
    return netRun(o.hostname, async (run) => {
      const port = o.port ?? (o.tls ? 443 : 80);
      let sock: Socket | undefined;
      try {
        if (o.tls) {
          const s = await connectTls({ host: o.hostname, port, trust: await loadTrust(o, ctx.env), signal: ctx.signal, now: ctx.now });
          sock = s.socket;
          run.seen(s);
          checkExpiry(s.days, o.expiryDays);
        } else {
          sock = await connectTcp(o.hostname, port, ctx.signal);
        }
        const reply = await exchange(sock, o, port, ctx.signal);
        run.log.push(replyLine(reply));
        if (o.expectStatus !== undefined && !statusMatches(o.expectStatus, reply.status)) {
          run.log.push(`Unexpected status ${reply.status}, expected ${describeStatus(o.expectStatus)}`);
          return;
        }
        if (o.expectBody !== undefined && !reply.found) {
          const where = reply.truncated ? ` in the first ${BODY_LIMIT} bytes` : '';
          run.log.push(`Body does not contain ${repr(o.expectBody)}${where}`);
          return;
        }
        if (o.expectJson !== undefined) {
          const bad = reply.truncated ? [`Body is larger than ${BODY_LIMIT} bytes: not read as JSON`] : await jsonFailures(reply.body!, o.expectJson);
          if (bad.length) {
            run.log.push(...bad);
            return;
          }
        }
        run.pass();
      } finally {
        closeQuietly(sock);
      }
    });
  },
});
