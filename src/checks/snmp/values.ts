/**
 * SNMP values (RFC 2578 §7.1 types, as net-snmp decodes them) as plain
 * numbers and strings for the value tests, the log and the metrics.
 */
import type { Varbind } from 'net-snmp';

/** ObjectType numbers (RFC 2578, RFC 3416 §3 for the exceptions). */
const T = {
  Integer: 2,
  OctetString: 4,
  Null: 5,
  OID: 6,
  IpAddress: 64,
  Counter: 65,
  Gauge: 66,
  TimeTicks: 67,
  Opaque: 68,
  Counter64: 70,
  NoSuchObject: 128,
  NoSuchInstance: 129,
  EndOfMibView: 130,
};

/** What the agent answered instead of a value (RFC 3416 §4.2.1 exceptions). */
export function exception(vb: Varbind): string | null {
  if (vb.type === T.NoSuchObject) return 'no such object';
  if (vb.type === T.NoSuchInstance) return 'no such instance';
  if (vb.type === T.EndOfMibView) return 'end of MIB view';
  return null;
}

/** Text when it is printable UTF-8, else hex pairs (a MAC address, a binary index). */
function octets(b: Buffer): string {
  const s = b.toString('utf8');
  if (!s.includes('\ufffd') && !/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(s)) return s;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

/** The value a test sees: numbers for the numeric types, strings otherwise. */
export function plainValue(vb: Varbind): number | string | null {
  const v = vb.value;
  if (vb.type === T.Counter64 && Buffer.isBuffer(v)) {
    const n = v.length ? BigInt(`0x${v.toString('hex')}`) : 0n;
    return Number(n);
  }
  if (typeof v === 'bigint') return Number(v);
  if (Buffer.isBuffer(v)) return octets(v);
  if (typeof v === 'number' || typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return null;
}

/** The part of `oid` below `root` (a table row's index), e.g. 2 for ifOperStatus.2. */
export function indexBelow(root: string, oid: string): string {
  return oid.startsWith(`${root}.`) ? oid.slice(root.length + 1) : oid;
}
