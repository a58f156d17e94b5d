/**
 * How the chaos run (chaos-run.ts, docs/ha.md "Chaos run") is judged, pure
 * and table-tested in chaos.test.ts:
 * - notifications: each check's arrivals against the true sequence of its
 *   server's states (missed, redelivered, marked, unmarked). Issue 23's
 *   rule: "0 missed; duplicates only where a node died mid-send, and those
 *   are marked". A repeat is either the same notification id again (the
 *   outbox resending after its node was killed mid-send) or marked
 *   "possibly repeated"; anything else is `unmarked`, a failure, whoever
 *   sent it and whenever (no tolerated kinds);
 * - double runs: two nodes running the same check in the same period, from
 *   the nodes' own run histories.
 * A "partition" is the time a NATS server is down, for every node (chaos-run.ts:
 * any node may be on it, and the cluster's JetStream streams move their
 * leaders); double runs are reported with it.
 */

/** One notification as the webhook receiver saw it. */
export interface Got {
  state: string;
  /** the notification id (the outbox sends the same id again after a restart) */
  id: string | null;
  /** the message says "possibly repeated" */
  marked: boolean;
  /** the node that sent it (its X-Chaos-Node header, chaos-run.ts) */
  node: string;
  /** ms, arrival */
  at: number;
}

/** A node's NATS server down from `from` to `to` (ms), slack included. */
export interface Partition {
  node: string;
  from: number;
  to: number;
}

export interface Score {
  missed: number;
  /** the same notification id again: its node died while sending it */
  redelivered: number;
  /** a repeat marked "possibly repeated" */
  marked: number;
  /** a repeat (or an out-of-order notification) neither redelivered nor marked: a failure */
  unmarked: number;
}

/** The longest common subsequence length (missed = truth − LCS with the deduplicated arrivals). */
function lcs(a: readonly string[], b: readonly string[]): number {
  const d = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i][j] = a[i - 1] === b[j - 1] ? d[i - 1][j - 1] + 1 : Math.max(d[i - 1][j], d[i][j - 1]);
  return d[a.length][b.length];
}

/** One check's arrivals against its true states (the first PASS included). */
export function score(truth: readonly string[], got: readonly Got[]): Score {
  const seenIds = new Set<string>();
  const dedup: Got[] = [];
  const s: Score = { missed: 0, redelivered: 0, marked: 0, unmarked: 0 };
  for (const g of got) {
    if (g.id !== null && seenIds.has(g.id)) {
      s.redelivered++;
      continue;
    }
    if (g.id !== null) seenIds.add(g.id);
    const prev = dedup.at(-1);
    if (prev && prev.state === g.state) {
      // one of the two says "possibly repeated" (they may arrive in either order): the receiver was told
      if (g.marked || prev.marked) s.marked++;
      else s.unmarked++;
      continue;
    }
    dedup.push(g);
  }
  const states = dedup.map((g) => g.state);
  const common = lcs(truth, states);
  s.missed = truth.length - common;
  // notifications out of the true order stand for nothing: a bug
  s.unmarked += states.length - common;
  return s;
}

export interface Run {
  check: string;
  node: string;
  /** ms */
  t: number;
}

export interface DoubleRun {
  check: string;
  nodes: string[];
  from: number;
  to: number;
  /** it overlaps a partition of one of its nodes */
  partition: boolean;
}

/**
 * Periods in which two or more nodes ran the same check: runs are put in
 * `bucketMs` slots (the check's interval); consecutive slots with runs from
 * two nodes make one period. A handover shows as one or two such slots (the
 * old owner's last run and the new owner's first); longer means both ran it.
 */
export function doubleRuns(runs: readonly Run[], bucketMs: number, partitions: readonly Partition[] = []): DoubleRun[] {
  const by = new Map<string, Map<number, Set<string>>>();
  for (const r of runs) {
    let m = by.get(r.check);
    if (!m) by.set(r.check, (m = new Map()));
    const b = Math.floor(r.t / bucketMs);
    let s = m.get(b);
    if (!s) m.set(b, (s = new Set()));
    s.add(r.node);
  }
  const out: DoubleRun[] = [];
  for (const [check, m] of by) {
    const doubles = [...m.entries()].filter(([, s]) => s.size > 1).sort(([a], [b]) => a - b);
    let cur: DoubleRun | null = null;
    for (const [b, s] of doubles) {
      if (cur && b * bucketMs <= cur.to) {
        cur.to = (b + 1) * bucketMs;
        for (const n of s) if (!cur.nodes.includes(n)) cur.nodes.push(n);
        continue;
      }
      cur = { check, nodes: [...s], from: b * bucketMs, to: (b + 1) * bucketMs, partition: false };
      out.push(cur);
    }
  }
  for (const d of out) d.partition = partitions.some((p) => d.nodes.includes(p.node) && d.from <= p.to && d.to >= p.from);
  return out;
}
