/**
 * MQTT pieces of the federation benchmarks: a site document with `n` remote
 * checks subscribed to a base topic, and fletchck wire payloads for them
 * (spec §7.3) whose log line carries a sequence number.
 */

export function remoteSite(o: { port: number; basetopic: string; clientid: string; checks: number }): Record<string, unknown> {
  const checks: Record<string, unknown> = {};
  // subType as the payloads say: no config save on the first message of each check
  for (let i = 0; i < o.checks; i++) checks[`r${i}`] = { type: 'remote', subType: 'tcp', trigger: null };
  return {
    scheduler: { jitter: 0 },
    webui: null,
    mqtt: { hostname: '127.0.0.1', port: o.port, basetopic: o.basetopic, clientid: o.clientid, persist: true, qos: 1, autoadd: false },
    checks,
  };
}

/** A steady PASS report of check `r<k % checks>`, as a fletchck or siteward peer publishes after each run. */
export function payload(k: number, checks: number, at = Date.now()): { topic: string; payload: Buffer } {
  const name = `r${k % checks}`;
  const iso = new Date(at).toISOString();
  const body = {
    name,
    type: 'tcp',
    data: { threshold: 1, failState: false, failCount: 0, log: [`seq ${k}`], softFail: null, lastCheck: iso, lastFail: null, lastPass: iso, level: null },
  };
  return { topic: `peer/${name}`, payload: Buffer.from(JSON.stringify(body)) };
}

/** The sequence number of a state whose log came from payload(). */
export function seqOf(log: readonly string[]): number | null {
  const m = /^seq (\d+)$/.exec(log[0] ?? '');
  return m ? Number(m[1]) : null;
}
