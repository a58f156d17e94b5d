/**
 * Results the store refused (a full disk, issue 16), kept in memory in
 * order until it takes them. Bounded: past MAX_UNSTORED, runs without a
 * transition give way first — their check's state is in memory anyway —
 * so no failure or recovery is dropped while a plain run can go. The first
 * loss of an episode is said once.
 */

/** Results kept at most. */
export const MAX_UNSTORED = 10_000;

export class Unstored<T extends { events: readonly unknown[] }> {
  /** oldest first: written before anything newer */
  items: T[] = [];
  private dropped = 0;

  constructor(
    private readonly warn: (message: string) => void,
    private readonly max = MAX_UNSTORED,
  ) {}

  /** Keeps `failed` (the results still refused, oldest first) within the bound. */
  keep(failed: T[]): void {
    let keep = failed;
    if (keep.length > this.max) {
      const over = keep.length - this.max;
      let quiet = 0;
      keep = keep.filter((j) => !(j.events.length === 0 && quiet < over && ++quiet));
      if (keep.length > this.max) keep = keep.slice(keep.length - this.max);
      if (this.dropped === 0)
        this.warn(`More than ${this.max} results wait to be stored: the oldest are dropped from memory (their checks' current state is kept)`);
      this.dropped += failed.length - keep.length;
    }
    if (keep.length === 0) this.dropped = 0;
    this.items = keep;
  }
}
