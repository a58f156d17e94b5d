/**
 * `tcp` — a TCP port (siteward; what blackbox_exporter's `tcp` probe and
 * Uptime Kuma's "port" monitor do): a connect to `hostname:port`, optionally
 * a TLS handshake with the shared verification and expiry window (spec §4.0,
 * docs/checks-network.md), then optionally `send` text and `expect` a
 * substring in what the server answers, read up to a bounded size.
 */
import { z } from 'zod';
import type { Socket } from 'node:net';
import { defineCheck, type RunContext } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { hostnameOption, timeoutOption, tlsOptions } from '../shared/net-options.ts';
import { netRun, type NetRun } from '../shared/netrun.ts';
import { checkExpiry, closeQuietly, connectTcp, connectTls, loadTrust } from '../shared/tls.ts';
import { LineReader } from '../shared/lines.ts';
import { abortReason } from '../shared/errors.ts';
import { bytesRepr, strRepr } from '../../util/pyrepr.ts';

/** At most this much of the reply is read while looking for `expect`: a server streaming junk ends the run, not the memory. */
export const EXPECT_LIMIT = 64 * 1024;
/** How much of a non-matching reply the failure line shows. */
const SHOWN = 200;

export const TcpOptions = z.looseObject({
  ...commonCheckOptions,
  hostname: hostnameOption,
  port: z.int().min(1).max(65535).describe('TCP port (required)'),
  timeout: timeoutOption(5),
  tls: z.boolean().default(false).describe('TLS handshake right after the connect (implicit TLS), with certificate verification and the expiry window'),
  send: z
    .string()
    .min(1)
    .optional()
    .meta({ multiline: true })
    .describe('text sent (UTF-8) once connected (after the handshake with `tls`); end it with a line break (`\\r\\n`) for line protocols'),
  expect: z
    .string()
    .min(1)
    .optional()
    .describe(
      `pass only when the reply contains this text (the first ${EXPECT_LIMIT / 1024} KiB are searched); absent = the connect (and handshake) is enough`,
    ),
  ...tlsOptions,
});

type Opts = z.output<typeof TcpOptions>;

/** The reply ended, or reached the read limit, without the expected text. */
export class UnexpectedReply extends Error {
  override name = 'UnexpectedReply';
}

/** Reads until `want` appears, the stream ends or EXPECT_LIMIT bytes were read. */
async function awaitText(reader: LineReader, want: Buffer): Promise<void> {
  let got = Buffer.alloc(0);
  for (;;) {
    const chunk = await reader.readSome(EXPECT_LIMIT - got.length);
    if (chunk.length) got = Buffer.concat([got, chunk]);
    if (got.includes(want)) return;
    if (chunk.length === 0 || got.length >= EXPECT_LIMIT) {
      const why = chunk.length === 0 ? 'the connection closed' : `${EXPECT_LIMIT} bytes were read`;
      const shown = got.length > SHOWN ? `${bytesRepr(got.subarray(0, SHOWN))}…` : bytesRepr(got);
      throw new UnexpectedReply(`${strRepr(want.toString('utf8'))} not found before ${why}; reply: ${shown}`);
    }
  }
}

/** Writes `text` and resolves once the socket has handed it to the OS; rejects at the timeout. */
function flushed(sock: Socket, text: string, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    sock.write(text, (e) => {
      signal.removeEventListener('abort', onAbort);
      if (e) reject(e);
      else resolve();
    });
  });
}

async function dialogue(o: Opts, ctx: RunContext, run: NetRun): Promise<void> {
  let sock: Socket;
  if (o.tls) {
    const trust = await loadTrust(o, ctx.env);
    const s = await connectTls({ host: o.hostname, port: o.port, trust, signal: ctx.signal, now: ctx.now });
    sock = s.socket;
    run.seen(s);
    try {
      checkExpiry(s.days, o.expiryDays);
    } catch (e) {
      closeQuietly(sock);
      throw e;
    }
  } else {
    sock = await connectTcp(o.hostname, o.port, ctx.signal);
  }
  if (o.send === undefined && o.expect === undefined) {
    run.pass();
    closeQuietly(sock);
    return;
  }
  const reader = new LineReader(sock, ctx.signal);
  try {
    // wait for the text to leave: closing right after write() would discard it
    if (o.send !== undefined) await flushed(sock, o.send, ctx.signal);
    if (o.expect !== undefined) await awaitText(reader, Buffer.from(o.expect, 'utf8'));
    run.pass();
  } finally {
    reader.close();
  }
}

export const tcp = defineCheck({
  type: 'tcp',
  info: {
    summary: 'TCP port: connect, optional TLS handshake, optional text sent and substring expected in the reply.',
    pass: 'the connect succeeds (with `tls`: a verified handshake with at least `expiryDays` days left), and the reply contains `expect` when it is set.',
  },
  options: TcpOptions,
  defaultTimeout: 5,
  async run(o, ctx) {
    return netRun(o.hostname, async (run) => dialogue(o, ctx, run));
  },
});
