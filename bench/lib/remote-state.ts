/**
 * The fletchck state message (spec §7.3) of a remote check, as the ingest
 * benchmarks send it: message k of a backlog makes check r<k % n> change
 * state (round 0 PASS — checks start FAIL —, round 1 FAIL, …).
 */

/** A fletchck state message of remote check `name`. */
export function statePayload(name: string, failing: boolean, k: number): { topic: string; payload: Buffer } {
  const iso = new Date().toISOString();
  const data = {
    threshold: 1,
    failState: failing,
    failCount: failing ? 1 : 0,
    log: [failing ? `seq ${k} connection refused` : `seq ${k}`],
    softFail: null,
    lastCheck: iso,
    lastFail: failing ? iso : null,
    lastPass: failing ? null : iso,
    level: null,
  };
  return { topic: `peer/${name}`, payload: Buffer.from(JSON.stringify({ name, type: 'tcp', data })) };
}

/** Message k of the backlog: check r<k % n>, a state change each. */
export function transitionPayload(k: number, n: number): { topic: string; payload: Buffer } {
  return statePayload(`r${k % n}`, Math.floor(k / n) % 2 === 1, k);
}
