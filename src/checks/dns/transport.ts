/**
 * One DNS exchange with one server over UDP or TCP (RFC 1035 §4.2), with
 * dns-packet doing the wire format. Failures are thrown as `TryError`s whose
 * text is what dnspython prints for the same failure, because the resolver
 * loop (resolve.ts) quotes them in fletchck's detail line (spec §4.7).
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { Socket, isIPv6 } from 'node:net';
import type DnsPacket from 'dns-packet';
import { dnsPacket } from './types.ts';

/** How a failed try affects the server, as in dnspython's `Resolution.query_result`. */
export type TryKind = 'timeout' | 'truncated' | 'fatal';

export class TryError extends Error {
  /** `undecodable`: the try timed out after the server sent only datagrams that are no DNS message */
  constructor(
    readonly kind: TryKind,
    message: string,
    readonly undecodable = false,
  ) {
    super(message);
    this.name = 'TryError';
  }
}

export interface Server {
  address: string;
  port: number;
}

export interface Question {
  /** absolute name without the trailing dot ('' = the root) */
  name: string;
  /** dns-packet type name (`'MX'`, `'UNKNOWN_65'`) */
  type: string;
}

const TIMED_OUT = 'The DNS operation timed out.';
const BAD_RESPONSE = 'A DNS query response does not respond to the question asked.';

/** Python's text for the socket errors a DNS try meets (`str(OSError)`). */
const ERRNO: Record<string, string> = {
  ECONNREFUSED: '[Errno 111] Connection refused',
  ECONNRESET: '[Errno 104] Connection reset by peer',
  EHOSTUNREACH: '[Errno 113] No route to host',
  ENETUNREACH: '[Errno 101] Network is unreachable',
  EADDRNOTAVAIL: '[Errno 99] Cannot assign requested address',
  EPIPE: '[Errno 32] Broken pipe',
  EACCES: '[Errno 13] Permission denied',
  EINVAL: '[Errno 22] Invalid argument',
};

function socketError(e: unknown): TryError {
  const code = (e as NodeJS.ErrnoException).code;
  const text = (code && ERRNO[code]) ?? (e instanceof Error ? e.message : String(e));
  return new TryError('fatal', text);
}

type Packet = ReturnType<typeof DnsPacket.decode>;

/** dnspython `Message.is_response`: same id, QR set, same opcode, same question. */
function answers(query: { id: number; question: Question }, r: Packet): boolean {
  if (r.type !== 'response' || r.id !== query.id) return false;
  if ((((r.flags ?? 0) >> 11) & 0xf) !== 0) return false; // opcode QUERY (RFC 1035 §4.1.1)
  const q = r.questions ?? [];
  if (q.length !== 1) return false;
  const trim = (n: string): string => (n === '.' ? '' : n.replace(/\.$/, '').toLowerCase());
  return trim(q[0].name) === trim(query.question.name) && q[0].type === query.question.type && (q[0].class ?? 'IN') === 'IN';
}

const truncated = (r: Packet): boolean => ((r.flags ?? 0) & dnsPacket().TRUNCATED_RESPONSE) !== 0;

export interface TryOptions {
  id: number;
  question: Question;
  tcp: boolean;
  /** this try's own time limit (dnspython `Resolver.timeout`, 2 s) */
  timeoutMs: number;
  /** the whole resolution's lifetime */
  signal: AbortSignal;
}

/** Sends the query and resolves with the server's response packet. */
export function exchange(server: Server, o: TryOptions): Promise<Packet> {
  const message = dnsPacket().encode({
    type: 'query',
    id: o.id,
    flags: dnsPacket().RECURSION_DESIRED,
    questions: [{ name: o.question.name || '.', type: o.question.type as DnsPacket.RecordType, class: 'IN' }],
  });
  return o.tcp ? tcpTry(server, message, o) : udpTry(server, message, o);
}

