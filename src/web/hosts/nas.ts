/**
 * The last pool layout and alert list each truenas check reported
 * (`Outcome.nas`, src/checks/truenas/topology.ts), for the hosts view's pool
 * cards. Kept in memory only, one compact entry per check, replaced by each
 * run: unlike a certificate it is read again on every run (every minute or
 * so), so after a restart the cards show capacity and problems from the saved
 * state and the layout returns with the check's first run. A rename moves the
 * entry, a removed check loses it.
 */
import type { SiteBus } from '../../engine/events.ts';
import type { NasSummary } from '../../checks/truenas/topology.ts';

export class NasMemory {
  private readonly last = new Map<string, NasSummary>();
  private readonly onRun = (e: { name: string; outcome: { nas?: NasSummary } | null }): void => {
    if (e.outcome?.nas) this.last.set(e.name, e.outcome.nas);
  };
  private readonly onConfig = (e: { removed: string[]; renamed: [string, string][] }): void => {
    for (const [from, to] of e.renamed) {
      const v = this.last.get(from);
      this.last.delete(from);
      if (v) this.last.set(to, v);
      else this.last.delete(to);
    }
    for (const n of e.removed) this.last.delete(n);
  };

  constructor(private readonly bus: SiteBus) {
    bus.on('run', this.onRun);
    bus.on('config', this.onConfig);
  }

  get(name: string): NasSummary | null {
    return this.last.get(name) ?? null;
  }

  close(): void {
    this.bus.off('run', this.onRun);
    this.bus.off('config', this.onConfig);
  }
}
