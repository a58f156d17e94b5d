/**
 * Record data printed as dnspython's `to_text()` prints it (the pass tuple of
 * spec §4.7), record types named as dnspython names them, and query names
 * built as fletchck builds them. Records go through a dns-packet encode and
 * decode first, so the renderer sees what the check sees on the wire.
 */
import { describe, it, expect } from 'vitest';
import dnsPacket from 'dns-packet';
import { rdataText, escapify } from '../../../src/checks/dns/rdata.ts';
import { queryName, reverseName } from '../../../src/checks/dns/names.ts';
import { isMetaType, packetTypeNumber, typeFromText, typeToText } from '../../../src/checks/dns/types.ts';
import type { RR } from '../../../src/checks/dns/resolve.ts';

/** One record through dns-packet's encoder and decoder. */
function wire(type: string, data: unknown): RR {
  const buf = dnsPacket.encode({ type: 'response', id: 1, answers: [{ type, name: 'x.test', ttl: 1, data } as dnsPacket.Answer] });
  return (dnsPacket.decode(buf).answers as unknown as RR[])[0];
}
const text = (type: string, data: unknown): string => {
  const r = wire(type, data);
  return rdataText(r.type, packetTypeNumber(r.type)!, r.data);
};

describe('rdata as dnspython prints it', () => {
  const hex32 = Buffer.from('00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff', 'hex');
  const key64 = Buffer.alloc(64, 7);
  const cases: { type: string; data: unknown; want: string }[] = [
    { type: 'A', data: '192.0.2.1', want: '192.0.2.1' },
    { type: 'NS', data: 'ns1.test', want: 'ns1.test.' },
    { type: 'CNAME', data: 'target.test', want: 'target.test.' },
    { type: 'PTR', data: 'host.test', want: 'host.test.' },
    { type: 'MX', data: { preference: 10, exchange: 'mail.test' }, want: '10 mail.test.' },
    {
      type: 'SOA',
      data: { mname: 'ns.test', rname: 'hostmaster.test', serial: 7, refresh: 3600, retry: 600, expire: 86400, minimum: 300 },
      want: 'ns.test. hostmaster.test. 7 3600 600 86400 300',
    },
    { type: 'TXT', data: ['v=probe1'], want: '"v=probe1"' },
    // quotes and backslashes escaped, bytes outside printable ASCII as \DDD
    { type: 'TXT', data: ['say "hi"', 'a\\b', Buffer.from([1, 0xe9])], want: '"say \\"hi\\"" "a\\\\b" "\\001\\233"' },
    { type: 'SRV', data: { priority: 1, weight: 2, port: 443, target: 'web.test' }, want: '1 2 443 web.test.' },
    { type: 'CAA', data: { flags: 128, tag: 'issue', value: 'ca.test; a="b"' }, want: '128 issue "ca.test; a=\\"b\\""' },
    { type: 'HINFO', data: { cpu: 'x86', os: 'Linux' }, want: '"x86" "Linux"' },
    {
      type: 'NAPTR',
      data: { order: 100, preference: 10, flags: 'S', services: 'SIP+D2U', regexp: '', replacement: '_sip._udp.test' },
      want: '100 10 "S" "SIP+D2U" "" _sip._udp.test.',
    },
    { type: 'DS', data: { keyTag: 12345, algorithm: 13, digestType: 2, digest: hex32 }, want: `12345 13 2 ${hex32.toString('hex')}` },
    // base64 in chunks of 32 characters, as dnspython's _base64ify
    {
      type: 'DNSKEY',
      data: { flags: 257, algorithm: 13, key: key64 },
      want: `257 3 13 ${key64
        .toString('base64')
        .match(/.{1,32}/g)!
        .join(' ')}`,
    },
    { type: 'SSHFP', data: { algorithm: 4, hash: 2, fingerprint: 'AB'.repeat(32) }, want: `4 2 ${'ab'.repeat(32)}` },
    { type: 'TLSA', data: { usage: 3, selector: 1, matchingType: 1, certificate: hex32 }, want: `3 1 1 ${hex32.toString('hex')}` },
    // SPF is TXT-shaped for dnspython; dns-packet hands it over raw
    { type: 'SPF', data: Buffer.from('\x07v=spf1 \x04-all', 'latin1'), want: '"v=spf1 " "-all"' },
    // types without a presentation form: RFC 3597 generic, hex in chunks of 32
    { type: 'UNKNOWN_65', data: Buffer.from([0, 1, 0, 0]), want: '\\# 4 00010000' },
    { type: 'NULL', data: Buffer.alloc(20, 0xab), want: `\\# 20 ${'ab'.repeat(16)} ${'ab'.repeat(4)}` },
  ];
  for (const c of cases) {
    it(`${c.type}: ${c.want}`, () => {
      expect(text(c.type, c.data)).toBe(c.want);
    });
  }

  const v6: [string, string][] = [
    ['2001:db8::1', '2001:db8::1'],
    ['2001:db8:0:1:0:0:0:1', '2001:db8:0:1::1'],
    ['1:0:0:2:0:0:0:3', '1:0:0:2::3'], // the longest zero run
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // the first of equal runs
    ['1:0:2:3:4:5:6:7', '1:0:2:3:4:5:6:7'], // a single zero group stays
    ['::1', '::1'],
    ['::', '::'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1'], // IPv4-mapped
    ['::192.0.2.1', '::192.0.2.1'], // IPv4-compatible
  ];
  for (const [input, want] of v6) {
    it(`AAAA ${input} prints as ${want}`, () => {
      expect(text('AAAA', input)).toBe(want);
    });
  }

  it('escapes like dnspython _escapify', () => {
    expect(escapify(Buffer.from([0x22, 0x5c, 0x41, 0x7f, 0x0a]))).toBe('\\"\\\\A\\127\\010');
  });
});

describe('record type names', () => {
  it('reads names case-insensitively, TYPEn, and dnspython names dns-packet lacks', () => {
    expect([typeFromText('mx'), typeFromText('SOA'), typeFromText('type65'), typeFromText('https'), typeFromText('nsap_ptr')]).toEqual([15, 6, 65, 65, 23]);
    expect(typeFromText('bogus')).toBeUndefined();
    expect(typeFromText('TYPE70000')).toBeUndefined();
  });

  it('prints names as dnspython does', () => {
    expect([typeToText(1), typeToText(65), typeToText(23), typeToText(12345)]).toEqual(['A', 'HTTPS', 'NSAP-PTR', 'TYPE12345']);
  });

  it('knows the metatypes', () => {
    expect([255, 252, 251, 250, 41].map(isMetaType)).toEqual([true, true, true, true, true]);
    expect([1, 6, 256, 257].map(isMetaType)).toEqual([false, false, false, false]);
  });
});

describe('query names', () => {
  it('turns addresses into reverse names for PTR', () => {
    expect(reverseName('192.0.2.1')).toBe('1.2.0.192.in-addr.arpa');
    expect(reverseName('::ffff:192.0.2.1')).toBe('1.2.0.192.in-addr.arpa');
    expect(reverseName('2001:db8::1')).toBe(`1.${'0.'.repeat(23)}8.b.d.0.1.0.0.2.ip6.arpa`);
    expect(queryName('192.0.2.1', 12)).toBe('1.2.0.192.in-addr.arpa');
    expect(queryName('1.2.0.192.in-addr.arpa.', 12)).toBe('1.2.0.192.in-addr.arpa');
  });

  it('keeps an address as a plain name for other types', () => {
    expect(queryName('192.0.2.1', 1)).toBe('192.0.2.1');
  });

  it('treats the name as absolute and "." as the root', () => {
    expect(queryName('org', 6)).toBe('org');
    expect(queryName('org.', 6)).toBe('org');
    expect(queryName('.', 2)).toBe('');
  });

  it('refuses names that cannot go on the wire, with dnspython exception names', () => {
    expect(() => queryName('a..b', 1)).toThrow(expect.objectContaining({ name: 'EmptyLabel' }));
    expect(() => queryName(`${'a'.repeat(64)}.test`, 1)).toThrow(expect.objectContaining({ name: 'LabelTooLong' }));
    expect(() => queryName(Array(4).fill('a'.repeat(63)).join('.'), 1)).toThrow(expect.objectContaining({ name: 'NameTooLong' }));
  });
});
