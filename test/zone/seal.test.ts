/**
 * The zone key's envelope and guard, pure (src/zone/seal.ts, guard.ts):
 * keys and their ids, what a tampered, moved or foreign message becomes,
 * replay marks, rate-limited logging, "hears only rejected messages", and
 * the reader that fleet instances use.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isSecret, type Json } from '../../src/config/marks.ts';
import { ZoneObjectSchema } from '../../src/zone/config.ts';
import { captureLogger } from '../federation/helpers.ts';
import { ZoneGuard } from '../../src/zone/guard.ts';
import { isSealed, open, parseKeys, seal, type ZoneKey } from '../../src/zone/seal.ts';

const A = 'a'.repeat(32);
const B = 'b'.repeat(40);
const keysOf = (s: string): ZoneKey[] => {
  const p = parseKeys(s);
  if ('error' in p) throw new Error(p.error);
  return p.keys;
};
const BASE = 'sw/zone/hq/';

describe('zone keys', () => {
  it('zone.key is a reference only ({"file"} or {"env"}), marked as a secret for the registry-driven redaction', () => {
    const key = (z.toJSONSchema(ZoneObjectSchema) as { properties: Record<string, Json> }).properties.key!;
    expect(isSecret(key)).toBe(true);
    expect(ZoneObjectSchema.safeParse({ name: 'hq', key: 'the-key-itself-aaaaaaaaaaaaaaaaaaaaaaa' }).success).toBe(false);
    expect(ZoneObjectSchema.parse({ name: 'hq', key: { file: 'zone.key' } }).key).toEqual({ file: 'zone.key' });
    expect(ZoneObjectSchema.parse({ name: 'hq' }).key).toBeNull();
  });

  it.each([
    ['', /empty/],
    ['short', /key 1 of the zone key has 5 characters, at least 32/],
    [`${A} tiny`, /key 2 of the zone key has 4 characters/],
    [Array.from({ length: 9 }, (_, i) => `${i}`.repeat(32)).join('\n'), /9 keys, at most 8/],
  ])('%j is refused: %s', (secret, why) => {
    const p = parseKeys(secret);
    expect('error' in p && p.error).toMatch(why);
    if ('error' in p) expect(p.error).not.toContain(secret.slice(0, 32) || 'x'.repeat(99));
  });

  it('several keys, the first seals; ids are stable, distinct, and say nothing of the key', () => {
    const [a, b] = keysOf(`${A}\n${B}\n${A}`);
    expect(keysOf(`${A}\n${B}\n${A}`)).toHaveLength(2);
    expect(a!.id).toMatch(/^[0-9a-f]{16}$/);
    expect(a!.id).toBe(keysOf(A)[0]!.id);
    expect(a!.id).not.toBe(b!.id);
  });
});

describe('the envelope', () => {
  const [k] = keysOf(A);
  const body = Buffer.from('{"rev":3}');
  it.each(['E', 'S'] as const)('mode %s opens with the key, and any changed byte, another topic or another key fails', (mode) => {
    const wire = seal(k!, mode, `${BASE}config`, 'n1', body);
    expect(isSealed(wire)).toBe(true);
    expect(wire.includes('"rev"')).toBe(mode === 'S');
    expect(open([k!], `${BASE}config`, wire)).toMatchObject({ ok: true, verified: true, sender: 'n1', body });
    for (let i = 4; i < wire.length; i++) {
      const bad = Buffer.from(wire);
      bad[i] ^= 1;
      expect(open([k!], `${BASE}config`, bad).ok && (open([k!], `${BASE}config`, bad) as { verified: boolean }).verified, `byte ${i}`).toBe(false);
    }
    expect(open([k!], `${BASE}node/n1`, wire)).toEqual({ ok: false, why: 'bad tag', keyId: k!.id });
    expect(open(keysOf(B), `${BASE}config`, wire)).toMatchObject(mode === 'E' ? { ok: false, why: 'unknown key' } : { ok: true, verified: false });
  });
});

describe('the guard', () => {
  const node = (name: string, keys: ZoneKey[], now = () => 0) => {
    const { log, lines } = captureLogger();
    const warned: string[] = [];
    return { g: new ZoneGuard({ base: BASE, node: name, keys, now, quietMs: 1000, log, warn: (m) => warned.push(m) }), lines, warned };
  };

  it('seals only its zone; rejects unsigned, foreign and replayed messages of its zone; passes other topics', () => {
    const a = node('a', keysOf(A)).g;
    const { g: b, lines } = node('b', keysOf(A));
    expect(a.seal('fletchck/x/y', 'plain')).toBe('plain');
    const rev = (n: number) => a.seal(`${BASE}config`, JSON.stringify({ rev: n })) as Buffer;
    expect(b.open(`${BASE}config`, rev(5))?.toString()).toBe('{"rev":5}');
    expect(b.open(`${BASE}config`, rev(5))?.toString()).toBe('{"rev":5}'); // the same revision again (a retained copy, a resend): fine
    expect(b.open(`${BASE}config`, rev(4))).toBeNull();
    // the broker's retained copy, sent at subscribe time and overtaken by a newer live message: dropped, not a replay
    expect(b.open(`${BASE}config`, rev(3), true)).toBeNull();
    const rec = (at: number, check = 'web') => a.seal(`${BASE}notified/${check}`, JSON.stringify({ failing: true, at, node: 'a' })) as Buffer;
    expect(b.open(`${BASE}notified/web`, rec(200))).not.toBeNull();
    expect(b.open(`${BASE}notified/web`, rec(100))).toBeNull();
    expect(b.open(`${BASE}notified/other`, rec(100, 'other'))).not.toBeNull(); // each check's record has its own mark
    expect(b.open(`${BASE}config`, Buffer.from('{"rev":9}'))).toBeNull();
    expect(b.open('fletchck/x/y', Buffer.from('{}'))?.toString()).toBe('{}');
    expect(b.trust()).toMatchObject({ authenticated: true, verified: 4, rejected: { replay: 2, unsigned: 1 } });
    // one log line per reason within 10 s
    expect(lines.filter((l) => l.msg === 'zone: message rejected and dropped').map((l) => l.why)).toEqual([
      'older than one already seen (a replay)',
      'not signed with the zone key',
    ]);
  });

  it("its own message coming back after another node's newer one is dropped, not counted as a replay; a second copy of it is one", () => {
    // a and b publish a config revision at the same moment (the auth test's zone forming on a loaded machine): the broker
    // takes a's revision 2 first, then b's revision 1 comes back to b
    const a = node('a', keysOf(A)).g;
    const { g: b, lines } = node('b', keysOf(A));
    const t = `${BASE}config`;
    const mine = b.seal(t, JSON.stringify({ rev: 1 })) as Buffer;
    expect(b.open(t, a.seal(t, JSON.stringify({ rev: 2 })) as Buffer)?.toString()).toBe('{"rev":2}');
    expect(b.open(t, mine)).toBeNull();
    expect(b.trust().rejected.replay).toBe(0);
    expect(lines.filter((l) => l.msg === 'zone: message rejected and dropped')).toEqual([]);
    // the same envelope again is a replay (someone re-sent a copy), and so is another node's older revision
    expect(b.open(t, mine)).toBeNull();
    expect(b.open(t, a.seal(t, JSON.stringify({ rev: 1 })) as Buffer)).toBeNull();
    expect(b.trust().rejected.replay).toBe(2);
    // its own notified record overtaken the same way
    const r = `${BASE}notified/web`;
    const rec = b.seal(r, JSON.stringify({ failing: true, at: 100, node: 'b' })) as Buffer;
    expect(b.open(r, a.seal(r, JSON.stringify({ failing: true, at: 200, node: 'a' })) as Buffer)).not.toBeNull();
    expect(b.open(r, rec)).toBeNull();
    expect(b.trust().rejected.replay).toBe(2);
  });

  it('says once that it hears only rejected messages, after three in a row and a quiet period, and once that it hears again', () => {
    let now = 0;
    const a = node('a', keysOf(A)).g;
    const { g: c, warned } = node('c', keysOf(B), () => now);
    const status = () => a.seal(`${BASE}node/a`, '{"state":"up"}') as Buffer;
    for (let i = 0; i < 3; i++) c.open(`${BASE}node/a`, status());
    expect(c.onlyRejected).toBe(false); // not yet quiet for long enough
    now = 1000;
    for (let i = 0; i < 5; i++) c.open(`${BASE}node/a`, status());
    expect(c.trust()).toMatchObject({ onlyRejected: true, rejected: { 'unknown key': 8 } });
    expect(c.trust().warning).toMatch(/hears only rejected zone messages/);
    expect(warned).toHaveLength(1);
    const d = node('d', keysOf(B)).g;
    expect(c.open(`${BASE}node/d`, d.seal(`${BASE}node/d`, '{}') as Buffer)).not.toBeNull();
    expect(c.onlyRejected).toBe(false);
    expect(warned).toEqual([expect.stringMatching(/hears only rejected/), expect.stringMatching(/hears verified zone messages again/)]);
  });

  it('without a key: passes plain messages, says the zone is unauthenticated, cannot read encrypted ones; a reader unwraps readable ones', () => {
    const a = node('a', keysOf(A)).g;
    const plain = node('p', []).g;
    expect(plain.seal(`${BASE}config`, 'x')).toBe('x');
    expect(plain.open(`${BASE}config`, Buffer.from('{"rev":1}'))).not.toBeNull();
    expect(plain.open(`${BASE}config`, a.seal(`${BASE}config`, '{}') as Buffer)).toBeNull();
    expect(plain.trust()).toMatchObject({ authenticated: false, rejected: { 'no key': 1 } });
    expect(plain.trust().warning).toMatch(/unauthenticated/);
    const fleet = ZoneGuard.reader();
    expect(fleet.open(`${BASE}view/web`, a.seal(`${BASE}view/web`, '{"state":"PASS"}') as Buffer)?.toString()).toBe('{"state":"PASS"}');
    expect(fleet.open(`${BASE}state/web`, a.seal(`${BASE}state/web`, '{}') as Buffer)).toBeNull();
    expect(fleet.trust().rejected).toMatchObject({ 'no key': 0, 'unknown key': 0 });
  });
});
