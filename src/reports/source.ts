/**
 * The reports' view of a site (./service.ts ReportSource): runs from the
 * history store, the checks in page order, and the groups — every check
 * whose type has members (a sequence) with the checks it covers.
 */
import type { Site } from '../site.ts';
import { checkType } from '../checks/catalog.ts';
import type { ReportSource } from './service.ts';
import { checkRefs, type StatusPageConfig } from '../status-pages/config.ts';

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

/**
 * A status page's report (docs/status-pages.md "Reports"): the page's
 * checks in page order, each once, and the page's groups as the report's
 * groups (members: the group's checks). Checks no longer in the site are left out.
 */
export function statusPageSource(base: ReportSource, page: StatusPageConfig, exists: (check: string) => boolean): ReportSource {
  const groups = page.groups.map((g) => ({ name: g.name, members: [...new Set(checkRefs(g).map((r) => r.check))].filter(exists) }));
  return { ...base, checks: () => [...new Set(groups.flatMap((g) => g.members))], groups: () => groups };
}
