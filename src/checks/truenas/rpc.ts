/**
 * A JSON-RPC 2.0 client over one WebSocket, as TrueNAS 25.04+ serves it at
 * `/api/current` (api.truenas.com, "JSON-RPC 2.0 over WebSocket API"). Calls
 * may overlap (each has its own id); server notifications are ignored.
 */
import type WebSocket from 'ws';
import { abortReason } from '../shared/errors.ts';

/** A JSON-RPC error answer; `reason` is TrueNAS's `data.reason` when it gives one. */
export class RpcError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
  ) {
    super(`${method}: ${message}`);
    this.name = 'RpcError';
  }
}

export interface RpcOptions {
  signal: AbortSignal;
  /** false: no certificate or host name verification (the `selfsigned` option) */
  rejectUnauthorized: boolean;
  /** trusted CA certificates (PEM); undefined: the system store */
  ca?: string[];
}

/**
 * Largest message accepted: a big pool topology or alert list is well under
 * this. ws keeps a message's fragments until it is complete, so this is also
 * the most a server streaming one endless message makes the check hold.
 */
const MAX_PAYLOAD = 16 * 1024 * 1024;

interface Pending {
  method: string;
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | null = null;

  private constructor(
    private readonly ws: WebSocket,
    private readonly signal: AbortSignal,
  ) {
    ws.on('message', (data) => this.onMessage(data.toString()));
    ws.on('close', (code) => this.failAll(new Error(`connection closed (${code})`)));
    ws.on('error', (e) => this.failAll(e));
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Connects; rejects on a connection, TLS or HTTP upgrade failure, or when the signal fires. */
  static async open(url: string, o: RpcOptions): Promise<RpcClient> {
    // loaded by the first truenas run: a site without one does not carry ws (docs/performance.md)
    const { default: WebSocket } = await import('ws');
    return new Promise((resolve, reject) => {
      if (o.signal.aborted) {
        reject(abortReason(o.signal));
        return;
      }
      const ws = new WebSocket(url, {
        rejectUnauthorized: o.rejectUnauthorized,
        ca: o.ca,
        maxPayload: MAX_PAYLOAD,
        followRedirects: false,
        perMessageDeflate: false,
      });
      // ws reports a handshake cut short by terminate() as a later 'error' event;
      // it must never go unhandled (that would end the process)
      ws.on('error', () => undefined);
      const cleanup = (): void => {
        o.signal.removeEventListener('abort', onAbort);
        ws.removeListener('error', onError);
        ws.removeListener('unexpected-response', onResponse);
      };
      const onAbort = (): void => {
        cleanup();
        ws.terminate();
        reject(abortReason(o.signal));
      };
      const onError = (e: Error): void => {
        cleanup();
        ws.terminate();
        reject(e);
      };
      const onResponse = (_req: unknown, res: { statusCode?: number; statusMessage?: string }): void => {
        onError(new Error(`HTTP ${res.statusCode ?? '?'} ${res.statusMessage ?? ''} instead of a WebSocket`.trim()));
      };
      o.signal.addEventListener('abort', onAbort, { once: true });
      ws.once('error', onError);
      ws.once('unexpected-response', onResponse);
      ws.once('open', () => {
        cleanup();
        resolve(new RpcClient(ws, o.signal));
      });
    });
  }

  call(method: string, params: unknown[] = []): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { method, resolve, reject });
      this.ws.send(JSON.stringify({ jsonrpc: '2.0', id, method, params }), (e) => {
        if (e) this.settle(id, null, e);
      });
    });
  }

  close(): void {
    this.signal.removeEventListener('abort', this.onAbort);
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000);
    else this.ws.terminate();
    // a server that never completes the closing handshake must not keep the socket
    setTimeout(() => this.ws.terminate(), 1000).unref();
  }

  private readonly onAbort = (): void => {
    this.failAll(abortReason(this.signal));
    this.ws.terminate();
  };

  private onMessage(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return this.failAll(new Error('the server sent something that is not JSON'));
    }
    if (!msg || typeof msg !== 'object') return undefined;
    const m = msg as { id?: unknown; result?: unknown; error?: { code?: unknown; message?: unknown; data?: { reason?: unknown } } };
    if (typeof m.id !== 'number') return undefined; // a notification (collection_update…)
    if (m.error) {
      const reason =
        typeof m.error.data?.reason === 'string' && m.error.data.reason ? m.error.data.reason : typeof m.error.message === 'string' ? m.error.message : 'error';
      const p = this.pending.get(m.id);
      return this.settle(m.id, null, new RpcError(p?.method ?? '?', typeof m.error.code === 'number' ? m.error.code : 0, reason));
    }
    return this.settle(m.id, m.result, null);
  }

  private settle(id: number, result: unknown, err: Error | null): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    if (err) p.reject(err);
    else p.resolve(result);
  }

  private failAll(e: Error): void {
    if (!this.failure) this.failure = e;
    for (const [id, p] of this.pending) {
      this.pending.delete(id);
      p.reject(this.failure);
    }
  }
}
