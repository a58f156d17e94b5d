/**
 * Issue 23, "exactly one notifier": the notified record lists what its node
 * queued and has not confirmed delivered (src/zone/notified.ts). Pure rules,
 * table-tested: what a node taking a check over owes, what a delivery
 * removes, the record's size limit, a malformed record, the keepalive that
 * makes a hung node's will arrive before three missed heartbeats, and the
 * "hears nobody" rule's input (Members.silent).
 */
import { describe, expect, it } from 'vitest';
import type { Notification } from '../../src/actions/types.ts';
import { zoneKeepalive } from '../../src/zone/config.ts';
import { Members } from '../../src/zone/members.ts';
import {
  decodeRecord,
  delivered,
  encodeRecord,
  MAX_RECORD_BYTES,
  MAX_UNDELIVERED,
  owed,
  possiblyRepeated,
  type NotifiedRecord,
  type Undelivered,
} from '../../src/zone/notified.ts';

const note = (at: number, state = 'FAIL', log: string[] = ['down']): Notification => ({
  site: 's',
  kind: 'transition',
  at,
  check: {
    name: 'web',
    type: 'https',
    state,
    failState: state === 'FAIL',
    softFail: null,
    level: null,
    log,
    summary: 'x',
    lastFail: null,
    lastPass: null,
    lastCheck: at,
    zone: null,
  },
});
const u = (at: number, actions = ['hook'], state = 'FAIL'): Undelivered => ({ actions, n: note(at, state) });
const rec = (node: string, undelivered?: Undelivered[]): NotifiedRecord => ({ failing: true, at: 1, node, undelivered });

describe('owed: what a node that took the check over sends again', () => {
  it.each<[string, NotifiedRecord | undefined, string[], number]>([
    ['no record', undefined, [], 0],
    ['a record of an older version (no list): all delivered', rec('c'), [], 0],
    ['everything delivered', rec('c', []), [], 0],
    ['the dead owner left one undelivered', rec('c', [u(5)]), ['b'], 1],
    ['the dead owner left two', rec('c', [u(5), u(6, ['hook'], 'PASS')]), [], 2],
    ['the owner is live: its outbox keeps delivering them', rec('c', [u(5)]), ['b', 'c'], 0],
    ["this node's own record: its outbox delivers them", rec('a', [u(5)]), [], 0],
  ])('%s', (_, r, live, want) => {
    expect(owed(r, 'a', live)).toHaveLength(want);
  });
});

describe('delivered: an action delivered (or gave up on) a notification', () => {
  const two = rec('a', [u(5, ['hook', 'mail']), u(6, ['hook'], 'PASS')]);
  it('removes the action; the entry goes with its last action', () => {
    const once = delivered(two, 'hook', 5, 'FAIL');
    expect(once.undelivered).toEqual([u(5, ['mail']), u(6, ['hook'], 'PASS')]);
    const twice = delivered(once, 'mail', 5, 'FAIL');
    expect(twice.undelivered).toEqual([u(6, ['hook'], 'PASS')]);
    expect(delivered(twice, 'hook', 6, 'PASS').undelivered).toEqual([]);
  });
  it.each<[string, string, number, string]>([
    ['another time', 'hook', 7, 'FAIL'],
    ['another state', 'hook', 5, 'PASS'],
    ['an action it was not queued for', 'sms', 5, 'FAIL'],
  ])('leaves the record as it is for %s', (_, action, at, state) => {
    expect(delivered(two, action, at, state)).toBe(two);
  });
});

describe('the record on the wire', () => {
  it('round-trips a record with undelivered notifications', () => {
    const r = rec('c', [u(5, ['hook', 'mail'])]);
    expect(decodeRecord(encodeRecord(r))).toEqual(r);
  });
  it(`keeps at most ${MAX_UNDELIVERED} entries (the newest) and stays under ${MAX_RECORD_BYTES} bytes by cutting long logs first`, () => {
    const many = rec(
      'c',
      Array.from({ length: MAX_UNDELIVERED + 4 }, (_, i) => ({
        actions: ['hook'],
        n: note(
          i,
          'FAIL',
          Array.from({ length: 50 }, () => 'y'.repeat(2000)),
        ),
      })),
    );
    const buf = encodeRecord(many);
    expect(buf.length).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    const back = decodeRecord(buf)!;
    expect(back.undelivered!.length).toBeGreaterThan(0);
    expect(back.undelivered!.length).toBeLessThanOrEqual(MAX_UNDELIVERED);
    expect(back.undelivered!.at(-1)!.n.at).toBe(MAX_UNDELIVERED + 3); // the newest kept
    expect(back.undelivered![0].n.check.log.length).toBeLessThanOrEqual(5);
  });
  it.each<[string, unknown]>([
    ['undelivered not a list', { failing: true, at: 1, node: 'c', undelivered: 'x' }],
    ['an entry without actions', { failing: true, at: 1, node: 'c', undelivered: [{ actions: [], n: note(1) }] }],
    ['a notification without a check', { failing: true, at: 1, node: 'c', undelivered: [{ actions: ['hook'], n: { site: 's', kind: 'transition', at: 1 } }] }],
    [
      'a log that is not strings',
      { failing: true, at: 1, node: 'c', undelivered: [{ actions: ['hook'], n: { ...note(1), check: { ...note(1).check, log: [1] } } }] },
    ],
    ['a test notification', { failing: true, at: 1, node: 'c', undelivered: [{ actions: ['hook'], n: { ...note(1), kind: 'test' } }] }],
  ])('drops a malformed record: %s', (_, v) => {
    expect(decodeRecord(Buffer.from(JSON.stringify(v)))).toBeNull();
  });
});

describe('possibly repeated lines', () => {
  it.each([
    ['takeover', /took this check over a moment ago/],
    ['cut-off', /has lost its connection to the zone/],
    ['alone', /hears no other node of the zone/],
  ] as const)('%s', (why, re) => {
    expect(possiblyRepeated('a', why)).toMatch(/^possibly repeated: node a /);
    expect(possiblyRepeated('a', why)).toMatch(re);
  });
});

describe('zone keepalive: the broker drops a hung node (1.5 × keepalive) before three heartbeats are missed', () => {
  it.each([
    [10, 10],
    [0.05, 5],
    [1, 5],
    [30, 30],
    [3600, 60],
  ])('heartbeat %s s: keepalive %s s', (hb, want) => {
    expect(zoneKeepalive(hb)).toBe(want);
  });
  it('the will comes before 3 missed heartbeats for the default and common heartbeats', () => {
    for (const hb of [5, 10, 20, 30]) expect(1.5 * zoneKeepalive(hb)).toBeLessThan(3 * hb);
  });
});

describe('Members.silent: nodes whose last word was "up" and that went quiet (not "down")', () => {
  it('lists a node that stopped heartbeating, not one that said down, nor a live one', () => {
    const m = new Members(3);
    m.onStatus({ node: 'b', state: 'up', heartbeat: 1 }, 0);
    m.onStatus({ node: 'c', state: 'up', heartbeat: 1 }, 0);
    m.onStatus({ node: 'd', state: 'up', heartbeat: 1 }, 0);
    m.onStatus({ node: 'd', state: 'down', heartbeat: 1, reason: 'connection lost' }, 100);
    m.onStatus({ node: 'c', state: 'up', heartbeat: 1 }, 3000);
    expect(m.silent(2000)).toEqual([]);
    expect(m.silent(3001)).toEqual(['b']);
    expect(m.silent(6001)).toEqual(['b', 'c']);
  });
});
