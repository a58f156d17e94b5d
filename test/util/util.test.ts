/**
 * Python-exact formatting and reprs, and the time helpers (spec §3.8, §3.9).
 */
import { describe, it, expect } from 'vitest';
import { fixed, padded, percentLevel, sizeUnit } from '../../src/checks/shared/format.ts';
import { repr, bytes, tuple } from '../../src/util/pyrepr.ts';
import { isoInZone, displayTime, parseLenientTime, logStamp, canonicalZone } from '../../src/util/time.ts';
import { normaliseHost } from '../../src/util/host.ts';

describe('Python number formatting', () => {
  const cases: [number, number, string][] = [
    [2.5, 0, '2'],
    [3.5, 0, '4'],
    [0.125, 2, '0.12'],
    [1.005, 2, '1.00'],
    [9.96, 1, '10.0'],
    [-2.5, 0, '-2'],
  ];
  for (const [v, d, want] of cases) it(`'%.${d}f' % ${v} = ${want}`, () => expect(fixed(v, d)).toBe(want));
  it('%2.0f pads to width 2 and the level keeps the leading space', () => {
    expect(padded(9.2, 2, 0)).toBe(' 9');
    expect(percentLevel(9.2)).toBe(' 9%');
    expect(percentLevel(100)).toBe('100%');
  });
  it('sizes switch to TiB above 0.8 TiB', () => {
    expect(sizeUnit(252 * 1024 ** 3).unit).toBe('GiB');
    expect(sizeUnit(0.81 * 1024 ** 4).unit).toBe('TiB');
    expect(sizeUnit(2 * 1024 ** 4).fmt(1024 ** 4)).toBe('1.00');
  });
});

describe('Python repr', () => {
  it('formats the shapes fletchck logs', () => {
    expect(repr(tuple(220, bytes('2.0.0 Ready to start TLS')))).toBe("(220, b'2.0.0 Ready to start TLS')");
    expect(repr(tuple(250, bytes('host\nPIPELINING')))).toBe("(250, b'host\\nPIPELINING')");
    expect(repr(tuple('OK', [bytes('NOOP completed')]))).toBe("('OK', [b'NOOP completed'])");
    expect(repr(["it's", 'a"b', 'x'])).toBe(`["it's", 'a"b', 'x']`);
    expect(repr(bytes(Buffer.from([0, 0xff, 0x27])))).toBe(`b"\\x00\\xff'"`);
    expect(repr(tuple(null))).toBe('(None,)');
  });
  it('escapes what Python escapes whether or not the line needs it (a plain line takes a shortcut)', () => {
    expect(repr(['', 'plain line', 'a"b', '😀 ok'])).toBe(`['', 'plain line', 'a"b', '😀 ok']`);
    expect(repr(['a\\b', 'tab\there', '\u0085', '\u007f', 'it\'s "x"'])).toBe(`['a\\\\b', 'tab\\there', '\\x85', '\\x7f', 'it\\'s "x"']`);
  });
});

describe('time', () => {
  const t = Date.UTC(2026, 10, 22, 9, 27, 37, 305);
  it('ISO-8601 with offset in the check zone, fraction omitted when zero', () => {
    expect(isoInZone(t, 'UTC')).toBe('2026-11-22T09:27:37.305000+00:00');
    expect(isoInZone(Date.UTC(2026, 10, 22, 9, 27, 37), 'Australia/Adelaide')).toBe('2026-11-22T19:57:37+10:30');
  });
  it('display format %d %b %Y %H:%M %Z', () => {
    expect(displayTime(t, 'Australia/Adelaide')).toBe('22 Nov 2026 19:57 ACDT');
    expect(displayTime(t, 'UTC')).toBe('22 Nov 2026 09:27 UTC');
    expect(displayTime(null, 'UTC')).toBe('');
  });
  it('parses ISO with and without offset and the legacy display format', () => {
    expect(parseLenientTime('2026-11-22T09:27:37.305378+00:00')).toBe(t);
    expect(parseLenientTime('14 Jan 2026 15:34 AEDT')).toBe(Date.UTC(2026, 0, 14, 4, 34));
    expect(parseLenientTime('14 Jan 2026 15:34 ACST')).toBe(Date.UTC(2026, 0, 14, 6, 4));
    expect(parseLenientTime('2026-01-14 15:34', 'Australia/Adelaide')).toBe(Date.UTC(2026, 0, 14, 5, 4));
    expect(parseLenientTime('not a date')).toBeNull();
    expect(parseLenientTime('2026-02-30T00:00:00Z')).toBeNull();
    expect(parseLenientTime(42)).toBeNull();
  });
  it('log stamps and zone names', () => {
    expect(logStamp(t, 'UTC')).toBe('2026-11-22 09:27:37,305');
    // the last stamp is kept: the same instant in another zone, and the next millisecond, are new stamps
    expect(logStamp(t, 'Australia/Adelaide')).toBe('2026-11-22 19:57:37,305');
    expect(logStamp(t + 1, 'Australia/Adelaide')).toBe('2026-11-22 19:57:37,306');
    expect(logStamp(t, 'UTC')).toBe('2026-11-22 09:27:37,305');
    expect(canonicalZone('australia/adelaide')).toBe('Australia/Adelaide');
    expect(canonicalZone('Nowhere/Else')).toBeNull();
  });
});

describe('host normalisation (spec §4.0)', () => {
  it('turns a MAC into its EUI-64 link-local address and scopes bare link-local addresses', () => {
    expect(normaliseHost('00:11:22:33:44:55')).toBe('fe80::211:22ff:fe33:4455%2');
    expect(normaliseHost('fe80::1')).toBe('fe80::1%2');
    expect(normaliseHost('mail.example.com')).toBe('mail.example.com');
  });
});
