/**
 * Memory of the test process around a piece of work: the live memory (V8
 * heap plus buffers, measured after a full garbage collection) sampled while
 * the work runs, and the RSS peak. Live memory is what the work *keeps*: a
 * reader that buffers without bound shows it, garbage does not. The GC is
 * exposed at run time (v8 flag + a fresh context), so no `--expose-gc` is
 * needed on the command line.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Heap and external (ArrayBuffer) memory still reachable, in bytes. */
export function liveBytes(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

export interface MemoryUse {
  /** most live memory above the baseline while the work ran, bytes */
  livePeak: number;
  /** RSS peak above the RSS at the start, bytes */
  rssPeak: number;
  /** live memory above the baseline after the work ended */
  retained: number;
}

export const MB = 1024 * 1024;

/** Runs `work`, sampling live memory every `everyMs` (each sample is a full GC). */
export async function measure<T>(work: () => Promise<T>, everyMs = 100): Promise<{ value: T; use: MemoryUse }> {
  const base = liveBytes();
  const rssBase = process.memoryUsage().rss;
  let livePeak = 0;
  let rssPeak = 0;
  const rssTimer = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss - rssBase);
  }, 10);
  const liveTimer = setInterval(() => {
    livePeak = Math.max(livePeak, liveBytes() - base);
  }, everyMs);
  try {
    const value = await work();
    livePeak = Math.max(livePeak, liveBytes() - base);
    rssPeak = Math.max(rssPeak, process.memoryUsage().rss - rssBase);
    return { value, use: { livePeak, rssPeak, retained: liveBytes() - base } };
  } finally {
    clearInterval(rssTimer);
    clearInterval(liveTimer);
  }
}

export const mb = (n: number): string => `${(n / MB).toFixed(1)} MB`;
