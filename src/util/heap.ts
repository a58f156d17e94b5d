/**
 * V8 heap tuning for a long-running daemon.
 *
 * After a burst of allocation V8 grows the old generation by a factor of up
 * to 4 of what survived the last full collection (its "heap growing factor")
 * and seldom gives the pages back. A site of 10,000 checks with jitter off
 * fires every interval check's first run at one instant (spec §11
 * FIRSTTRIGGER): about 50 MB stay live, yet the heap grew to ~140 MB and the
 * process peaked at ~260 MB RSS. Growing by 10 % instead keeps that peak
 * near 200 MB for about 10 % of check throughput (bench/cli-scale.ts,
 * bench/throughput.ts; docs/performance.md). A small monitor on a NAS or a
 * Raspberry Pi is short of memory, not of CPU, so that is the default.
 *
 * The flag is read by V8's heap controller each time it sizes the heap, so
 * setting it at start-up works (node's docs warn that flags changed after
 * start may not all apply; this one is measured to). An explicit
 * `--heap-growing-percent` on node's command line wins.
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 10;

/** Applies the daemon's heap growing factor unless node was started with one; returns whether it did. */
export function tuneHeap(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((a) => a.startsWith('--heap-growing-percent') || a.startsWith('--heap_growing_percent'))) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
