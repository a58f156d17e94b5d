import { describe, expect, it } from 'vitest';
import { rendezvous, weight } from '../../src/zone/hrw.ts';
import { candidates, ownerOf, runsHere, type Placement, type ZoneView } from '../../src/zone/ownership.ts';
import { Members, decodeStatus } from '../../src/zone/members.ts';
import { normalizeZone, nodeName, ZoneSchema } from '../../src/zone/config.ts';
import { catchUp, decodeRecord, encodeRecord, MAX_RECORD_BYTES, sendTransition } from '../../src/zone/notified.ts';

const names = Array.from({ length: 3000 }, (_, i) => `check ${i}`);
const assign = (nodes: string[]): Map<string, string | null> => new Map(names.map((n) => [n, rendezvous(n, nodes)]));

describe('rendezvous hashing', () => {
  it.each([
    [[], null],
    [['a'], 'a'],
  ])('over %j gives %s', (nodes, want) => {
    expect(rendezvous('x', nodes)).toBe(want);
  });

  it('is deterministic and independent of the order of the nodes', () => {
    for (const n of names.slice(0, 200)) expect(rendezvous(n, ['a', 'b', 'c'])).toBe(rendezvous(n, ['c', 'a', 'b']));
    expect(weight('a', 'x')).toBe(weight('a', 'x'));
    expect(weight('a', 'x')).not.toBe(weight('b', 'x'));
  });

  it('spreads checks evenly over three nodes', () => {
    const counts = new Map<string, number>();
    for (const o of assign(['a', 'b', 'c']).values()) counts.set(o!, (counts.get(o!) ?? 0) + 1);
    for (const c of counts.values()) expect(c).toBeGreaterThan(850); // 1000 ± 15 %
  });

  it("moves only the leaving node's checks when a node leaves, and only ~1/N when one joins", () => {
    const three = assign(['a', 'b', 'c']);
    const two = assign(['a', 'b']);
    let moved = 0;
    for (const n of names) {
      if (three.get(n) !== 'c') expect(two.get(n)).toBe(three.get(n));
      else moved++;
    }
    expect(moved / names.length).toBeGreaterThan(0.28);
    expect(moved / names.length).toBeLessThan(0.39);
    const four = assign(['a', 'b', 'c', 'd']);
    let joined = 0;
    for (const n of names) {
      if (four.get(n) !== three.get(n)) {
        expect(four.get(n)).toBe('d'); // a join only takes checks to the new node
        joined++;
      }
    }
    expect(joined / names.length).toBeGreaterThan(0.2);
    expect(joined / names.length).toBeLessThan(0.3);
  });
});

describe('ownership', () => {
  const view = (o: Partial<ZoneView>): ZoneView => ({ self: 'a', live: ['a', 'b'], known: ['a', 'b'], inGrace: false, ...o });
  const check = (o: Partial<Placement>): Placement => ({ name: 'web', type: 'https', node: null, ...o });

  it.each<[string, Placement, ZoneView, string]>([
    ['a pinned check runs on its node', check({ node: 'b' }), view({}), 'b'],
    ['a pinned check stays on a dead node', check({ node: 'c' }), view({}), 'c'],
    ['a local type without node runs on every node', check({ type: 'disk' }), view({}), '*'],
    ['a local type with node is pinned', check({ type: 'exec', node: 'b' }), view({}), 'b'],
    ['a lone node owns everything', check({}), view({ live: [], known: [] }), 'a'],
  ])('%s', (_what, p, v, want) => {
    expect(ownerOf(p, v)).toBe(want);
    expect(runsHere(p, v)).toBe(want === '*' || want === v.self);
  });

  it('a movable check goes to the rendezvous winner of the live nodes, and this node always counts', () => {
    for (const n of names.slice(0, 300)) {
      expect(ownerOf(check({ name: n }), view({ live: ['b'] }))).toBe(rendezvous(n, ['a', 'b']));
    }
  });

  it('during the cold-start grace, known but dead nodes keep their checks; after it they are taken', () => {
    const alone = { self: 'a', live: [], known: ['b', 'c'] };
    expect(candidates({ ...alone, inGrace: true })).toEqual(['a', 'b', 'c']);
    expect(candidates({ ...alone, inGrace: false })).toEqual(['a']);
    const mine = names.filter((n) => runsHere(check({ name: n }), { ...alone, inGrace: true }));
    expect(mine.length).toBeGreaterThan(850);
    expect(mine.length).toBeLessThan(1150);
    expect(names.every((n) => runsHere(check({ name: n }), { ...alone, inGrace: false }))).toBe(true);
  });
});

