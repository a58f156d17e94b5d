/**
 * A line reader for line-based dialogues (SMTP replies, IMAP responses) over
 * a TCP or TLS socket. Every read honours the run's AbortSignal: when it
 * fires, the socket is destroyed and the pending read rejects with the
 * signal's reason, so a server that accepts and says nothing fails at the
 * check's timeout.
 */
import type { Socket } from 'node:net';
import { abortReason } from './errors.ts';

/** A reply line longer than the protocol allows (SMTP: RFC 5321 §4.5.3.1.5). */
export class LineTooLong extends Error {
  override name = 'LineTooLong';
}

/** The peer sent something the dialogue does not allow at this point. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

/** More than this is never buffered: a server streaming junk fails, not the process. */
const MAX_BUFFER = 1 << 20;

export class LineReader {
  private buf: Buffer = Buffer.alloc(0);
  private failure: Error | null = null;
  private eof = false;
  private wake: (() => void) | null = null;
  private sock!: Socket;
  private readonly onData = (d: Buffer): void => {
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    if (this.buf.length > MAX_BUFFER) this.fail(new ProtocolError(`more than ${MAX_BUFFER} bytes without a complete reply`));
    this.notify();
  };
  private readonly onEnd = (): void => {
    this.eof = true;
    this.notify();
  };
  private readonly onError = (e: Error): void => this.fail(e);
  private readonly onAbort = (): void => this.fail(abortReason(this.signal));

  constructor(
    sock: Socket,
    private readonly signal: AbortSignal,
  ) {
    this.attach(sock);
    if (signal.aborted) this.onAbort();
    else signal.addEventListener('abort', this.onAbort, { once: true });
  }

  get socket(): Socket {
    return this.sock;
  }

  private attach(sock: Socket): void {
    this.sock = sock;
    sock.on('data', this.onData);
    sock.on('end', this.onEnd);
    sock.on('close', this.onEnd);
    sock.on('error', this.onError);
  }

  private fail(e: Error): void {
    if (!this.failure) this.failure = e;
    this.sock.destroy();
    this.notify();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private async more(): Promise<void> {
    if (this.failure) throw this.failure;
    await new Promise<void>((r) => (this.wake = r));
    if (this.failure) throw this.failure;
  }

  /**
   * The next line without its CRLF (or LF). At end of stream: the partial
   * line, or null when nothing is left (Python's readline returning b'').
   */
  async readLine(maxLength = 8192): Promise<Buffer | null> {
    for (;;) {
      const nl = this.buf.indexOf(0x0a);
      if (nl >= 0) {
        if (nl > maxLength) throw new LineTooLong('Line too long.');
        const line = this.buf.subarray(0, nl > 0 && this.buf[nl - 1] === 0x0d ? nl - 1 : nl);
        this.buf = this.buf.subarray(nl + 1);
        return line;
      }
      if (this.buf.length > maxLength) throw new LineTooLong('Line too long.');
      if (this.eof) {
        if (!this.buf.length) return null;
        const rest = this.buf;
        this.buf = Buffer.alloc(0);
        return rest;
      }
      await this.more();
    }
  }

  /** Exactly n bytes (an IMAP literal); null when the stream ends first. */
  async readExactly(n: number): Promise<Buffer | null> {
    while (this.buf.length < n) {
      if (this.eof) return null;
      await this.more();
    }
    const out = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return out;
  }

  /** Whatever arrives first, up to `max` bytes; empty at end of stream (Python's recv). */
  async readSome(max: number): Promise<Buffer> {
    while (!this.buf.length) {
      if (this.eof) return Buffer.alloc(0);
      await this.more();
    }
    const out = this.buf.subarray(0, max);
    this.buf = this.buf.subarray(out.length);
    return out;
  }

  write(data: string | Buffer): void {
    if (this.failure) throw this.failure;
    this.sock.write(data);
  }

  /**
   * Hands the socket over for a STARTTLS upgrade. Anything the server sent
   * after its "go ahead" reply and before the handshake would be accepted as
   * if it came over TLS (the STARTTLS injection flaw, CVE-2011-0411), so it
   * is refused (RFC 3207 §4.2, RFC 3501 §6.2.1).
   */
  detach(): Socket {
    if (this.failure) throw this.failure;
    if (this.buf.length) throw new ProtocolError('the server sent data before the TLS handshake');
    const s = this.sock;
    s.off('data', this.onData);
    s.off('end', this.onEnd);
    s.off('close', this.onEnd);
    s.off('error', this.onError);
    return s;
  }

  /** Continues the dialogue over the upgraded (TLS) socket. */
  resume(sock: Socket): void {
    this.eof = false;
    this.attach(sock);
    if (this.signal.aborted) this.onAbort();
  }

  /** Stops reading and closes the socket; the reader is unusable afterwards. */
  close(): void {
    this.signal.removeEventListener('abort', this.onAbort);
    this.sock.on('error', () => undefined);
    this.sock.destroy();
  }
}
