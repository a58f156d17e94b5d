/**
 * The query name fletchck's dns check builds (spec §4.7): an absolute name,
 * or for PTR the reverse-map name of an IP address (RFC 1035 §3.5, RFC 3596
 * §2.5), checked against the wire limits of RFC 1035 §2.3.4 with the
 * exception names dnspython raises.
 */
import { isIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { DnsError } from './resolve.ts';
import { rdataCodec } from './types.ts';

const PTR = 12;

/** `dns.reversename.from_address`, without the trailing dot. */
export function reverseName(ip: string): string {
  const addr = ip.replace(/%.*$/, ''); // a zone id is not part of the address
  if (isIP(addr) === 4) return `${addr.split('.').reverse().join('.')}.in-addr.arpa`;
  const bytes = rdataCodec('AAAA').encode(addr).subarray(2);
  // an IPv4-mapped address maps into in-addr.arpa, as dnspython does
  if (bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `${[...bytes.subarray(12)].reverse().join('.')}.in-addr.arpa`;
  }
  return `${[...bytes.toString('hex')].reverse().join('.')}.ip6.arpa`;
}

/**
 * The name to ask for, absolute and without its trailing dot ('' = the root).
 * Throws a DnsError named like dnspython's exception for a name that cannot
 * go on the wire.
 */
export function queryName(reqName: string, type: number): string {
  let name = reqName.trim();
  if (type === PTR && isIP(name.replace(/%.*$/, ''))) name = reverseName(name);
  if (/[^\x00-\x7f]/.test(name)) {
    const ascii = domainToASCII(name);
    if (!ascii) throw new DnsError('IDNAException', `IDNA processing exception: cannot encode ${JSON.stringify(name)}`);
    name = ascii;
  }
  if (name === '.' || name === '') return '';
  if (name.endsWith('.')) name = name.slice(0, -1);
  const labels = name.split('.');
  let wire = 1;
  for (const l of labels) {
    const len = Buffer.byteLength(l);
    if (len === 0) throw new DnsError('EmptyLabel', 'A DNS label is empty.');
    if (len > 63) throw new DnsError('LabelTooLong', 'A DNS label is > 63 octets long.');
    wire += len + 1;
  }
  if (wire > 255) throw new DnsError('NameTooLong', 'A DNS name is > 255 octets long.');
  return name;
}
