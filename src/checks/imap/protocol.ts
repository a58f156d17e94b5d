/**
 * The small part of IMAP4rev1 (RFC 3501) the `imap` check speaks: greeting,
 * CAPABILITY, STARTTLS, LOGIN, NOOP, LOGOUT. Results are the `(type, data)`
 * pairs Python's imaplib returns, so their repr matches fletchck's log lines
 * (spec §4.4), e.g. `('OK', [b'NOOP completed.'])`.
 */
import { repr, tuple, bytes } from '../../util/pyrepr.ts';
import type { LineReader } from '../shared/lines.ts';

/** An IMAP-level failure (imaplib's `IMAP4.error`/`abort`, named clearly). */
export class ImapError extends Error {
  override name = 'IMAPError';
}

export interface ImapResult {
  type: string;
  data: Buffer[];
}

/** imaplib reads lines of up to 1,000,000 bytes. */
const MAX_LINE = 1_000_000;
/**
 * Everything the server may send in one session, literals included. imaplib
 * keeps every untagged response and folds literals into one line without a
 * limit, so a server streaming `* OK …` lines or chained literals grows its
 * memory without end; the few commands this check sends need a few kilobytes.
 */
export const MAX_SESSION = 1_000_000;
const LITERAL = /\{(\d+)\+?\}$/;
const CRLF = Buffer.from('\r\n');
/** The end of a line, long enough for any literal marker `{n}`. */
const tail = (line: Buffer): string => line.subarray(Math.max(0, line.length - 24)).toString('latin1');

export function resultRepr(r: ImapResult): string {
  return repr(
    tuple(
      r.type,
      r.data.map((d) => bytes(d)),
    ),
  );
}

/** A quoted string when it can be one (RFC 3501 §4.3), else a literal. */
function astring(s: string): { text: string } | { literal: Buffer } {
  if (/^[\x20-\x7e]*$/.test(s)) return { text: `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"` };
  return { literal: Buffer.from(s, 'utf8') };
}

export class ImapSession {
  private n = 0;
  /** untagged responses by type, as imaplib keeps them (BYE → [b'Logging out']) */
  readonly untagged = new Map<string, Buffer[]>();
  capabilities = new Set<string>();
  /** bytes received so far (MAX_SESSION) */
  private received = 0;

  constructor(private readonly reader: LineReader) {}

  private count(n: number): void {
    this.received += n;
    // imaplib's wording for its own line limit
    if (this.received > MAX_SESSION) throw new ImapError(`got more than ${MAX_SESSION} bytes`);
  }

  /** One response line, with any literals it carries folded in. */
  private async response(): Promise<Buffer> {
    let last = await this.reader.readLine(MAX_LINE);
    if (last === null) throw new ImapError('connection closed by server');
    this.count(last.length + 2);
    const parts = [last];
    // a literal is announced at the end of the part just read (RFC 3501 §4.3)
    for (let m = LITERAL.exec(tail(last)); m; m = LITERAL.exec(tail(last))) {
      const size = Number(m[1]);
      this.count(size);
      const lit = await this.reader.readExactly(size);
      last = await this.reader.readLine(MAX_LINE);
      if (lit === null || last === null) throw new ImapError('connection closed by server');
      this.count(last.length + 2);
      parts.push(CRLF, lit, last);
    }
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  private keepUntagged(line: Buffer): void {
    const text = line.subarray(2);
    const m = /^(\d+ )?([A-Za-z0-9.-]+) ?/.exec(text.toString('latin1'));
    if (!m) return;
    const type = m[2].toUpperCase();
    const data = m[1] ? text.subarray(0, m[1].length - 1) : text.subarray(m[0].length);
    const list = this.untagged.get(type) ?? [];
    list.push(Buffer.from(data));
    this.untagged.set(type, list);
    if (type === 'CAPABILITY') this.capabilities = new Set(data.toString('latin1').toUpperCase().split(/\s+/).filter(Boolean));
  }

  /** Reads the server greeting: `* OK` or `* PREAUTH`; anything else fails clearly. */
  async greeting(): Promise<void> {
    const line = await this.response();
    const text = line.toString('latin1');
    if (/^\* (OK|PREAUTH)\b/i.test(text)) {
      this.keepUntagged(line);
      return;
    }
    if (/^\* BYE\b/i.test(text)) throw new ImapError(`server refused the session: ${repr(bytes(line))}`);
    throw new ImapError(`not an IMAP greeting: ${repr(bytes(line))}`);
  }

  /**
   * Sends a command and reads up to its tagged completion. Arguments are
   * quoted or sent as synchronising literals (waiting for `+` each time).
   */
  async command(name: string, ...args: string[]): Promise<ImapResult> {
    const tag = `A${String(++this.n).padStart(4, '0')}`;
    const bye = this.untagged.get('BYE');
    if (bye && name !== 'LOGOUT') throw new ImapError(`server said BYE: ${repr(bytes(bye[bye.length - 1]))}`);
    let pending = `${tag} ${name}`;
    for (const a of args) {
      const v = astring(a);
      if ('text' in v) {
        pending += ` ${v.text}`;
        continue;
      }
      this.reader.write(`${pending} {${v.literal.length}}\r\n`);
      const done = await this.untilContinuation(tag);
      if (done) return this.finish(name, done);
      this.reader.write(v.literal);
      pending = '';
    }
    this.reader.write(`${pending}\r\n`);
    for (;;) {
      const done = await this.next(tag);
      if (done) return this.finish(name, done);
    }
  }

  private async untilContinuation(tag: string): Promise<ImapResult | null> {
    for (;;) {
      const line = await this.response();
      if (line[0] === 0x2b) return null; // '+': go ahead with the literal
      const done = this.classify(line, tag);
      if (done) return done;
    }
  }

  private async next(tag: string): Promise<ImapResult | null> {
    return this.classify(await this.response(), tag);
  }

  private classify(line: Buffer, tag: string): ImapResult | null {
    const text = line.toString('latin1');
    if (text.startsWith('* ')) {
      this.keepUntagged(line);
      return null;
    }
    if (text.startsWith(`${tag} `)) {
      const m = /^(\S+) ([A-Za-z]+) ?/.exec(text);
      if (!m) throw new ImapError(`malformed response: ${repr(bytes(line))}`);
      return { type: m[2].toUpperCase(), data: [line.subarray(m[0].length)] };
    }
    if (text.startsWith('+')) return null;
    throw new ImapError(`unexpected response: ${repr(bytes(line))}`);
  }

  /** imaplib's LOGOUT returns the untagged BYE when there was one. */
  private finish(name: string, r: ImapResult): ImapResult {
    if (name === 'LOGOUT') {
      const bye = this.untagged.get('BYE');
      if (bye) return { type: 'BYE', data: bye };
      return r;
    }
    if (r.type === 'BAD') throw new ImapError(`${name} command error: BAD ${repr(r.data.map((d) => bytes(d)))}`);
    return r;
  }
}
