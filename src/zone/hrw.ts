/**
 * Rendezvous (highest-random-weight) hashing, Thaler & Ravishankar 1998: a
 * check belongs to the node with the highest hash of (node, check). Every
 * node computes the same answer from the same member list, with no election,
 * and when a node joins or leaves only the checks it wins or held move
 * (about 1/N of them). Pure: table-tested in test/zone/hrw.test.ts.
 */
import { createHash } from 'node:crypto';

/** The weight of `node` for `key`: the first 48 bits of SHA-256(node NUL key). */
export function weight(node: string, key: string): number {
  return createHash('sha256').update(`${node}\u0000${key}`).digest().readUIntBE(0, 6);
}

/** The node that owns `key` among `nodes`, or null when there is none. Ties (never in practice) go to the smaller name. */
export function rendezvous(key: string, nodes: Iterable<string>): string | null {
  let best: string | null = null;
  let bestW = -1;
  for (const n of nodes) {
    const w = weight(n, key);
    if (w > bestW || (w === bestW && best !== null && n < best)) {
      best = n;
      bestW = w;
    }
  }
  return best;
}
