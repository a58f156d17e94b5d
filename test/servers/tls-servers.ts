/**
 * In-process servers on 127.0.0.1 with OS-chosen ports for the TLS-speaking
 * checks: HTTPS/HTTP (node:https/http), SMTP with STARTTLS or implicit TLS
 * (smtp-server), a TLS echo service (for cert probes) and raw TCP servers
 * that misbehave on purpose (silent, wrong protocol).
 */
import { createServer as netServer, type Server, type Socket, type AddressInfo } from 'node:net';
import { createServer as tlsServer } from 'node:tls';
import { createServer as httpsServer } from 'node:https';
import { createServer as httpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { SMTPServer } from 'smtp-server';
import { HOST } from './common.ts';
import type { Pem } from './testca.ts';

export interface Running {
  port: number;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1:0; close() also drops open connections so tests end
 * promptly, unless the library brings its own shutdown (`shutdown`).
 */
async function run(server: Server, shutdown?: () => Promise<void>): Promise<Running> {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  // TLS servers: a client that aborts the handshake is expected in these tests
  server.on('tlsClientError', () => undefined);
  server.listen(0, HOST);
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      if (shutdown) return shutdown();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const hello: Handler = (_req, res) => {
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  res.end('hello from siteward tests\n');
};

export function startHttps(pem: Pem, handler: Handler = hello): Promise<Running> {
  return run(httpsServer({ key: pem.key, cert: pem.cert }, handler));
}

export function startHttp(handler: Handler = hello): Promise<Running> {
  return run(httpServer(handler));
}

/** A TLS service answering each chunk with `echo: <chunk>` (what a cert probe reads). */
export function startTlsEcho(pem: Pem): Promise<Running> {
  return run(
    tlsServer({ key: pem.key, cert: pem.cert }, (s) => {
      s.on('error', () => undefined);
      s.on('data', (d: Buffer) => s.write(Buffer.concat([Buffer.from('echo: '), d])));
    }),
  );
}

/** Accepts and never says a word. */
export function startSilent(): Promise<Running> {
  return run(netServer(() => undefined));
}

/** Sends `text` on connect and then reads and ignores everything (a server of another protocol). */
export function startSpeaker(text: string): Promise<Running> {
  return run(
    netServer((s) => {
      s.on('error', () => undefined);
      s.write(text);
      s.resume();
    }),
  );
}

export interface SmtpOptions {
  pem: Pem;
  /** implicit TLS (submissions) instead of STARTTLS */
  secure?: boolean;
  /** do not offer STARTTLS */
  hideStartTls?: boolean;
}

/** smtp-server with STARTTLS (or implicit TLS); `name` shows in the greeting and EHLO reply. */
export async function startSmtp(o: SmtpOptions): Promise<Running> {
  const server = new SMTPServer({
    key: o.pem.key,
    cert: o.pem.cert,
    secure: o.secure ?? false,
    hideSTARTTLS: o.hideStartTls ?? false,
    name: 'mx.test',
    authOptional: true,
    disabledCommands: ['AUTH'],
    logger: false,
    closeTimeout: 2000,
    onData(stream, _session, cb) {
      stream.resume();
      stream.on('end', () => cb());
    },
  });
  server.on('error', () => undefined);
  // SMTPServer.close(), not destroying its sockets: destroying the TCP socket
  // under a TLS session smtp-server is still tearing down crashes Node 20 (SIGSEGV)
  return run(server.server as Server, () => new Promise<void>((r) => server.close(() => r())));
}

/** A TLS service that sends `text` right after the handshake (a TLS server of another protocol). */
export function startTlsSpeaker(pem: Pem, text: string): Promise<Running> {
  return run(
    tlsServer({ key: pem.key, cert: pem.cert }, (s) => {
      s.on('error', () => undefined);
      s.write(text);
      s.resume();
    }),
  );
}

/**
 * A plain-text line server driven by a script: `greeting` on connect, then
 * each received line is answered with `reply(line)`; null closes the
 * connection. For protocol edge cases real servers will not produce.
 */
export function startScripted(greeting: string, reply: (line: string) => string | null): Promise<Running> {
  return run(
    netServer((s) => {
      s.on('error', () => undefined);
      s.write(greeting);
      let buf = '';
      s.on('data', (d: Buffer) => {
        buf += d.toString('latin1');
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const line = buf.slice(0, nl).replace(/\r$/, '');
          buf = buf.slice(nl + 1);
          const r = reply(line);
          if (r === null) {
            s.destroy();
            return;
          }
          s.write(r);
        }
      });
    }),
  );
}

/** Accepts and closes the connection at once. */
export function startHangup(): Promise<Running> {
  return run(netServer((s) => s.destroy()));
}

/**
 * A TLS service for cert probes: `reply(data)` answers each chunk (null
 * closes); `names` collects the SNI names clients sent (read from the
 * ClientHello, so before the client can finish and hang up).
 */
export async function startTlsService(pem: Pem, reply: (data: Buffer) => string | null): Promise<Running & { names: string[] }> {
  const names: string[] = [];
  const SNICallback = (name: string, cb: (e: Error | null, ctx?: undefined) => void): void => {
    names.push(name);
    cb(null); // the server's default context
  };
  const r = await run(
    tlsServer({ key: pem.key, cert: pem.cert, SNICallback }, (s) => {
      s.on('error', () => undefined);
      s.on('data', (d: Buffer) => {
        const out = reply(d);
        if (out === null) s.end();
        else s.write(out);
      });
    }),
  );
  return { ...r, names };
}
