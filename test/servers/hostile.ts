/**
 * Hostile servers on 127.0.0.1 for the fault suite: each accepts (TCP, TLS
 * or UDP) and then either drips a protocol-plausible prefix one byte a
 * second, or floods: a prefix, then one unit repeated as fast as the client
 * reads, up to a total (100 MB by default). Writes honour back-pressure, so
 * the server itself never buffers more than a chunk; whatever memory grows
 * during a run is the client's.
 */
import { createServer as netServer, type Server, type Socket, type AddressInfo } from 'node:net';
import { createServer as tlsServer } from 'node:tls';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { once } from 'node:events';
import { HOST } from './common.ts';

export type Transport = 'tcp' | 'tls' | 'udp';

/** What the server sends: its bytes may depend on the client's first bytes (a WebSocket accept key). */
export type Script =
  | { kind: 'drip'; bytes: Buffer; intervalMs?: number }
  | { kind: 'flood'; prefix: Buffer | ((request: Buffer) => Buffer); unit: Buffer; total?: number };

export interface HostileOptions {
  transport: Transport;
  /** 'server': send from the connect (SMTP, SSH, IMAP); 'client': after the client's first bytes (HTTP, NUT, DNS) */
  starts: 'server' | 'client';
  script: Script;
  tls?: { cert: string; key: string };
}

export interface Hostile {
  port: number;
  /** bytes written per connection (or per UDP client), in connection order */
  sent: number[];
  close(): Promise<void>;
}

export const FLOOD_TOTAL = 100 * 1024 * 1024;
const CHUNK = 64 * 1024;
/** the largest UDP payload that fits one IPv4 datagram */
const DATAGRAM = 65_507;

/** One chunk of whole units, about CHUNK bytes (the flood writes it again and again). */
function chunkOf(unit: Buffer, size = CHUNK): Buffer {
  return Buffer.concat(Array.from({ length: Math.max(1, Math.floor(size / unit.length)) }, () => unit));
}

/** Resolves true at 'drain', false when the socket closes first. */
function drained(sock: Socket): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => (): void => {
      sock.off('drain', onDrain);
      sock.off('close', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    sock.on('drain', onDrain);
    sock.on('close', onClose);
  });
}

async function floodStream(sock: Socket, first: Buffer, unit: Buffer, total: number, count: (n: number) => void): Promise<void> {
  const chunk = chunkOf(unit);
  let sent = 0;
  const write = (b: Buffer): boolean => {
    sent += b.length;
    count(b.length);
    return sock.write(b);
  };
  let ok = write(first);
  while (sent < total && !sock.destroyed) {
    // wait for the client to read (or to hang up)
    if (!ok && !(await drained(sock))) return;
    ok = write(chunk);
  }
  // the whole flood is out: hang up (a client still waiting then sees the end)
  sock.end();
}

function dripStream(sock: Socket, bytes: Buffer, intervalMs: number, count: (n: number) => void): void {
  let i = 0;
  const tick = (): void => {
    if (sock.destroyed || i >= bytes.length) return;
    sock.write(bytes.subarray(i, i + 1));
    count(1);
    i++;
    timer = setTimeout(tick, intervalMs);
  };
  let timer = setTimeout(tick, 0);
  sock.on('close', () => clearTimeout(timer));
}

export async function startHostile(o: HostileOptions): Promise<Hostile> {
  return o.transport === 'udp' ? startUdp(o) : startStream(o);
}

async function startStream(o: HostileOptions): Promise<Hostile> {
  const sent: number[] = [];
  const sockets = new Set<Socket>();
  const serve = (sock: Socket): void => {
    const idx = sent.push(0) - 1;
    const count = (n: number): void => {
      sent[idx] += n;
    };
    sockets.add(sock);
    sock.on('error', () => undefined);
    sock.on('close', () => sockets.delete(sock));
    const begin = (request: Buffer): void => {
      const s = o.script;
      if (s.kind === 'drip') dripStream(sock, s.bytes, s.intervalMs ?? 1000, count);
      else {
        const prefix = typeof s.prefix === 'function' ? s.prefix(request) : s.prefix;
        floodStream(sock, prefix, s.unit, s.total ?? FLOOD_TOTAL, count).catch(() => sock.destroy());
      }
    };
    if (o.starts === 'server') begin(Buffer.alloc(0));
    else sock.once('data', (d: Buffer) => begin(d));
  };
  let server: Server;
  if (o.transport === 'tls') {
    if (!o.tls) throw new Error('a TLS hostile server needs a certificate');
    server = tlsServer({ cert: o.tls.cert, key: o.tls.key }, serve);
    server.on('tlsClientError', () => undefined);
  } else {
    server = netServer(serve);
  }
  server.listen(0, HOST);
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    sent,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

async function startUdp(o: HostileOptions): Promise<Hostile> {
  const sent: number[] = [];
  const sock = createSocket('udp4');
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  const seen = new Map<string, number>();
  sock.on('error', () => undefined);
  sock.on('message', (msg: Buffer, from: RemoteInfo) => {
    const key = `${from.address}:${from.port}`;
    if (seen.has(key)) return;
    const idx = sent.push(0) - 1;
    seen.set(key, idx);
    const s = o.script;
    if (s.kind === 'drip') {
      // one one-byte datagram a second: never a whole answer
      let i = 0;
      const tick = (): void => {
        if (closed || i >= s.bytes.length) return;
        sock.send(s.bytes.subarray(i, i + 1), from.port, from.address);
        sent[idx] += 1;
        i++;
        const t = setTimeout(tick, s.intervalMs ?? 1000);
        timers.add(t);
      };
      tick();
      return;
    }
    // UDP has no back-pressure: send the next datagram when the last one left
    const total = s.total ?? FLOOD_TOTAL;
    const first = typeof s.prefix === 'function' ? s.prefix(msg) : s.prefix;
    const body = chunkOf(s.unit, DATAGRAM - first.length);
    const datagram = Buffer.concat([first, body]).subarray(0, DATAGRAM);
    const next = (): void => {
      if (closed || sent[idx] >= total) return;
      sock.send(datagram, from.port, from.address, (e) => {
        if (e) return;
        sent[idx] += datagram.length;
        setImmediate(next);
      });
    };
    next();
  });
  sock.bind(0, HOST);
  await once(sock, 'listening');
  return {
    port: sock.address().port,
    sent,
    close: async () => {
      closed = true;
      for (const t of timers) clearTimeout(t);
      await new Promise<void>((r) => sock.close(() => r()));
    },
  };
}