describe('membership', () => {
  const up = (node: string, heartbeat = 10) => ({ node, state: 'up' as const, heartbeat });

  it("a node is dead after `misses` missed heartbeats, on the receiver's clock", () => {
    const m = new Members(3);
    expect(m.onStatus(up('b'), 0)).toBe(true);
    expect(m.live(30_000)).toEqual(['b']);
    expect(m.live(30_001)).toEqual([]);
    expect(m.nextExpiry(0)).toBe(30_001);
    expect(m.onStatus(up('b'), 29_000)).toBe(false); // a heartbeat in time changes nothing
    expect(m.live(59_000)).toEqual(['b']);
    expect(m.onStatus(up('b'), 70_000)).toBe(true); // back after it had expired
  });

  it('a "down" status (the will, or a clean stop) ends a node at once; a cleared status forgets it', () => {
    const m = new Members(3);
    m.onStatus(up('b'), 0);
    expect(m.onStatus({ node: 'b', state: 'down', heartbeat: 10, reason: 'connection lost' }, 1)).toBe(true);
    expect(m.live(2)).toEqual([]);
    expect(m.all()).toEqual(['b']);
    expect(m.view(2)).toMatchObject([{ name: 'b', status: 'down' }]);
    expect(m.forget('b')).toBe(true);
    expect(m.all()).toEqual([]);
  });

  it.each([
    ['', null],
    ['not json', null],
    ['[]', null],
    ['{"node":"a/b","state":"up"}', null],
    ['{"node":"a","state":"maybe"}', null],
    ['{"node":"a","state":"up","heartbeat":-1,"checks":2.5}', { node: 'a', state: 'up', heartbeat: 10, checks: undefined }],
    ['{"node":"a","state":"down","heartbeat":5,"reason":"shutdown"}', { node: 'a', state: 'down', heartbeat: 5, reason: 'shutdown' }],
  ])('decodes %j', (raw, want) => {
    const got = decodeStatus(Buffer.from(raw));
    if (want === null) expect(got).toBeNull();
    else expect(got).toMatchObject(want);
  });

  it('rejects an oversized status', () => {
    expect(decodeStatus(Buffer.from(JSON.stringify({ node: 'a', state: 'up', pad: 'x'.repeat(5000) })))).toBeNull();
  });
});

describe('zone config', () => {
  it('takes a name or an object, and names its problem', () => {
    expect(normalizeZone(ZoneSchema.parse('hq'))).toMatchObject({ name: 'hq', heartbeat: 10, misses: 3, grace: 30, topic: 'siteward/zone' });
    expect(normalizeZone(ZoneSchema.parse({ name: 'hq', heartbeat: 2 }))).toMatchObject({ name: 'hq', heartbeat: 2 });
    expect(normalizeZone(ZoneSchema.parse(null))).toBeNull();
    expect(ZoneSchema.safeParse('a/b').success).toBe(false);
    expect(ZoneSchema.safeParse({ name: 'hq', misses: 0 }).success).toBe(false);
  });

  it('names the node from the flag, then SITEWARD_NODE, then the host', () => {
    expect(nodeName('n1', { SITEWARD_NODE: 'x' }, 'h.example')).toBe('n1');
    expect(nodeName(undefined, { SITEWARD_NODE: 'x' }, 'h.example')).toBe('x');
    expect(nodeName(undefined, {}, 'h.example')).toBe('h');
    expect(nodeName('a/b#', {}, 'h')).toBe('a-b-');
  });
});

describe('notified records (exactly one notifier)', () => {
  const rec = (failing: boolean) => ({ failing, at: 1, node: 'b' });

  it.each<[string, ReturnType<typeof rec> | undefined, boolean, boolean]>([
    ['no record: send', undefined, true, true],
    ['a new state: send', rec(false), true, true],
    ['the state the zone already notified: not again', rec(true), true, false],
    ['a recovery already notified: not again', rec(false), false, false],
  ])('a transition: %s', (_w, r, failing, want) => {
    expect(sendTransition(r, failing)).toBe(want);
  });

  it.each<[string, ReturnType<typeof rec> | undefined, boolean, unknown]>([
    ['passing, nothing recorded: its first PASS may never have been sent: sent, possibly repeated', undefined, false, { send: true, repeated: true }],
    ['failing, nothing recorded: sent, possibly repeated', undefined, true, { send: true, repeated: true }],
    ['as recorded: nothing owed', rec(true), true, { send: false }],
    ['recovered before this node ran it: the PASS is owed', rec(true), false, { send: true, repeated: false }],
    ['failed before this node ran it: the FAIL is owed', rec(false), true, { send: true, repeated: false }],
  ])('after a run without a notification: %s', (_w, r, failing, want) => {
    expect(catchUp(r, failing)).toEqual(want);
  });

  it('decodes only well-formed records', () => {
    expect(decodeRecord(encodeRecord({ failing: true, at: 5, node: 'a' }))).toEqual({ failing: true, at: 5, node: 'a' });
    for (const bad of [
      '',
      'x',
      '{}',
      '{"failing":"yes","at":1,"node":"a"}',
      JSON.stringify({ failing: true, at: 1, node: 'a', pad: 'x'.repeat(MAX_RECORD_BYTES) }),
    ]) {
      expect(decodeRecord(Buffer.from(bad))).toBeNull();
    }
  });
});
