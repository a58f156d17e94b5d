/**
 * A socket handed to a protocol library (pg, mysql2, ldapts, mqtt.js). The
 * check opens the connection itself (shared/tls.ts: the run's AbortSignal,
 * SNI, verification, days left) and gives the library a connected socket;
 * the guard then keeps the two promises a library does not make:
 *
 * - the run ends when its signal fires: the socket is destroyed and the
 *   pending library call rejects with the signal's reason (a TimeoutError),
 *   not with whatever the library says about a closed connection;
 * - a run reads at most `maxBytes`: these libraries buffer a message until
 *   it is whole and keep every row or entry of a reply, so a server that
 *   declares a 1 GB message, or never ends a result, would otherwise grow
 *   the process, not fail the check (test/faults/hostile-flood.test.ts).
 */
import type { Socket } from 'node:net';
import { abortReason } from './errors.ts';

/** The server sent more than a run reads. */
export class ReplyTooLarge extends Error {
  override name = 'ReplyTooLarge';
}

/** How long a polite close (QUIT, Terminate, DISCONNECT) may take before the socket is destroyed. */
const CLOSE_GRACE_MS = 1000;

export class SocketGuard {
  private failure: Error | null = null;
  private read = 0;
  private readonly stopped: Promise<never>;
  private stop!: (e: Error) => void;
  private readonly onAbort = (): void => this.fail(abortReason(this.signal));
  private readonly onData = (d: Buffer): void => {
    this.read += d.length;
    if (this.read > this.maxBytes) this.fail(new ReplyTooLarge(`the server sent more than ${this.maxBytes} bytes`));
  };

  /**
   * Call in the same tick as the library attaches its own `data` listener,
   * so that no byte the server already sent is read before it listens.
   */
  constructor(
    readonly socket: Socket,
    private readonly signal: AbortSignal,
    private readonly maxBytes: number,
  ) {
    this.stopped = new Promise<never>((_, reject) => (this.stop = reject));
    this.stopped.catch(() => undefined);
    socket.on('error', () => undefined);
    socket.on('data', this.onData);
    if (signal.aborted) this.onAbort();
    else signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Why the guard ended the connection, if it did. */
  get error(): Error | null {
    return this.failure;
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    this.socket.off('data', this.onData);
    this.socket.destroy();
    this.stop(e);
  }

  /**
   * Awaits a library call. When the guard ends the connection the call
   * rejects with the guard's reason; any other rejection is passed on.
   */
  async run<T>(call: Promise<T>): Promise<T> {
    call.catch(() => undefined);
    try {
      return await Promise.race([call, this.stopped]);
    } catch (e) {
      throw this.failure ?? e;
    }
  }

  /**
   * Ends the run's connection: `polite` (the library's QUIT or Terminate) is
   * given a moment to reach the server, so the server does not log an
   * aborted connection on every run, then the socket is destroyed.
   */
  close(polite?: () => Promise<unknown>): void {
    // the read cap stays on: a server flooding during the goodbye still ends it
    this.signal.removeEventListener('abort', this.onAbort);
    if (!polite || this.failure || this.socket.destroyed) {
      this.socket.destroy();
      return;
    }
    const timer = setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
    timer.unref();
    polite()
      .catch(() => undefined)
      .finally(() => {
        clearTimeout(timer);
        this.socket.destroy();
      });
  }
}
