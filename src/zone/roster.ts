/**
 * The zone's membership as this node sees it (docs/ha.md): the member table
 * (members.ts), the view ownership reads (ownership.ts), the cached
 * candidates a check may be placed on, and the timer that notices a member's
 * expiry or the grace's end. The MQTT part is in service.ts.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from '../engine/clock.ts';
import { Members } from './members.ts';
import { candidates, type ZoneView } from './ownership.ts';

export interface RosterOptions {
  /** this node */
  self: string;
  /** every node of the zone as heard (service.ts feeds it the statuses) */
  table: Members;
  /** null: no zone (nothing expires, never in grace) */
  clock: Pick<Clock, 'now' | 'setTimer'> | null;
  /** when this node joined (ms, local clock) */
  startedAt: number;
  /** the cold-start grace (ms); null: no zone */
  graceMs: number | null;
  log: Logger | null;
  /** membership may have changed: the checks that became this node's are taken over (notify.ts) */
  takeOver: () => void;
}

export class Roster {
  readonly table: Members;
  private readonly o: RosterOptions;
  private expiry: TimerHandle | null = null;
  private cands: string[] | null = null;
  /** when the cached candidates may change by themselves (a member's expiry, the grace's end); null: only by a message */
  private candsUntil: number | null = null;
  private lastLive = '';

  constructor(o: RosterOptions) {
    this.o = o;
    this.table = o.table;
  }

  private now(): number {
    return this.o.clock?.now() ?? 0;
  }

  /**
   * The nodes a check may be placed on, cached until the membership changes:
   * by a message (changed()), or by time — a member's expiry or the grace's
   * end. The cache carries its own end, so an expiry timer that fires a
   * moment early (or late, on a loaded machine) never leaves it stale.
   */
  candidates(): string[] {
    const now = this.now();
    if (this.cands && (this.candsUntil === null || now < this.candsUntil)) return this.cands;
    const v = this.viewAt(now);
    this.cands = candidates(v);
    const graceEnd = this.o.graceMs !== null ? this.o.startedAt + this.o.graceMs : 0;
    const ends = [this.table.nextExpiry(now), v.inGrace ? graceEnd : null].filter((x): x is number => x !== null);
    this.candsUntil = ends.length ? Math.min(...ends) : null;
    return this.cands;
  }

  /** The membership as this node sees it now (tests, the API). */
  view(): ZoneView {
    return this.viewAt(this.now());
  }

  private viewAt(now: number): ZoneView {
    return {
      self: this.o.self,
      live: this.table.live(now),
      known: this.table.all(),
      inGrace: this.o.graceMs !== null ? now - this.o.startedAt < this.o.graceMs : false,
    };
  }

  /** Membership may have changed: forget the cached candidates, log, and re-arm the expiry timer. */
  changed(): void {
    // one instant for the expiry timer: a member alive now is re-armed for, even if it expires while this runs
    const now = this.now();
    this.cands = null;
    this.o.takeOver();
    const live = this.table.live(now).join(',');
    if (live !== this.lastLive) {
      this.o.log?.info({ live }, 'zone membership');
      this.lastLive = live;
    }
    this.armExpiry(now);
  }

  /** Arms the timer for the next member's expiry or the grace's end, from `now` (the instant a change started). */
  armExpiry(now = this.now()): void {
    this.expiry?.cancel();
    this.expiry = null;
    const clock = this.o.clock;
    if (!clock || this.o.graceMs === null) return;
    const graceEnd = this.o.startedAt + this.o.graceMs;
    const next = [this.table.nextExpiry(now), graceEnd > now ? graceEnd + 1 : null].filter((x): x is number => x !== null);
    if (next.length === 0) return;
    this.expiry = clock.setTimer(() => this.changed(), Math.max(0, Math.min(...next) - now));
  }

  /** Stops the expiry timer (a later changed() arms it again, as before the split). */
  stop(): void {
    this.expiry?.cancel();
    this.expiry = null;
  }
}
