/**
 * Retry spacing of the outbox: exponential (base · 2^(attempt-1)), capped,
 * with up to 20 % random shortening so that many notifications that failed
 * together (a receiver outage) do not all retry in the same instant.
 */

/** Wait after failed attempt number `attempt` (1-based), in ms. `random` in [0, 1). */
export function retryDelay(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const exp = Math.min(capMs, baseMs * 2 ** Math.min(Math.max(attempt, 1) - 1, 40));
  return Math.round(exp * (1 - 0.2 * random()));
}

/** The waits after attempts 1…n with no jitter (documentation and tests). */
export function retrySchedule(n: number, baseMs: number, capMs: number): number[] {
  return Array.from({ length: n }, (_, i) => retryDelay(i + 1, baseMs, capMs, () => 0));
}
