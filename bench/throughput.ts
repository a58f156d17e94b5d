/**
 * Check throughput through the real runner: N `tcp` checks (plain connect,
 * then TLS handshake with full verification against a test CA) against local
 * servers in another process. Each round starts every check at once
 * (Site.runNow → runner: slot, timeout, state machine, SQLite commit, bus
 * events) and times until the last run is committed; checks/s = N / time.
 * Rounds: median. Run: node --import tsx bench/throughput.ts
 */
import { performance } from 'node:perf_hooks';
import { emit, figure, median, note, round } from './lib/report.ts';
import { startServers } from './lib/proc.ts';
import { openBenchSite, tcpChecks } from './lib/site.ts';

const N = Number(process.env.THROUGHPUT_CHECKS ?? 5000);
const ROUNDS = Number(process.env.THROUGHPUT_ROUNDS ?? 3);

const servers = await startServers();

async function measure(label: string, options: Record<string, unknown>): Promise<{ perSecond: number; rounds: number[]; failed: number }> {
  const b = await openBenchSite({ scheduler: { jitter: 0 }, webui: null, checks: tcpChecks(N, 'c', options) });
  const names = [...b.site.loaded.checks.keys()];
  const rates: number[] = [];
  let failed = 0;
  // one warm-up round: JIT, the first TLS contexts, SQLite pages
  for (let r = -1; r < ROUNDS; r++) {
    const t0 = performance.now();
    const states = await Promise.all(names.map((n) => b.site.runNow(n)));
    const ms = performance.now() - t0;
    if (r < 0) continue;
    failed += states.filter((s) => s?.failState !== false).length;
    rates.push(N / (ms / 1000));
    note(`${label} round ${r + 1}: ${N} checks in ${Math.round(ms)} ms = ${Math.round(N / (ms / 1000))}/s`);
  }
  await b.close();
  return { perSecond: median(rates), rounds: rates.map((x) => Math.round(x)), failed };
}

const tcp = await measure('tcp', { hostname: '127.0.0.1', port: servers.tcp });
const tls = await measure('tls', { hostname: 'localhost', port: servers.tls, tls: true, ca: servers.caFile });
await servers.close();

emit(
  'throughput',
  [
    figure({
      key: 'tcp_per_s',
      figure: 'throughput, TCP-connect check',
      target: '≥ 1,000 checks/s',
      value: Math.round(tcp.perSecond),
      unit: 'checks/s',
      better: 'higher',
      limit: 1000,
    }),
    figure({
      key: 'tls_per_s',
      figure: 'throughput, TLS-handshake check (verified)',
      target: 'report',
      value: Math.round(tls.perSecond),
      unit: 'checks/s',
      better: 'higher',
      limit: null,
    }),
  ],
  { checks: N, rounds: ROUNDS, tcp: { ...tcp, perSecond: round(tcp.perSecond, 0) }, tls: { ...tls, perSecond: round(tls.perSecond, 0) } },
);
