/**
 * V8 heap tuning for a long-running daemon.
 *
 * After a burst of allocation V8 grows the old generation by a factor of up
 * to 4 of what survived the last full collection (its "heap growing factor")
 * and seldom gives the pages back. A site of 10,000 checks with jitter off
 * fires every interval check's first run at one instant (spec §11
 * FIRSTTRIGGER): about 50 MB stay live, yet the heap grew to ~140 MB and the
 * process peaked at ~256 MB RSS. Growing by 25 % instead keeps that peak
 * near 200 MB (and the shipped 5 s jitter's at ~160 MB instead of ~190) for
 * a few per cent of check throughput and a little start lateness; 10 %
 * saves hardly more memory and costs more time (bench/cli-scale.ts,
 * bench/throughput.ts, bench/lateness.ts; the figures are in
 * docs/performance.md). A small monitor on a NAS or a Raspberry Pi is short
 * of memory rather than CPU.
 *
 * The flag is read by V8's heap controller each time it sizes the heap, so
 * setting it at start-up works (node's docs warn that flags changed after
 * start may not all apply; this one is measured to). An explicit
 * `--heap-growing-percent` on node's command line wins.
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 25;

/**
 * Applies the daemon's heap growing factor: SITEWARD_HEAP_GROWING_PERCENT
 * (0 = V8's own, which favours speed over memory) or the default; nothing
 * when node was started with its own --heap-growing-percent. Returns the
 * percent applied, or null.
 */
export function tuneHeap(execArgv: readonly string[] = process.execArgv, env: NodeJS.ProcessEnv = process.env): number | null {
  if (execArgv.some((a) => a.startsWith('--heap-growing-percent') || a.startsWith('--heap_growing_percent'))) return null;
  const given = env.SITEWARD_HEAP_GROWING_PERCENT;
  const pct = given !== undefined && /^\d{1,4}$/.test(given) ? Number(given) : HEAP_GROWING_PERCENT;
  if (pct === 0) return null;
  setFlagsFromString(`--heap-growing-percent=${pct}`);
  return pct;
}