/** Shared try plumbing: one settle, a timer and the lifetime signal, cleanup always. `timedOut` says why the time ran out. */
function attempt(
  o: TryOptions,
  run: (settle: (e: TryError | null, r?: Packet) => void) => () => void,
  timedOut = (): TryError => new TryError('timeout', TIMED_OUT),
): Promise<Packet> {
  return new Promise<Packet>((resolve, reject) => {
    let done = false;
    let cleanup = (): void => undefined;
    const settle = (e: TryError | null, r?: Packet): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
      cleanup();
      if (e) reject(e);
      else resolve(r!);
    };
    const onAbort = (): void => settle(timedOut());
    const timer = setTimeout(onAbort, o.timeoutMs);
    if (o.signal.aborted) {
      onAbort();
      return;
    }
    o.signal.addEventListener('abort', onAbort, { once: true });
    cleanup = run(settle);
  });
}

/**
 * UDP: a connected socket, so only the server's datagrams arrive and an ICMP
 * "port unreachable" fails the try at once. Datagrams that do not answer the
 * question (wrong id, wrong question, undecodable) are ignored and the try
 * keeps waiting, as dnspython does (`ignore_unexpected`), which is what
 * defeats a spoofed or stale answer. A truncated answer (TC) asks for TCP.
 * When the time runs out after the server sent only undecodable datagrams,
 * the try says so rather than that nothing came (dnspython says "timed out").
 */
function udpTry(server: Server, message: Buffer, o: TryOptions): Promise<Packet> {
  let undecodable: string | null = null;
  return attempt(
    o,
    (settle) => {
      const sock: UdpSocket = createSocket(isIPv6(server.address) ? 'udp6' : 'udp4');
      sock.on('error', (e) => settle(socketError(e)));
      sock.on('message', (msg) => {
        let r: Packet;
        try {
          r = dnsPacket().decode(msg);
        } catch (e) {
          undecodable = whyUndecodable(msg, e);
          return;
        }
        if (!answers(o, r)) return;
        if (truncated(r)) settle(new TryError('truncated', 'The truncated flag is set.'));
        else settle(null, r);
      });
      // Node hands a failed UDP connect to this callback (its type omits the argument)
      const onConnect = (e?: Error | null): void => {
        if (e) {
          settle(socketError(e));
          return;
        }
        try {
          sock.send(message, (err) => {
            if (err) settle(socketError(err));
          });
        } catch (err) {
          settle(socketError(err));
        }
      };
      sock.connect(server.port, server.address, onConnect as () => void);
      return () => {
        try {
          sock.close();
        } catch {
          // already closed by an error
        }
      };
    },
    () => (undecodable === null ? new TryError('timeout', TIMED_OUT) : new TryError('timeout', `with an undecodable reply (${undecodable})`, true)),
  );
}

/** Why a datagram is no DNS message (RFC 1035 §4.1: a 12-byte header, then the sections it counts). */
function whyUndecodable(msg: Buffer, e: unknown): string {
  if (msg.length < 12) return `${msg.length} bytes, shorter than a DNS header`;
  const detail = e instanceof Error ? e.message : String(e);
  return `${msg.length} bytes: ${detail.slice(0, 120)}`;
}

/** TCP: two-byte length framing (RFC 1035 §4.2.2); a reply that does not answer is an error here. */
function tcpTry(server: Server, message: Buffer, o: TryOptions): Promise<Packet> {
  return attempt(o, (settle) => {
    const sock = new Socket();
    let buf = Buffer.alloc(0);
    sock.on('error', (e) => settle(socketError(e)));
    sock.on('close', () => settle(new TryError('fatal', 'EOF')));
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
      let r: Packet;
      try {
        r = dnsPacket().decode(buf.subarray(2, 2 + buf.readUInt16BE(0)));
      } catch (e) {
        settle(new TryError('fatal', `The DNS message is malformed: ${(e as Error).message}`));
        return;
      }
      if (!answers(o, r)) settle(new TryError('fatal', BAD_RESPONSE));
      else if (truncated(r)) settle(new TryError('fatal', 'The truncated flag is set.'));
      else settle(null, r);
    });
    sock.connect(server.port, server.address, () => {
      const len = Buffer.alloc(2);
      len.writeUInt16BE(message.length);
      sock.write(Buffer.concat([len, message]));
    });
    return () => sock.destroy();
  });
}
