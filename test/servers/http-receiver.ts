/**
 * An HTTP(S) receiver on 127.0.0.1 that records every request (method,
 * path, headers, body) and answers from a script: a queue of responses, then
 * the default. Used to check what each HTTP action sends.
 */
import { createServer as httpServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as httpsServer } from 'node:https';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { HOST } from './common.ts';

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** when it arrived, by the receiver's `now` (a fake clock in outbox tests) */
  at: number;
}

export interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** hold the response this long (ms) */
  delayMs?: number;
}

export interface Receiver {
  url: string;
  port: number;
  requests: Received[];
  /** responses for the next requests, in order; then `fallback` */
  replies: Reply[];
  fallback: Reply;
  /** resolves when `n` requests have arrived */
  waitFor(n: number): Promise<void>;
  close(): Promise<void>;
}

export async function startReceiver(opts: { tls?: { cert: string; key: string }; port?: number; now?: () => number } = {}): Promise<Receiver> {
  const requests: Received[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const r: Receiver = {
    url: '',
    port: 0,
    requests,
    replies: [],
    fallback: { status: 200, body: 'ok' },
    waitFor: (n) => (requests.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  const handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: (opts.now ?? Date.now)(),
      });
      for (const w of waiters.filter((x) => requests.length >= x.n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
      const reply = r.replies.shift() ?? r.fallback;
      const send = (): void => {
        res.writeHead(reply.status, { 'Content-Type': 'text/plain', ...reply.headers });
        res.end(reply.body ?? '');
      };
      if (reply.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  };
  const server: Server = opts.tls ? httpsServer({ cert: opts.tls.cert, key: opts.tls.key }, handler) : httpServer(handler);
  server.listen(opts.port ?? 0, HOST);
  await once(server, 'listening');
  r.port = (server.address() as AddressInfo).port;
  r.url = `${opts.tls ? 'https' : 'http'}://${HOST}:${r.port}`;
  return r;
}
