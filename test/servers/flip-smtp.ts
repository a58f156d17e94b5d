/**
 * A tiny SMTP server on 127.0.0.1 that makes a check's state change on every
 * run: it holds each connection for `holdMs` (so a check is mid-run most of
 * the time), then alternately completes a dialogue (greeting, EHLO, NOOP,
 * QUIT: the smtp check passes) and refuses with a 554 greeting (it fails).
 * `freeze()` makes every later connection pass at once. It counts the
 * connections it is holding, so a test can kill a process while checks are
 * mid-dialogue.
 */
import { createServer, type Socket, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { HOST } from './common.ts';

export interface FlipSmtp {
  port: number;
  /** connections accepted and not answered yet */
  readonly holding: number;
  /** connections so far */
  readonly connections: number;
  freeze(): void;
  close(): Promise<void>;
}

export async function startFlipSmtp(o: { holdMs?: number; startPassing?: boolean } = {}): Promise<FlipSmtp> {
  const sockets = new Set<Socket>();
  let holding = 0;
  let connections = 0;
  let pass = o.startPassing ?? true;
  let frozen = false;
  const server = createServer((sock) => {
    connections++;
    sockets.add(sock);
    sock.setEncoding('latin1');
    sock.on('error', () => undefined);
    sock.on('close', () => sockets.delete(sock));
    const passes = frozen || pass;
    if (!frozen) pass = !pass;
    holding++;
    let held = true;
    const release = (): void => {
      if (held) holding--;
      held = false;
    };
    sock.on('close', release);
    const answer = (): void => {
      release();
      if (sock.destroyed) return;
      if (!passes) {
        sock.end('554 5.3.2 not accepting mail now\r\n');
        return;
      }
      sock.write('220 flip.test ESMTP\r\n');
      let buf = '';
      sock.on('data', (d: string) => {
        buf += d;
        for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
          const line = buf.slice(0, nl).trim().toUpperCase();
          buf = buf.slice(nl + 1);
          if (line.startsWith('EHLO') || line.startsWith('HELO')) sock.write('250 flip.test\r\n');
          else if (line === 'NOOP') sock.write('250 2.0.0 Ok\r\n');
          else if (line === 'QUIT') sock.end('221 2.0.0 Bye\r\n');
          else sock.write('502 5.5.2 Error: command not recognized\r\n');
        }
      });
    };
    if (frozen) answer();
    else setTimeout(answer, o.holdMs ?? 600);
  });
  server.listen(0, HOST);
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    get holding() {
      return holding;
    },
    get connections() {
      return connections;
    },
    freeze: () => {
      frozen = true;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
