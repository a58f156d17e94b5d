/**
 * The ingest path in-process, without a broker (issue 20): 20,000 fletchck
 * state messages for 1,000 remote checks, each a transition, decoded
 * (`decodeMessage`) and applied (`Site.applyRemote`: state machine, commit
 * of the turn in SQLite, log lines through the daemon's turn-buffered logger
 * to /dev/null, site log, bus) in turns of 20 messages, as Mosquitto hands
 * a 3.1.1 client a backlog. One warm-up pass, then the measured pass; prints
 * the process's CPU time per transition (steadier than wall time on a
 * loaded machine). mqtt.js's parser and PUBACK are not in it (the
 * side-by-side ingest measures them).
 *
 * Run: node --import tsx bench/ingest-probe.ts
 * SW_ROOT=<another checkout> compares another tree's src/ (e.g. `git archive`
 * of an older commit with this node_modules linked in).
 */
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { transitionPayload } from './lib/remote-state.ts';

const ROOT = resolve(process.env.SW_ROOT ?? join(import.meta.dirname, '..'));
const N = Number(process.env.MESSAGES ?? 20_000);
const CHECKS = Number(process.env.REMOTE_CHECKS ?? 1000);
const TURN = Number(process.env.TURN ?? 20);

const { openSite } = (await import(join(ROOT, 'src/wiring.ts'))) as typeof import('../src/wiring.ts');
const { decodeMessage } = (await import(join(ROOT, 'src/federation/payload.ts'))) as typeof import('../src/federation/payload.ts');
const { createLogger } = (await import(join(ROOT, 'src/log.ts'))) as typeof import('../src/log.ts');

const dir = mkdtempSync(join(tmpdir(), 'sw-bench-probe-'));
const checks: Record<string, unknown> = {};
for (let i = 0; i < CHECKS; i++) checks[`r${i}`] = { type: 'remote', subType: 'tcp', trigger: null };
writeFileSync(join(dir, 'site.json'), JSON.stringify({ scheduler: { jitter: 0 }, webui: null, checks }));
const site = await openSite({ configPath: join(dir, 'site.json'), dbPath: join(dir, 'state.db'), log: createLogger('info', openSync('/dev/null', 'w')) });
await site.start();

// message k makes check r<k % CHECKS> change state: PASS, then FAIL a round later, …
const msgs: Buffer[] = [];
for (let k = 0; k < N; k++) msgs.push(transitionPayload(k, CHECKS).payload);

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));
async function pass(): Promise<void> {
  for (let k = 0; k < N; k += TURN) {
    for (let j = k; j < Math.min(N, k + TURN); j++) {
      const m = decodeMessage(msgs[j]!, { maxBytes: 256 * 1024 });
      if (!m.ok) throw new Error(m.detail);
      site.applyRemote(m.name, m.data);
    }
    await turn();
  }
  await turn();
}

try {
  // a pass over an even number of rounds ends where it began: the measured pass changes every check's state again
  await pass();
  const c0 = process.cpuUsage();
  await pass();
  const c = process.cpuUsage(c0);
  console.log(JSON.stringify({ bench: 'ingest-probe', root: ROOT, messages: N, cpuUsPerTransition: Math.round(((c.user + c.system) / N) * 10) / 10 }));
} finally {
  await site.stop();
  rmSync(dir, { recursive: true, force: true });
}
