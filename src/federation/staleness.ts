/**
 * Staleness without a trigger (siteward, beyond fletchck): a remote check with
 * `timeout` fails when no update has arrived for `timeout` seconds, even when
 * it has no trigger of its own (fletchck only notices on a scheduled run, and
 * never for a remote it has not heard from, spec §4.14).
 *
 * Deadlines are counted on this host's clock from the moment an update was
 * received (or watching began), so a sender's clock skew does not matter. One
 * Clock timer serves every check (the earliest deadline), so a FakeClock
 * drives it in tests.
 */
import type { FederationDeps } from './deps.ts';
import type { TimerHandle } from '../engine/clock.ts';
import type { CheckEntry } from '../config/model.ts';
import type { CheckState, Input } from '../engine/state.ts';
import type { RunMeta } from '../engine/runner.ts';
import { updateTimeoutLine } from '../checks/remote/index.ts';

/**
 * Commits a local verdict on a remote check — stale, or its instance offline —
 * as a failing result that takes effect at once (threshold 1: it is a fact,
 * not a flaky measurement). Paused and inactive checks are left alone.
 */
export function failRemote(engine: EngineInput, name: string, line: string): boolean {
  const e = engine.entry(name);
  if (!e || e.config.type !== 'remote' || e.config.paused || !e.active) return false;
  // through the engine's one entry, as a verdict (threshold 1); 'remote': not a
  // run of this instance's own, so it is neither published nor a history row
  engine.input(name, { kind: 'verdict', log: [line] }, { reason: 'remote', durationMs: null, outcome: null });
  return true;
}

/** What a verdict needs of the site: the check's config and the engine's entry. */
export interface EngineInput {
  entry(name: string): CheckEntry | undefined;
  input(name: string, input: Input, meta: RunMeta): CheckState | null;
}

/** What the stale watch uses of the site (passed in; not the whole Site). */
export type StaleSite = EngineInput & Pick<FederationDeps, 'clock' | 'loaded' | 'state'>;

function remoteTimeout(site: StaleSite, name: string): number | null {
  const e = site.entry(name);
  if (!e || e.config.type !== 'remote' || !e.active || e.config.paused || !e.opts) return null;
  const t = e.opts.timeout;
  return typeof t === 'number' && t > 0 ? t : null;
}

export class StaleWatch {
  private readonly deadlines = new Map<string, number>();
  private timer: TimerHandle | null = null;
  private timerAt = Infinity;
  private stopped = false;
  /** checks failed by this watch (for counters) */
  expired = 0;

  constructor(private readonly site: StaleSite) {}

  /** Starts watching every remote check with a timeout, counting from now. */
  start(): void {
    this.stopped = false;
    this.sync();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = null;
    this.timerAt = Infinity;
    this.deadlines.clear();
  }

  /**
   * Brings the watch in line with the config: new remote checks with a
   * timeout start counting now, removed or paused ones stop, and a changed
   * timeout counts from now.
   */
  sync(changed: readonly string[] = []): void {
    if (this.stopped) return;
    const now = this.site.clock.now();
    const want = new Set<string>();
    for (const e of this.site.loaded.checks.values()) {
      const name = e.config.name;
      const t = remoteTimeout(this.site, name);
      if (t === null) continue;
      want.add(name);
      if (!this.deadlines.has(name) || changed.includes(name)) this.deadlines.set(name, now + t * 1000);
    }
    for (const name of [...this.deadlines.keys()]) if (!want.has(name)) this.deadlines.delete(name);
    this.arm();
  }

  /** An update was received for `name`: its deadline starts again. */
  heard(name: string): void {
    if (this.stopped) return;
    const t = remoteTimeout(this.site, name);
    if (t === null) {
      this.deadlines.delete(name);
      return;
    }
    const at = this.site.clock.now() + t * 1000;
    this.deadlines.set(name, at);
    // a deadline only moves later here: the armed timer stays right unless this
    // is now the earliest (arm() visits every check: at thousands of updates a
    // second that was the cost of an update; a timer that fires early re-arms)
    if (at < this.timerAt) this.arm();
  }

  rename(from: string, to: string): void {
    const d = this.deadlines.get(from);
    this.deadlines.delete(from);
    if (d !== undefined) this.deadlines.set(to, d);
  }

  /** The deadline of a check (for tests and the UI), or null when it is not watched. */
  deadline(name: string): number | null {
    return this.deadlines.get(name) ?? null;
  }

  private arm(): void {
    let next = Infinity;
    for (const d of this.deadlines.values()) if (d < next) next = d;
    if (next === this.timerAt && this.timer) return;
    this.timer?.cancel();
    this.timer = null;
    this.timerAt = next;
    if (next === Infinity) return;
    this.timer = this.site.clock.setTimer(() => this.fire(), Math.max(0, next - this.site.clock.now()));
  }

  private fire(): void {
    this.timer = null;
    this.timerAt = Infinity;
    if (this.stopped) return;
    const now = this.site.clock.now();
    for (const [name, at] of [...this.deadlines]) {
      if (at > now) continue;
      // one failure per silence: the next update starts a new deadline
      this.deadlines.delete(name);
      const t = remoteTimeout(this.site, name);
      const e = this.site.entry(name);
      if (t === null || !e) continue;
      if (failRemote(this.site, name, updateTimeoutLine(t, this.site.state(name).lastUpdate, e.zone))) this.expired++;
    }
    this.arm();
  }
}
