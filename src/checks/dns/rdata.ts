/**
 * Record data in the presentation format dnspython's `rdata.to_text()` prints
 * (spec §4.7: the pass log joins these with spaces), from records decoded by
 * dns-packet. Types without a renderer here print in the RFC 3597 generic
 * form `\# <length> <hex>`, as dnspython does for types it does not know.
 */
import { rdataCodec } from './types.ts';

/** A name as dnspython prints an absolute name: with its trailing dot. */
export function absName(name: string): string {
  if (name === '' || name === '.') return '.';
  return name.endsWith('.') ? name : `${name}.`;
}

/** dnspython `_escapify`: `"` and `\` escaped, printable ASCII kept, other bytes as `\DDD`. */
export function escapify(b: Buffer | string): string {
  const bytes = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
  let out = '';
  for (const c of bytes) {
    if (c === 0x22 || c === 0x5c) out += `\\${String.fromCharCode(c)}`;
    else if (c >= 0x20 && c < 0x7f) out += String.fromCharCode(c);
    else out += `\\${String(c).padStart(3, '0')}`;
  }
  return out;
}

/** dnspython `_wordbreak`: a long hex/base64 string cut into chunks separated by spaces. */
function wordbreak(s: string, chunk: number): string {
  const parts: string[] = [];
  for (let i = 0; i < s.length; i += chunk) parts.push(s.slice(i, i + chunk));
  return parts.join(' ');
}

const hexify = (b: Buffer, chunk = 32): string => wordbreak(b.toString('hex'), chunk);
const base64ify = (b: Buffer, chunk = 32): string => wordbreak(b.toString('base64'), chunk);

/**
 * dnspython `ipv6.inet_ntoa`: leading zeros dropped, the first longest run of
 * two or more zero groups as `::`, and `::a.b.c.d` / `::ffff:a.b.c.d` for
 * embedded IPv4 addresses.
 */
export function ipv6Text(addr: Buffer): string {
  const chunks: string[] = [];
  for (let i = 0; i < 16; i += 2) chunks.push(addr.readUInt16BE(i).toString(16));
  let bestStart = 0;
  let bestLen = 0;
  let start = -1;
  for (let i = 0; i <= 8; i++) {
    const zero = i < 8 && chunks[i] === '0';
    if (zero && start < 0) start = i;
    if (!zero && start >= 0) {
      if (i - start > bestLen) {
        bestStart = start;
        bestLen = i - start;
      }
      start = -1;
    }
  }
  if (bestLen <= 1) return chunks.join(':');
  if (bestStart === 0 && (bestLen === 6 || (bestLen === 5 && chunks[5] === 'ffff'))) {
    const v4 = [...addr.subarray(12)].join('.');
    return `${bestLen === 6 ? '::' : '::ffff:'}${v4}`;
  }
  return `${chunks.slice(0, bestStart).join(':')}::${chunks.slice(bestStart + bestLen).join(':')}`;
}

/** The wire bytes of one record's data, re-encoded by dns-packet (names uncompressed). */
function wire(type: string, data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return rdataCodec(type).encode(data).subarray(2);
}

/** Character-strings (RFC 1035 §3.3) of a TXT-like record, from its raw data. */
function characterStrings(raw: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < raw.length; ) {
    const len = raw[i];
    out.push(raw.subarray(i + 1, i + 1 + len));
    i += 1 + len;
  }
  return out;
}

const quoted = (s: Buffer | string): string => `"${escapify(s)}"`;

type Rec = Record<string, unknown>;
const num = (r: Rec, k: string): number => Number(r[k]);
const str = (r: Rec, k: string): string => String(r[k] ?? '');
const buf = (r: Rec, k: string): Buffer => (Buffer.isBuffer(r[k]) ? (r[k] as Buffer) : Buffer.alloc(0));

/** Renderers by dns-packet type name (dnspython `to_text` of each rdata class). */
const RENDER: Record<string, (d: unknown) => string> = {
  A: (d) => String(d),
  AAAA: (d) => ipv6Text(wire('AAAA', d)),
  NS: (d) => absName(String(d)),
  CNAME: (d) => absName(String(d)),
  DNAME: (d) => absName(String(d)),
  PTR: (d) => absName(String(d)),
  MX: (d) => `${num(d as Rec, 'preference')} ${absName(str(d as Rec, 'exchange'))}`,
  SOA: (d) => {
    const s = d as Rec;
    return [absName(str(s, 'mname')), absName(str(s, 'rname')), ...['serial', 'refresh', 'retry', 'expire', 'minimum'].map((k) => num(s, k))].join(' ');
  },
  TXT: (d) => (Array.isArray(d) ? d : [d]).map((s) => quoted(Buffer.isBuffer(s) ? s : String(s))).join(' '),
  SRV: (d) => {
    const s = d as Rec;
    return `${num(s, 'priority')} ${num(s, 'weight')} ${num(s, 'port')} ${absName(str(s, 'target'))}`;
  },
  CAA: (d) => {
    const s = d as Rec;
    return `${num(s, 'flags')} ${escapify(str(s, 'tag'))} ${quoted(str(s, 'value'))}`;
  },
  HINFO: (d) => `${quoted(str(d as Rec, 'cpu'))} ${quoted(str(d as Rec, 'os'))}`,
  NAPTR: (d) => {
    const s = d as Rec;
    return `${num(s, 'order')} ${num(s, 'preference')} ${quoted(str(s, 'flags'))} ${quoted(str(s, 'services'))} ${quoted(str(s, 'regexp'))} ${absName(str(s, 'replacement'))}`;
  },
  DS: (d) => {
    const s = d as Rec;
    return `${num(s, 'keyTag')} ${num(s, 'algorithm')} ${num(s, 'digestType')} ${hexify(buf(s, 'digest'), 128)}`;
  },
  // dns-packet drops the protocol octet; RFC 4034 §2.1.2 fixes it at 3
  DNSKEY: (d) => `${num(d as Rec, 'flags')} 3 ${num(d as Rec, 'algorithm')} ${base64ify(buf(d as Rec, 'key'))}`,
  SSHFP: (d) => {
    const s = d as Rec;
    return `${num(s, 'algorithm')} ${num(s, 'hash')} ${wordbreak(str(s, 'fingerprint').toLowerCase(), 128)}`;
  },
  TLSA: (d) => {
    const s = d as Rec;
    return `${num(s, 'usage')} ${num(s, 'selector')} ${num(s, 'matchingType')} ${hexify(buf(s, 'certificate'), 128)}`;
  },
  RP: (d) => `${absName(str(d as Rec, 'mbox'))} ${absName(str(d as Rec, 'txt'))}`,
};
RENDER.CDS = RENDER.DS;
RENDER.CDNSKEY = RENDER.DNSKEY;

/** Types that dnspython prints as TXT but dns-packet hands over raw. */
const RAW_TXT = new Set([99, 258, 261, 262]); // SPF, AVC, RESINFO, WALLET

/** One record's data as dnspython prints it. `typeNumber` is the numeric RR type. */
export function rdataText(type: string, typeNumber: number, data: unknown): string {
  try {
    const render = RENDER[type];
    if (render) return render(data);
    if (RAW_TXT.has(typeNumber) && Buffer.isBuffer(data)) return characterStrings(data).map(quoted).join(' ');
    const raw = wire(type, data);
    return `\\# ${raw.length} ${hexify(raw)}`;
  } catch {
    // a record dns-packet decoded but cannot re-encode: still show something
    return `\\# ? ${JSON.stringify(data)}`;
  }
}
