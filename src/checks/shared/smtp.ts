/**
 * The SMTP dialogue of the `smtp` and `submit` checks (spec §4.2, §4.3),
 * written against the socket so the log lines are exactly those of Python's
 * smtplib as fletchck uses it: each reply is logged as the repr of the
 * `(code, b'text')` tuple smtplib returns, the lines of a multi-line reply
 * joined by `\n` without their codes.
 */
import { hostname as localHostname } from 'node:os';
import { repr, tuple, bytes } from '../../util/pyrepr.ts';
import { LineReader, LineTooLong, ProtocolError } from './lines.ts';
import { connectTcp, connectTls, checkExpiry, type Trust } from './tls.ts';
import type { NetRun } from './netrun.ts';

export interface Reply {
  code: number;
  text: Buffer;
}

/** smtplib's SMTPResponseException family: the message is the tuple repr, as str() gives it. */
export class SmtpError extends Error {
  constructor(
    name: string,
    readonly code: number,
    text: Buffer | string,
  ) {
    super(repr(tuple(code, typeof text === 'string' ? text : bytes(text))));
    this.name = name;
  }
}

/** The server closed the connection mid-dialogue (smtplib's wording). */
export class SmtpDisconnected extends Error {
  override name = 'SMTPServerDisconnected';
  constructor() {
    super('Connection unexpectedly closed');
  }
}

export class SmtpNotSupported extends Error {
  override name = 'SMTPNotSupportedError';
}

/** RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets; smtplib allows 8192. */
const MAX_LINE = 8192;
/**
 * A whole (multi-line) reply: smtplib reads continuation lines without end,
 * so a server that never ends its reply grows fletchck's memory until the
 * process dies. A real EHLO reply is well under a kilobyte.
 */
export const MAX_REPLY = 64 * 1024;

export function replyRepr(r: Reply): string {
  return repr(tuple(r.code, bytes(r.text)));
}

/**
 * One reply, read the way smtplib's getreply() does: a three-digit code,
 * continued while the fourth character is '-'; a line that does not start
 * with a number ends the reply with code -1 (so a non-SMTP server fails with
 * a clear `(-1, b'…')`).
 */
export async function readReply(r: LineReader): Promise<Reply> {
  const lines: Buffer[] = [];
  let code = -1;
  let size = 0;
  for (;;) {
    let line: Buffer | null;
    try {
      line = await r.readLine(MAX_LINE);
    } catch (e) {
      if (e instanceof LineTooLong) throw new SmtpError('SMTPResponseException', 500, 'Line too long.');
      throw e;
    }
    if (line === null) throw new SmtpDisconnected();
    size += line.length + 2;
    if (size > MAX_REPLY) throw new ProtocolError(`a reply longer than ${MAX_REPLY} bytes`);
    lines.push(
      Buffer.from(
        line
          .subarray(4)
          .toString('latin1')
          .replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, ''),
        'latin1',
      ),
    );
    const digits = line.subarray(0, 3).toString('latin1');
    code = /^\d{3}$/.test(digits) ? Number(digits) : -1;
    if (code === -1 || line[3] !== 0x2d) break;
  }
  return { code, text: Buffer.concat(lines.flatMap((l, i) => (i ? [Buffer.from('\n'), l] : [l]))) };
}

export async function command(r: LineReader, cmd: string): Promise<Reply> {
  r.write(`${cmd}\r\n`);
  return readReply(r);
}

/** EHLO keywords (RFC 5321 §4.1.1.1): the first word of each line after the first. */
export function extensions(ehlo: Reply): Set<string> {
  const lines = ehlo.text.toString('latin1').split('\n').slice(1);
  return new Set(lines.map((l) => l.split(/[ =]/)[0].toUpperCase()).filter(Boolean));
}

export interface SmtpDialogue {
  host: string;
  port: number;
  /** 'implicit' = TLS from the first byte (submissions, 465); 'starttls'; 'none' = plain. */
  tls: 'implicit' | 'starttls' | 'none';
  trust: Trust;
  expiryDays: number;
  signal: AbortSignal;
  now(): number;
}

/**
 * Greeting → [STARTTLS] → EHLO (pass) → NOOP → QUIT, logging what fletchck
 * logs: the STARTTLS reply, then the EHLO, NOOP and QUIT replies.
 */
export async function smtpDialogue(d: SmtpDialogue, run: NetRun): Promise<void> {
  const me = localHostname() || 'localhost';
  let reader: LineReader | undefined;
  try {
    if (d.tls === 'implicit') {
      const s = await connectTls({ host: d.host, port: d.port, trust: d.trust, signal: d.signal, now: d.now });
      run.seen(s);
      reader = new LineReader(s.socket, d.signal);
      // siteward applies the window to submit as well (fletchck skips it, spec §4.3 [quirk])
      checkExpiry(s.days, d.expiryDays);
    } else {
      reader = new LineReader(await connectTcp(d.host, d.port, d.signal), d.signal);
    }
    const greeting = await readReply(reader);
    if (greeting.code !== 220) throw new SmtpError('SMTPConnectError', greeting.code, greeting.text);

    if (d.tls === 'starttls') {
      // smtplib's starttls(): EHLO first (HELO if refused), then STARTTLS must be offered
      let hello = await command(reader, `EHLO ${me}`);
      if (hello.code < 200 || hello.code > 299) {
        hello = await command(reader, `HELO ${me}`);
        if (hello.code < 200 || hello.code > 299) throw new SmtpError('SMTPHeloError', hello.code, hello.text);
      }
      if (!extensions(hello).has('STARTTLS')) throw new SmtpNotSupported('STARTTLS extension not supported by server.');
      const go = await command(reader, 'STARTTLS');
      if (go.code !== 220) throw new SmtpError('SMTPResponseException', go.code, go.text);
      const s = await connectTls({ host: d.host, port: d.port, trust: d.trust, signal: d.signal, now: d.now, socket: reader.detach() });
      reader.resume(s.socket);
      run.seen(s);
      run.log.push(replyRepr(go));
      checkExpiry(s.days, d.expiryDays);
    }

    const ehlo = await command(reader, `EHLO ${me}`);
    run.log.push(replyRepr(ehlo));
    // fletchck passes on any EHLO reply, even a refusal; siteward needs 2xx
    if (ehlo.code < 200 || ehlo.code > 299) throw new SmtpError('SMTPHeloError', ehlo.code, ehlo.text);
    run.pass();
    run.log.push(replyRepr(await command(reader, 'NOOP')));
    run.log.push(replyRepr(await command(reader, 'QUIT')));
  } finally {
    if (reader) reader.close();
  }
}

/**
 * smtplib's address rule: with no port (0), a hostname with exactly one ':'
 * is split into host and port ("mail.example.com:2525"); otherwise the
 * protocol's default port applies.
 */
export function smtpAddress(hostname: string, port: number | undefined, defaultPort: number): { host: string; port: number } {
  if (!port) {
    const i = hostname.indexOf(':');
    if (i >= 0 && i === hostname.lastIndexOf(':')) {
      const p = hostname.slice(i + 1);
      if (!/^\d+$/.test(p) || Number(p) > 65535) throw new SmtpAddressError(`nonnumeric port in ${JSON.stringify(hostname)}`);
      return { host: hostname.slice(0, i), port: Number(p) };
    }
    return { host: hostname, port: defaultPort };
  }
  return { host: hostname, port };
}

/** smtplib raises OSError for a bad port in "host:port". */
export class SmtpAddressError extends Error {
  override name = 'OSError';
}
