/**
 * The chaos run's scoring (chaos-score.ts), table-tested. The run itself
 * (chaos.test.ts: real processes on a real NATS cluster) is `npm run chaos`.
 */
import { describe, expect, it } from 'vitest';
import { doubleRuns, score, type Got } from './chaos-score.ts';

describe('chaos scoring', () => {
  const g = (state: string, id: string | null = null, marked = false, node = 'a', at = 0): Got => ({ state, id, marked, node, at });
  it.each([
    ['exactly once', ['PASS', 'FAIL', 'PASS'], [g('PASS', '1'), g('FAIL', '2'), g('PASS', '3')], { missed: 0, redelivered: 0, marked: 0, unmarked: 0 }],
    ['a missed FAIL', ['PASS', 'FAIL', 'PASS'], [g('PASS', '1'), g('PASS', '3')], { missed: 2, redelivered: 0, marked: 0, unmarked: 1 }],
    ['a missed last FAIL', ['PASS', 'FAIL'], [g('PASS', '1')], { missed: 1, redelivered: 0, marked: 0, unmarked: 0 }],
    ['a resend of the same id', ['PASS', 'FAIL'], [g('PASS', '1'), g('FAIL', '2'), g('FAIL', '2')], { missed: 0, redelivered: 1, marked: 0, unmarked: 0 }],
    ['a marked repeat', ['PASS', 'FAIL'], [g('PASS', '1'), g('FAIL', '2'), g('FAIL', '3', true)], { missed: 0, redelivered: 0, marked: 1, unmarked: 0 }],
    [
      'a marked notification, then an unmarked repeat of it (arrived in the other order)',
      ['PASS', 'FAIL'],
      [g('PASS', '1'), g('FAIL', '2', true, 'b'), g('FAIL', '3', false, 'a')],
      { missed: 0, redelivered: 0, marked: 1, unmarked: 0 },
    ],
    ['an unmarked repeat', ['PASS', 'FAIL'], [g('PASS', '1'), g('FAIL', '2'), g('FAIL', '3')], { missed: 0, redelivered: 0, marked: 0, unmarked: 1 }],
    [
      'an unmarked repeat from another node (a split brain, or a new owner just after a handover) fails too',
      ['PASS', 'FAIL'],
      [g('PASS', '1'), g('FAIL', '2', false, 'a', 150), g('FAIL', '3', false, 'c', 160)],
      { missed: 0, redelivered: 0, marked: 0, unmarked: 1 },
    ],
    [
      'an old state again, out of order, fails even when marked',
      ['PASS', 'FAIL', 'PASS'],
      [g('PASS', '1'), g('FAIL', '2'), g('PASS', '3'), g('FAIL', '4', true), g('PASS', '5')],
      { missed: 0, redelivered: 0, marked: 0, unmarked: 2 },
    ],
  ])('%s', (_, truth, got, want) => {
    expect(score(truth, got)).toEqual(want);
  });

  it('double runs: a handover is one slot, two owners make a period; partitions are told apart', () => {
    const runs = [
      // x: a hands over to b (one shared slot)
      ...[0, 1000, 2000].map((t) => ({ check: 'x', node: 'a', t: t + 100 })),
      ...[2000, 3000, 4000].map((t) => ({ check: 'x', node: 'b', t: t + 600 })),
      // y: a and b both run it for 3 s, then c (cut off) and a for 2 s
      ...[0, 1000, 2000].flatMap((t) => [
        { check: 'y', node: 'a', t },
        { check: 'y', node: 'b', t: t + 10 },
      ]),
      ...[10_000, 11_000].flatMap((t) => [
        { check: 'y', node: 'a', t },
        { check: 'y', node: 'c', t: t + 10 },
      ]),
    ];
    const d = doubleRuns(runs, 1000, [{ node: 'c', from: 9000, to: 20_000 }]);
    expect(d.map((x) => [x.check, x.to - x.from, x.partition, x.nodes.sort().join()])).toEqual([
      ['x', 1000, false, 'a,b'],
      ['y', 3000, false, 'a,b'],
      ['y', 2000, true, 'a,c'],
    ]);
  });
});
