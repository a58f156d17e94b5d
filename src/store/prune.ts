/**
 * History housekeeping: every ten minutes (the first a minute after start)
 * runs older than the history settings keep are pruned, then closed hours
 * rolled up, in small steps, each its own turn of the event loop: checks
 * keep running meanwhile.
 */
import type { Database as Db } from 'better-sqlite3';
import type { Clock, TimerHandle } from '../engine/clock.ts';
import type { SiteSettings } from '../config/load.ts';
import type { StateStore } from './state.ts';

export interface PruneParts {
  clock: Clock;
  db: Db;
  store: StateStore;
  readOnly: boolean;
  /** the history settings in force now */
  history(): SiteSettings['history'];
}

/** Starts pruning; the returned function stops it. */
export function startPruning(p: PruneParts, delayMs = 60_000): () => void {
  let timer: TimerHandle | null = null;
  const schedule = (delay: number): void => {
    timer = p.clock.setTimer(() => {
      const now = p.clock.now();
      const h = p.history();
      // nothing is kept longer than `days`, whatever the finer tiers say
      const hourly = now - h.days * 86_400_000;
      const cuts = { raw: Math.max(now - h.rawHours * 3_600_000, hourly), fiveMinute: Math.max(now - h.fiveMinuteDays * 86_400_000, hourly), hourly };
      // a stop closes the database between two steps
      const live = (): boolean => !p.readOnly && p.db.open;
      // then the closed hours are rolled up (raw runs are pruned only once rolled up: the next pass takes them)
      const rollup = (): void => {
        if (live() && p.store.rollupStep(now)) setImmediate(rollup);
      };
      const prune = (): void => {
        if (!live()) return;
        if (p.store.pruneBatch(cuts).more) setImmediate(prune);
        else setImmediate(rollup);
      };
      prune();
      schedule(600_000);
    }, delay);
  };
  schedule(delayMs);
  return () => timer?.cancel();
}
