/**
 * Issue 23's chaos run (test/zone/chaos-run.ts, docs/ha.md "Chaos run"): in
 * `npm test` a short run (CHAOS_SECONDS, default 30); `npm run chaos` runs
 * it for 90 s. Each node has its own NATS server first and the other two in
 * `mqtt.servers`. Asserted: 0 missed transitions; every repeat is the same
 * notification sent again by a node killed while sending it, or marked
 * "possibly repeated" (chaos-score.ts: no other kind is tolerated); outside
 * the time a node's NATS server is down no check runs on two nodes longer
 * than a handover; at the end the nodes converge (each sees the others,
 * each check runs on its owner alone).
 * The seed is printed (CHAOS_SEED replays the choices).
 */
import { describe, expect, it } from 'vitest';
import { describeDaemon } from '../servers/common.ts';
import { NATS_SERVER } from '../servers/nats.ts';
import { assertBuilt } from '../federation/procs.ts';
import { runChaos } from './chaos-run.ts';
import { doubleRuns, score, type Got } from './chaos-score.ts';

const seconds = Number(process.env.CHAOS_SECONDS ?? 30);
// `npm test` replays one known seed (12345: a node killed and restarted, a NATS server killed and
// restarted); `npm run chaos` draws a new one each time (CHAOS_RANDOM=1). Seed 777 (two NATS servers
// killed one after the other) still splits the zone: docs/ha.md "Chaos run".
const seed = process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : process.env.CHAOS_RANDOM ? Math.floor(Math.random() * 2 ** 31) : 12345;
/** a handover: the old owner's last run and the new owner's first fall in one or two 1 s slots */
const HANDOVER_MS = 2000;

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

describeDaemon('zone chaos run: nodes and a NATS server killed at random while checks flip (real processes)', [NATS_SERVER], () => {
  it(
    `${seconds} s of chaos: every transition notified, every repeat redelivered or marked, no double runs outside partitions, converged`,
    async () => {
      assertBuilt();
      console.log(`chaos: seed ${seed} (CHAOS_SEED=${seed} replays it), ${seconds} s`);
      const r = await runChaos({ seed, durationMs: seconds * 1000, services: 4, dwellMs: 10_000 });
      const long = r.doubleRuns.filter((d) => d.to - d.from > HANDOVER_MS);
      const summary = {
        seed: r.seed,
        seconds,
        transitions: r.transitions,
        notifications: r.notifications,
        missed: r.missed,
        redelivered: r.redelivered,
        marked: r.marked,
        unmarked: r.unmarked,
        doubleRunSlots: r.doubleRuns.length - long.length,
        doubleRunsInPartitions: long.filter((d) => d.partition).length,
        doubleRunsElsewhere: long.filter((d) => !d.partition).length,
        converged: r.converged,
      };
      console.log(`chaos result: ${JSON.stringify(summary)}`);
      const detail = `seed ${seed}\n${r.events.join('\n')}\n${JSON.stringify(r.perCheck, null, 1)}\n${JSON.stringify(long)}`;
      expect(r.missed, detail).toBe(0);
      expect(r.unmarked, detail).toBe(0);
      expect(
        long.filter((d) => !d.partition),
        detail,
      ).toEqual([]);
      expect(r.converged, `${detail}\n${r.convergence}`).toBe(true);
      expect(r.transitions).toBeGreaterThanOrEqual(4);
    },
    (seconds + 420) * 1000,
  );
});
