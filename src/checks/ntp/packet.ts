/**
 * The NTP packet a client needs (RFC 5905 §7.3, the SNTP client of
 * RFC 4330 §5): 48 bytes, no extension fields. Timestamps are 32.32 fixed
 * point seconds since 1900-01-01; the era is resolved as RFC 4330 §3 does
 * (a value with the top bit clear lies after 2036-02-07).
 */
import { randomBytes } from 'node:crypto';

export const PACKET_SIZE = 48;
/** Seconds from 1900-01-01 (NTP era 0) to 1970-01-01 (Unix). */
const NTP_UNIX_OFFSET = 2_208_988_800;
const TWO32 = 2 ** 32;

export const MODE_CLIENT = 3;
export const MODE_SERVER = 4;
/** Leap indicator 3: "unknown (clock unsynchronized)" (RFC 5905 Figure 9). */
export const LEAP_ALARM = 3;

/** A client request: LI 0, version 4, mode 3, and a random transmit timestamp the server echoes as origin (RFC 5905 §8: the "bogus" test). */
export function request(): { packet: Buffer; nonce: Buffer } {
  const packet = Buffer.alloc(PACKET_SIZE);
  packet[0] = (0 << 6) | (4 << 3) | MODE_CLIENT;
  const nonce = randomBytes(8);
  nonce.copy(packet, 40);
  return { packet, nonce };
}

export interface ServerReply {
  leap: number;
  version: number;
  mode: number;
  stratum: number;
  /** log2 seconds */
  precision: number;
  /** seconds */
  rootDelay: number;
  rootDispersion: number;
  /** 4 ASCII characters for stratum 0/1 (a kiss code, a clock source), else an IPv4 address (or an IPv6 hash) */
  refId: Buffer;
  origin: Buffer;
  /** Unix seconds: when the request arrived (T2) and when the reply left (T3) */
  receive: number;
  transmit: number;
  transmitZero: boolean;
}

/** 32.32 fixed-point NTP time → Unix seconds. */
export function ntpToUnix(b: Buffer, at: number): number {
  const secs = b.readUInt32BE(at);
  const frac = b.readUInt32BE(at + 4);
  const era = secs & 0x80000000 ? 0 : TWO32;
  return secs + era - NTP_UNIX_OFFSET + frac / TWO32;
}

/** Short-format (16.16) seconds (root delay, root dispersion). */
function short(b: Buffer, at: number): number {
  return b.readUInt16BE(at) + b.readUInt16BE(at + 2) / 65536;
}

export function parse(b: Buffer): ServerReply {
  return {
    leap: b[0]! >> 6,
    version: (b[0]! >> 3) & 7,
    mode: b[0]! & 7,
    stratum: b[1]!,
    precision: b.readInt8(3),
    rootDelay: short(b, 4),
    rootDispersion: short(b, 8),
    refId: b.subarray(12, 16),
    origin: b.subarray(24, 32),
    receive: ntpToUnix(b, 32),
    transmit: ntpToUnix(b, 40),
    transmitZero: b.readUInt32BE(40) === 0 && b.readUInt32BE(44) === 0,
  };
}

/** The reference ID as a person reads it: ASCII for stratum 0 and 1, a dotted IPv4 address above. */
export function refIdText(r: ServerReply): string {
  if (r.stratum <= 1)
    return r.refId
      .toString('latin1')
      .replace(/\0+$/, '')
      .replace(/[^\x20-\x7e]/g, '?');
  return Array.from(r.refId).join('.');
}

/**
 * RFC 5905 §8: offset θ = ((T2 − T1) + (T3 − T4)) / 2 and round-trip delay
 * δ = (T4 − T1) − (T3 − T2), all in seconds.
 */
export function offsetAndDelay(t1: number, t2: number, t3: number, t4: number): { offset: number; delay: number } {
  return { offset: (t2 - t1 + (t3 - t4)) / 2, delay: t4 - t1 - (t3 - t2) };
}
