/**
 * The reports' view of a site (./service.ts ReportSource): runs from the
 * history store, the checks in page order, and the groups — every check
 * whose type has members (a sequence) with the checks it covers.
 */
import type { Site } from '../site.ts';
import { checkType } from '../checks/registry.ts';
import type { ReportSource } from './service.ts';

export function reportSource(site: Pick<Site, 'store' | 'sortedChecks' | 'entry'>): ReportSource {
  return {
    runs: (name, from, to, limit) => site.store.series(name, from, to, limit).rows.map((r) => ({ t: r.t, fail: r.fail })),
    checks: () => site.sortedChecks().map((e) => e.config.name),
    groups: () =>
      site.sortedChecks().flatMap((e) => {
        const members = checkType(e.config.type)?.members;
        if (!members || !e.opts) return [];
        let list: string[];
        try {
          list = members(e.opts);
        } catch {
          return [];
        }
        return [{ name: e.config.name, members: list.filter((m) => site.entry(m) !== undefined) }];
      }),
  };
}
