/**
 * Config replication's pure part (src/zone/replica-doc.ts): the shared part
 * of a site file, its canonical hash, the config message and the three-way
 * merge of concurrent edits.
 */
import { describe, expect, it } from 'vitest';
import { decodeConfig, encodeConfig, hashShared, merge3, newer, sharedPart, withLocal, type ConfigMessage } from '../../src/zone/replica-doc.ts';
import { serializeSite } from '../../src/config/serialize.ts';

const doc = {
  scheduler: { jitter: 0 },
  mqtt: { hostname: 'nats-1', port: 1883 },
  zone: 'hq',
  webui: { hostname: '0.0.0.0', port: 8080, theme: 'dark' },
  checks: { web: { type: 'https', options: { hostname: 'a.test' }, data: { failState: true } } },
  actions: { mail: { type: 'email' } },
};

describe('sharedPart', () => {
  it("keeps checks, actions and settings, and leaves each node's broker, zone, listener and runtime data out", () => {
    const s = sharedPart(doc);
    expect(s.mqtt).toBeUndefined();
    expect(s.zone).toBeUndefined();
    expect(s.webui).toEqual({ theme: 'dark' });
    expect((s.checks as Record<string, Record<string, unknown>>).web.data).toBeUndefined();
    expect((s.checks as Record<string, Record<string, unknown>>).web.options).toEqual({ hostname: 'a.test' });
    expect(s.actions).toEqual(doc.actions);
    expect(s.scheduler).toEqual({ jitter: 0 });
  });

  it('hashes a hand-written file and the same file as the site saves it alike', () => {
    const saved = JSON.parse(serializeSite({ doc, base: '/somewhere', data: () => ({ failState: false }), log: ['a line'] })) as Record<string, unknown>;
    expect(hashShared(sharedPart(saved))).toBe(hashShared(sharedPart(doc)));
    expect(hashShared(sharedPart({ ...doc, checks: { web: { type: 'https', options: { hostname: 'b.test' } } } }))).not.toBe(hashShared(sharedPart(doc)));
  });

  it("withLocal puts this node's own keys back", () => {
    const mine = { ...doc, mqtt: { hostname: 'nats-2' }, webui: { port: 9090 } };
    const out = withLocal(sharedPart(doc), mine);
    expect(out.mqtt).toEqual({ hostname: 'nats-2' });
    expect(out.webui).toEqual({ theme: 'dark', port: 9090 });
    expect(out.zone).toBe('hq');
  });
});

describe('merge3', () => {
  const base = { checks: { a: { x: 1 }, b: { x: 1 } }, actions: {}, scheduler: { jitter: 0 } };
  it.each([
    ['only ours changed a check', { checks: { a: { x: 2 }, b: { x: 1 } } }, { checks: { a: { x: 1 }, b: { x: 1 } } }, { a: { x: 2 }, b: { x: 1 } }, []],
    ['each changed another check', { checks: { a: { x: 2 }, b: { x: 1 } } }, { checks: { a: { x: 1 }, b: { x: 3 } } }, { a: { x: 2 }, b: { x: 3 } }, []],
    [
      'both changed the same check: theirs wins, a conflict',
      { checks: { a: { x: 2 }, b: { x: 1 } } },
      { checks: { a: { x: 3 }, b: { x: 1 } } },
      { a: { x: 3 }, b: { x: 1 } },
      ['checks.a'],
    ],
    [
      'ours added, theirs removed another',
      { checks: { a: { x: 1 }, b: { x: 1 }, c: { x: 1 } } },
      { checks: { a: { x: 1 } } },
      { a: { x: 1 }, c: { x: 1 } },
      [],
    ],
    ['both made the same change', { checks: { a: { x: 5 }, b: { x: 1 } } }, { checks: { a: { x: 5 }, b: { x: 1 } } }, { a: { x: 5 }, b: { x: 1 } }, []],
  ])('%s', (_n, ours, theirs, checks, conflicts) => {
    const r = merge3(base, { ...base, ...ours }, { ...base, ...theirs });
    expect(r.doc.checks).toEqual(checks);
    expect(r.conflicts).toEqual(conflicts);
  });

  it('without a base every difference is a conflict that the newer revision wins', () => {
    const r = merge3(null, { checks: { a: { x: 1 } } }, { checks: { a: { x: 2 } } });
    expect(r.doc.checks).toEqual({ a: { x: 2 } });
    expect(r.conflicts).toEqual(['checks.a']);
  });
});

describe('the config message', () => {
  const shared = sharedPart(doc);
  const m: ConfigMessage = { v: 1, rev: 3, node: 'hq-1', hash: hashShared(shared), parent: '', at: 1, renamed: [['old', 'web']], doc: shared };

  it('round-trips', () => {
    const d = decodeConfig(encodeConfig(m), 1_000_000);
    expect(d.ok && d.message).toEqual(m);
  });

  it.each([
    ['not JSON', Buffer.from('nope'), /not JSON/],
    ['too large', encodeConfig(m), /more than the limit of 10/, 10],
    ['a wrong hash', encodeConfig({ ...m, hash: 'x' }), /hash does not match/],
    ['a bad revision', encodeConfig({ ...m, rev: 0 }), /rev is not a positive integer/],
    ['a bad node name', encodeConfig({ ...m, node: 'a/b' }), /node is not a node name/],
    ['an unknown version', Buffer.from(JSON.stringify({ ...m, v: 2 })), /unknown version 2/],
    ['a bad rename list', Buffer.from(JSON.stringify({ ...m, renamed: [['a']] })), /renamed is not a list/],
  ])('refuses %s with a reason', (_n, buf, why, max = 1_000_000) => {
    const d = decodeConfig(buf, max);
    expect(d.ok).toBe(false);
    expect(!d.ok && d.why).toMatch(why);
  });

  it('orders revisions by number, then by node name', () => {
    expect(newer({ rev: 2, node: 'a' }, { rev: 1, node: 'z' })).toBe(true);
    expect(newer({ rev: 2, node: 'b' }, { rev: 2, node: 'a' })).toBe(true);
    expect(newer({ rev: 2, node: 'a' }, { rev: 2, node: 'b' })).toBe(false);
    expect(newer({ rev: 1, node: 'a' }, null)).toBe(true);
  });
});
