/**
 * What every benchmark prints: one JSON line `{"bench", "figures", "details"}`
 * on stdout (scripts/bench.mjs collects it, takes medians over runs and
 * renders the Markdown table). Figures carry their target so the table can
 * say met / missed; `details` holds everything else worth reading.
 */

export interface Figure {
  /** stable key, e.g. `rss_10k` */
  key: string;
  /** the row label of the table */
  figure: string;
  /** the target as text, e.g. "< 200 MB" ("report" when there is none) */
  target: string;
  value: number | null;
  unit: string;
  /** lower is better (latency, size) or higher is better (throughput) */
  better: 'lower' | 'higher';
  /** the target as a number in `unit`, or null for report-only figures */
  limit: number | null;
}

export function figure(f: Figure): Figure {
  return f;
}

export function emit(bench: string, figures: Figure[], details: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ bench, figures, details })}\n`);
}

export function sorted(xs: readonly number[]): number[] {
  return [...xs].sort((a, b) => a - b);
}

/** Nearest-rank percentile (p in 0..100) of an unsorted list; NaN when empty. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = sorted(xs);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i];
}

export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

/** Rounds to `d` decimals (figures are read by people). */
export function round(x: number, d = 1): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

/** A one-line summary of a latency sample. */
export function dist(xs: readonly number[], d = 1): { n: number; p50: number; p90: number; p99: number; max: number } {
  return {
    n: xs.length,
    p50: round(percentile(xs, 50), d),
    p90: round(percentile(xs, 90), d),
    p99: round(percentile(xs, 99), d),
    max: round(percentile(xs, 100), d),
  };
}

/** Progress for a person watching (stderr, so stdout stays one JSON line). */
export function note(msg: string): void {
  process.stderr.write(`  ${msg}\n`);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` every `everyMs` until it is truthy; throws after `timeoutMs`. */
export async function until(fn: () => boolean, timeoutMs: number, what: string, everyMs = 10): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
