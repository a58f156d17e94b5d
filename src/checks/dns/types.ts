/**
 * DNS resource-record type names as dnspython knows them (fletchck's `reqType`
 * is handed to `dns.rdatatype.from_text`, spec §4.7), so the same names are
 * accepted, case-insensitively, and printed the same way (`TYPE65` style for
 * numbers without a name, RFC 3597 §5).
 */

import { lazyRequire } from '../../util/lazy.ts';

/** dns-packet, loaded by the first dns run (docs/performance.md). */
export const dnsPacket = lazyRequire<typeof import('dns-packet')>('dns-packet');

/** dnspython 2.7 `dns.rdatatype.RdataType` (text form uses '-' where the enum has '_'). */
const TYPES: Record<string, number> = {
  NONE: 0,
  A: 1,
  NS: 2,
  MD: 3,
  MF: 4,
  CNAME: 5,
  SOA: 6,
  MB: 7,
  MG: 8,
  MR: 9,
  NULL: 10,
  WKS: 11,
  PTR: 12,
  HINFO: 13,
  MINFO: 14,
  MX: 15,
  TXT: 16,
  RP: 17,
  AFSDB: 18,
  X25: 19,
  ISDN: 20,
  RT: 21,
  NSAP: 22,
  'NSAP-PTR': 23,
  SIG: 24,
  KEY: 25,
  PX: 26,
  GPOS: 27,
  AAAA: 28,
  LOC: 29,
  NXT: 30,
  SRV: 33,
  NAPTR: 35,
  KX: 36,
  CERT: 37,
  A6: 38,
  DNAME: 39,
  OPT: 41,
  APL: 42,
  DS: 43,
  SSHFP: 44,
  IPSECKEY: 45,
  RRSIG: 46,
  NSEC: 47,
  DNSKEY: 48,
  DHCID: 49,
  NSEC3: 50,
  NSEC3PARAM: 51,
  TLSA: 52,
  SMIMEA: 53,
  HIP: 55,
  NINFO: 56,
  CDS: 59,
  CDNSKEY: 60,
  OPENPGPKEY: 61,
  CSYNC: 62,
  ZONEMD: 63,
  SVCB: 64,
  HTTPS: 65,
  SPF: 99,
  UNSPEC: 103,
  NID: 104,
  L32: 105,
  L64: 106,
  LP: 107,
  EUI48: 108,
  EUI64: 109,
  TKEY: 249,
  TSIG: 250,
  IXFR: 251,
  AXFR: 252,
  MAILB: 253,
  MAILA: 254,
  ANY: 255,
  URI: 256,
  CAA: 257,
  AVC: 258,
  AMTRELAY: 260,
  RESINFO: 261,
  WALLET: 262,
  TA: 32768,
  DLV: 32769,
};

const NAMES = new Map(Object.entries(TYPES).map(([name, n]) => [n, name]));

/** Type names dns-packet 5.6 encodes by name; any other type goes out as `UNKNOWN_<n>`. */
const DNS_PACKET_NAMES = new Set([
  'A',
  'NULL',
  'AAAA',
  'AFSDB',
  'APL',
  'CAA',
  'CDNSKEY',
  'CDS',
  'CERT',
  'CNAME',
  'DHCID',
  'DLV',
  'DNAME',
  'DNSKEY',
  'DS',
  'HIP',
  'HINFO',
  'IPSECKEY',
  'KEY',
  'KX',
  'LOC',
  'MX',
  'NAPTR',
  'NS',
  'NSEC',
  'NSEC3',
  'NSEC3PARAM',
  'PTR',
  'RRSIG',
  'RP',
  'SIG',
  'SOA',
  'SPF',
  'SRV',
  'SSHFP',
  'TA',
  'TKEY',
  'TLSA',
  'TSIG',
  'TXT',
  'AXFR',
  'IXFR',
  'OPT',
  'ANY',
]);

/** The type names `reqType` accepts besides `TYPE<n>` (for "did you mean"). */
export const TYPE_NAMES: readonly string[] = Object.keys(TYPES);

/** `dns.rdatatype.from_text`: a known name or `TYPE<n>`; undefined when unknown. */
export function typeFromText(text: string): number | undefined {
  const t = text.trim().toUpperCase().replace(/_/g, '-');
  if (Object.hasOwn(TYPES, t)) return TYPES[t];
  const m = /^TYPE([0-9]+)$/.exec(t);
  if (m) {
    const n = Number(m[1]);
    return n <= 65535 ? n : undefined;
  }
  return undefined;
}

/** `dns.rdatatype.to_text`. */
export function typeToText(n: number): string {
  return NAMES.get(n) ?? `TYPE${n}`;
}

/** dnspython's `is_metatype`: OPT and 128–255 (TKEY, TSIG, IXFR, AXFR, MAILA, MAILB, ANY…). */
export function isMetaType(n: number): boolean {
  return (n >= 128 && n < 256) || n === TYPES.OPT;
}

/** The type as dns-packet must be given it in a question. */
export function packetTypeName(n: number): string {
  const name = NAMES.get(n);
  return name !== undefined && DNS_PACKET_NAMES.has(name) ? name : `UNKNOWN_${n}`;
}

/** The numeric type of a record dns-packet decoded (`'MX'`, or `'UNKNOWN_65'`). */
export function packetTypeNumber(name: string): number | undefined {
  const m = /^UNKNOWN_([0-9]+)$/.exec(name);
  if (m) return Number(m[1]);
  return DNS_PACKET_NAMES.has(name) ? TYPES[name] : undefined;
}

/**
 * dns-packet's rdata codec for a type (`record` is exported at run time but
 * missing from @types/dns-packet). `encode` returns RDLENGTH + RDATA.
 */
export function rdataCodec(type: string): { encode(data: unknown): Buffer } {
  return (dnsPacket() as unknown as { record(t: string): { encode(d: unknown): Buffer } }).record(type);
}
