/**
 * Reminders (`renotify`, siteward): while a check stays in an announced FAIL,
 * the FAIL notification is repeated every `renotify` minutes as kind
 * 'reminder'. Timers run on the site clock. A failure episode is identified
 * by its lastFail time, so a new FAIL (or a sequence's new failing set)
 * restarts the count and a PASS, pause or silent soft-fail ends it. After a
 * restart the schedule resumes from the last FAIL/reminder in the outbox.
 */
import type { Clock, TimerHandle } from '../../engine/clock.ts';
import type { Notification } from '../types.ts';

export interface ReminderHost {
  checks(): Iterable<string>;
  /** the check's renotify interval in ms, null when it has none */
  intervalMs(check: string): number | null;
  /**
   * While the check is in a FAIL that was announced (failAction on, not
   * paused, not a silent soft-fail): its lastFail (-1 when unknown). Else null.
   */
  failingSince(check: string): number | null;
  /** queues a reminder to the check's actions (through notify) */
  remind(check: string): void;
  /** the last transition or reminder queued for the check */
  lastAnnounced(check: string): { created: number; n: Notification } | undefined;
}

/**
 * What the site tells the outbox's reminders (actions/outbox/site.ts); the
 * outbox adds remind() and lastAnnounced() itself, from its own queue.
 */
export interface ReminderSource extends Pick<ReminderHost, 'checks' | 'intervalMs' | 'failingSince'> {
  /** the reminder due for the check now: its active actions and the notification; null when none */
  reminder(check: string): { actions: string[]; n: Notification } | null;
}

const episode = (lastFail: number | null): number => lastFail ?? -1;

export class Reminders {
  private readonly timers = new Map<string, { handle: TimerHandle; since: number }>();

  constructor(
    private readonly host: ReminderHost,
    private readonly clock: Clock,
  ) {}

  /** Called for every queued notification. */
  queued(n: Notification): void {
    if (n.kind !== 'transition' && n.kind !== 'reminder') return;
    if (n.check.state === 'FAIL') this.schedule(n.check.name, n.at, episode(n.check.lastFail));
    else this.cancel(n.check.name);
  }

  /** After a restart: picks up checks that are still in the failure last announced. */
  resume(): void {
    for (const name of this.host.checks()) this.reconsider(name);
  }

  /**
   * Brings one check's reminder in line with its config and state (after a
   * restart or a config change, e.g. renotify just set on a failing check).
   */
  reconsider(name: string): void {
    const since = this.host.failingSince(name);
    if (since === null || this.host.intervalMs(name) === null) {
      this.cancel(name);
      return;
    }
    const last = this.host.lastAnnounced(name);
    if (last && last.n.check.state === 'FAIL' && episode(last.n.check.lastFail) === since) this.schedule(name, last.created, since);
  }

  rename(from: string, to: string): void {
    const t = this.timers.get(from);
    if (!t) return;
    t.handle.cancel();
    this.timers.delete(from);
    this.schedule(to, this.clock.now(), t.since);
  }

  stop(): void {
    for (const t of this.timers.values()) t.handle.cancel();
    this.timers.clear();
  }

  /** Checks with a reminder scheduled (for tests and the UI). */
  scheduled(): string[] {
    return [...this.timers.keys()];
  }

  private schedule(name: string, from: number, since: number): void {
    this.cancel(name);
    const every = this.host.intervalMs(name);
    if (every === null) return;
    const handle = this.clock.setTimer(() => this.fire(name), Math.max(0, from + every - this.clock.now()));
    this.timers.set(name, { handle, since });
  }

  private cancel(name: string): void {
    this.timers.get(name)?.handle.cancel();
    this.timers.delete(name);
  }

  private fire(name: string): void {
    const t = this.timers.get(name);
    this.timers.delete(name);
    if (!t) return;
    if (this.host.failingSince(name) !== t.since) return;
    this.host.remind(name);
    // no action took it (none attached right now): keep watching the failure
    if (!this.timers.has(name)) this.schedule(name, this.clock.now(), t.since);
  }
}
