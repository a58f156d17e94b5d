/**
 * A single-server stub resolution that behaves like dnspython's
 * `Resolver.resolve()` (fletchck's dns check, spec §4.7): tries of at most
 * 2 s with a growing pause between them until the lifetime ends, TCP after a
 * truncated UDP answer, CNAME chains followed inside the answer, and the same
 * exception names and messages for the detail line.
 */
import { randomInt } from 'node:crypto';
import type dnsPacket from 'dns-packet';
import { exchange, TryError, type Server } from './transport.ts';
import { packetTypeName, packetTypeNumber, typeToText } from './types.ts';
import { sleep } from '../shared/errors.ts';

/** A resolution failure named like the dnspython exception fletchck logs. */
export class DnsError extends Error {
  /** `ms`: time to the server's (negative) response, when there was one */
  constructor(
    name: string,
    message: string,
    readonly ms?: number,
  ) {
    super(message);
    this.name = name;
  }
}

/** dnspython `Resolver.timeout`: the limit of one try. */
export const TRY_TIMEOUT_MS = 2000;
/** dnspython `Resolution.backoff`: first pause between rounds, doubled up to 2 s. */
const FIRST_BACKOFF_MS = 100;
/** Longest CNAME chain followed inside one answer (dnspython stops at 16). */
const MAX_CNAME_CHAIN = 16;

type Packet = ReturnType<typeof dnsPacket.decode>;

/** A decoded resource record (dns-packet's shape for every type but OPT). */
export interface RR {
  name: string;
  type: string;
  class?: string;
  data: unknown;
}

export interface Resolved {
  /** the records of the answer RRset, in the order the server sent them */
  records: RR[];
  response: Packet;
  /** time from the first query to the accepted response */
  ms: number;
}

export interface ResolveOptions {
  /** query name, absolute, without the trailing dot ('' = the root) */
  name: string;
  type: number;
  tcp: boolean;
  /** the lifetime: fires at the check's timeout */
  signal: AbortSignal;
  /** `Do53:<address>@<port>` as dnspython names a server in its messages */
  serverLabel?: string;
  tryTimeoutMs?: number;
}

/** RCODE names (RFC 1035 §4.1.1, RFC 2136 §2.2, RFC 6891 §9) as `dns.rcode.to_text` prints them. */
const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];
const rcodeText = (n: number): string => RCODES[n] ?? String(n);

const sameName = (a: string, b: string): boolean => a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();

/**
 * dnspython `Answer`: the RRset for (name, type), following CNAMEs found in
 * the answer section. Empty when the response holds no such RRset (NoAnswer).
 */
export function answerRecords(response: Packet, name: string, type: number): RR[] {
  // OPT (RFC 6891) never belongs in the answer section; the cast covers only the other shapes
  const all = ((response.answers ?? []) as unknown as RR[]).filter((a) => a.type !== 'OPT' && (a.class ?? 'IN') === 'IN');
  let owner = name;
  for (let hop = 0; hop <= MAX_CNAME_CHAIN; hop++) {
    const rrset = all.filter((a) => sameName(a.name, owner) && packetTypeNumber(a.type) === type);
    if (rrset.length) return rrset;
    if (type === 5) break; // asking for CNAME itself: no chasing
    const cname = all.find((a) => sameName(a.name, owner) && a.type === 'CNAME');
    if (!cname) break;
    owner = String(cname.data);
  }
  return [];
}

export async function resolveOnce(server: Server, o: ResolveOptions): Promise<Resolved> {
  const label = o.serverLabel ?? `Do53:${server.address}@${server.port}`;
  const shown = `${o.name}. IN ${typeToText(o.type)}`;
  const question = { name: o.name, type: packetTypeName(o.type) };
  const started = performance.now();
  const errors: string[] = [];
  /** the last try heard only undecodable datagrams (transport.ts) */
  let undecodable: string | null = null;
  const lifetimeOver = (): DnsError => {
    const secs = (performance.now() - started) / 1000;
    // a server that answers garbage is not silent: say what it did (dnspython would say "timed out")
    if (undecodable !== null)
      return new DnsError('FormError', `Server ${label} answered ${undecodable}, and no usable answer came within ${secs.toFixed(3)} seconds`);
    return new DnsError('LifetimeTimeout', `The resolution lifetime expired after ${secs.toFixed(3)} seconds: ${errors.join('; ')}`);
  };
  let usable = true;
  let retryWithTcp = false;
  let backoff = 0;
  for (;;) {
    let tcp = o.tcp;
    if (retryWithTcp) {
      tcp = true;
      retryWithTcp = false;
    } else {
      if (!usable) throw new DnsError('NoNameservers', `All nameservers failed to answer the query ${shown}: ${errors.join('; ')}`);
      if (backoff > 0) {
        try {
          await sleep(backoff, o.signal);
        } catch {
          throw lifetimeOver();
        }
      }
      backoff = backoff === 0 ? FIRST_BACKOFF_MS : Math.min(backoff * 2, 2000);
    }
    if (o.signal.aborted) throw lifetimeOver();
    let response: Packet;
    try {
      // a fresh random id per try (RFC 5452 §4.3), checked against the reply
      response = await exchange(server, { id: randomInt(0x10000), question, tcp, timeoutMs: o.tryTimeoutMs ?? TRY_TIMEOUT_MS, signal: o.signal });
    } catch (e) {
      const t = e instanceof TryError ? e : new TryError('fatal', String(e));
      errors.push(`Server ${label} answered ${t.message}`);
      undecodable = t.undecodable ? t.message : null;
      if (t.kind === 'timeout') {
        if (o.signal.aborted) throw lifetimeOver();
      } else if (t.kind === 'truncated' && !tcp) {
        retryWithTcp = true;
      } else {
        usable = false; // dnspython drops a server after a socket, format or TCP-truncation error
      }
      continue;
    }
    const rcode = (response.flags ?? 0) & 0xf;
    if (rcode === 0) {
      const records = answerRecords(response, o.name, o.type);
      if (!records.length) throw new DnsError('NoAnswer', `The DNS response does not contain an answer to the question: ${shown}`, performance.now() - started);
      return { records, response, ms: performance.now() - started };
    }
    if (rcode === 3) throw new DnsError('NXDOMAIN', `The DNS query name does not exist: ${o.name}.`, performance.now() - started);
    if (rcode === 6) throw new DnsError('YXDOMAIN', 'The DNS query name is too long after DNAME substitution.');
    // SERVFAIL, REFUSED, …: this server is no good (dnspython, retry_servfail off)
    errors.push(`Server ${label} answered ${rcodeText(rcode)}`);
    usable = false;
  }
}
