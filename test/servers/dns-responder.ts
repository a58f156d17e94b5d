/**
 * A programmable DNS server on 127.0.0.1 (dns-packet over dgram and net, the
 * same port for UDP and TCP) for what dnsmasq will not do: truncated
 * answers, empty answers, wrong ids, silence, odd record types.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import dnsPacket from 'dns-packet';
import { HOST } from './common.ts';

export type Packet = ReturnType<typeof dnsPacket.decode>;
export type Proto = 'udp' | 'tcp';

/** Decides the reply datagrams/messages for a query (none = silence). */
export type Handler = (q: Packet, proto: Proto) => Buffer[];

export interface Responder {
  port: number;
  queries: { proto: Proto; packet: Packet }[];
  close(): void;
}

/** A response to `q` with its id and question, and the given fields. */
export function reply(q: Packet, fields: Partial<dnsPacket.Packet> & { rcode?: number; tc?: boolean } = {}): Buffer {
  const { rcode = 0, tc = false, ...rest } = fields;
  return dnsPacket.encode({
    type: 'response',
    id: q.id,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (tc ? dnsPacket.TRUNCATED_RESPONSE : 0) | rcode,
    questions: q.questions,
    ...rest,
  });
}

async function bindBoth(): Promise<{ udp: UdpSocket; tcp: Server; port: number }> {
  for (let i = 0; i < 20; i++) {
    const udp = createSocket('udp4');
    udp.bind(0, HOST);
    await once(udp, 'listening');
    const port = udp.address().port;
    const tcp = createServer();
    const ok = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, HOST, () => resolve(true));
    });
    if (ok) return { udp, tcp, port };
    udp.close();
  }
  throw new Error('no port free for both UDP and TCP');
}

export async function startResponder(handler: Handler): Promise<Responder> {
  const { udp, tcp, port } = await bindBoth();
  const queries: Responder['queries'] = [];
  const sockets = new Set<Socket>();
  udp.on('message', (msg, from) => {
    const q = dnsPacket.decode(msg);
    queries.push({ proto: 'udp', packet: q });
    for (const r of handler(q, 'udp')) udp.send(r, from.port, from.address);
  });
  tcp.on('connection', (s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        const q = dnsPacket.decode(buf.subarray(2, 2 + len));
        buf = buf.subarray(2 + len);
        queries.push({ proto: 'tcp', packet: q });
        for (const r of handler(q, 'tcp')) {
          const head = Buffer.alloc(2);
          head.writeUInt16BE(r.length);
          s.write(Buffer.concat([head, r]));
        }
      }
    });
  });
  return {
    port,
    queries,
    close: () => {
      for (const s of sockets) s.destroy();
      tcp.close();
      udp.close();
    },
  };
}
