/**
 * The volatile site log as the running site writes it (spec §1.5: fletchck
 * keeps its WARNING records there): a line in the process log, the stored
 * site log and on the bus for the UI. Built once in wiring.ts.
 */
import type { Logger } from 'pino';
import type { Clock } from './engine/clock.ts';
import type { SiteBus } from './engine/events.ts';
import type { SiteLogStore } from './store/sitelog.ts';
import { storageLine, type StoreProblem } from './store/health.ts';
import { logStamp } from './util/time.ts';

export interface SiteNotesParts {
  log: Logger;
  clock: Clock;
  bus: SiteBus;
  readOnly: boolean;
  /** the stored site log */
  siteLog: Pick<SiteLogStore, 'append'>;
  /** the site's time zone now (the config's) */
  timezone(): string | null;
}

export class SiteNotes {
  constructor(private readonly p: SiteNotesParts) {}

  /**
   * A line of the volatile site log. `level` is the process log's level:
   * routine lines (a recovery, a start) are `info` there.
   */
  warn(message: string, level: 'info' | 'warn' = 'warn'): void {
    this.p.log[level](message);
    this.note(message);
  }

  /** A line in the site log only (the caller tells the operator in its own way). */
  note(message: string): void {
    if (this.p.readOnly) return;
    const line = `${logStamp(this.p.clock.now(), this.p.timezone())} ${message}`;
    this.p.siteLog.append(line);
    this.p.bus.emit('log', { line });
  }

  /** Says loudly that storing began or stopped failing (logger, site log, the bus for the UI). */
  storageChanged(problem: StoreProblem | null, was: StoreProblem | null): void {
    this.p.bus.emit('storage', { problem });
    const line = storageLine(problem, was, (t) => logStamp(t, this.p.timezone()));
    this.p.log[problem ? 'error' : 'warn'](line);
    // after the write that failed has finished (the site log may be what failed)
    queueMicrotask(() => this.note(line));
  }
}
