/**
 * Server time of the home page and the checks page with 10,000 checks
 * (+100 sequences), through the web app's request handler (`app.request()`:
 * routing, session, CSRF token, view models, JSX rendering; no socket).
 * Every check shown on the first page and on page 40 has a settled history
 * (24 h of 1-minute runs, 5-minute buckets for 3 days, hourly for 30 days:
 * bench/lib/web.ts fillHistory), so the heartbeat bars and uptime figures
 * read what a real site holds.
 * Median of 15 requests after 3 warm-ups. Run: node --import tsx bench/web-pages.ts
 */
import { performance } from 'node:perf_hooks';
import { dist, emit, figure, median, note, round } from './lib/report.ts';
import { webBench } from './lib/web.ts';
import { buildList, parseQuery } from '../src/web/checklist.ts';

const N = Number(process.env.CHECKS ?? 10_000);
const REQUESTS = Number(process.env.REQUESTS ?? 15);
const w = await webBench(N, 'vera', {
  history: (site) =>
    [1, 40].flatMap((page) =>
      buildList(site, { ...parseQuery(() => undefined), page }).sections.flatMap((s) => [...(s.seq ? [s.seq] : []), ...s.rows.map((r) => r.vm.name)]),
    ),
});

/**
 * Wall time per request, and the CPU time this process spent on it (user +
 * system): on a shared, loaded machine the wall time grows with the load,
 * the CPU time much less.
 */
async function time(path: string): Promise<{ ms: number[]; cpu: number[]; bytes: number }> {
  const ms: number[] = [];
  const cpu: number[] = [];
  let bytes = 0;
  for (let i = -3; i < REQUESTS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const res = await w.agent.get(path);
    const text = await res.text();
    const t = performance.now() - t0;
    const c = process.cpuUsage(c0);
    if (res.status !== 200) throw new Error(`${path}: ${res.status}`);
    bytes = text.length;
    if (i >= 0) {
      ms.push(t);
      cpu.push((c.user + c.system) / 1000);
    }
  }
  note(`${path}: ${JSON.stringify(dist(ms))} ms, CPU ${JSON.stringify(dist(cpu))} ms, ${Math.round(bytes / 1024)} KiB`);
  return { ms, cpu, bytes };
}

const home = await time('/');
const checks = await time('/checks');
const deep = await time('/checks?page=40');
const filtered = await time('/checks?state=FAIL&q=check-1');
const detail = await time('/check/check-4242');
await w.close();

emit(
  'web-pages',
  [
    figure({
      key: 'home_ms',
      figure: `home page HTML, ${N.toLocaleString('en')} checks, server time (median)`,
      target: '< 150 ms',
      value: round(median(home.ms)),
      unit: 'ms',
      better: 'lower',
      limit: 150,
    }),
    figure({
      key: 'checks_cpu_ms',
      figure: `checks page HTML with heartbeat bars and uptime, ${N.toLocaleString('en')} checks, server CPU time (median)`,
      target: 'report',
      value: round(median(checks.cpu)),
      unit: 'ms',
      better: 'lower',
      limit: null,
    }),
    figure({
      key: 'checks_ms',
      figure: `checks page HTML with heartbeat bars and uptime, ${N.toLocaleString('en')} checks, server time (median)`,
      target: '< 150 ms',
      value: round(median(checks.ms)),
      unit: 'ms',
      better: 'lower',
      limit: 150,
    }),
  ],
  {
    checks: N,
    requests: REQUESTS,
    homeMs: dist(home.ms),
    homeKiB: round(home.bytes / 1024),
    homeCpuMs: dist(home.cpu),
    checksCpuMs: dist(checks.cpu),
    checksMs: dist(checks.ms),
    checksKiB: round(checks.bytes / 1024),
    checksPage40Ms: dist(deep.ms),
    checksFilteredMs: dist(filtered.ms),
    checkDetailMs: dist(detail.ms),
    checkDetailKiB: round(detail.bytes / 1024),
  },
);
