/**
 * What a config change means for retained MQTT state (spec §7.5, §8.4): which
 * checks were renamed, which are really gone, and which topics must be
 * cleared with an empty retained message. Pure: the service does the I/O.
 */
import type { LoadedSite } from '../config/load.ts';

export interface ConfigChange {
  changed: string[];
  removed: string[];
  renamed: [string, string][];
}

export interface Housekeeping {
  /** renames, including remote checks renamed by editing the file (reload) */
  renamed: [string, string][];
  /** checks deleted for good */
  gone: string[];
  /** topics whose retained message is to be cleared, each once */
  clear: string[];
}

/** check name → publish topic of a loaded site */
export function publishTopics(site: LoadedSite): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of site.checks.values()) if (e.config.publish) m.set(e.config.name, e.config.publish);
  return m;
}

/**
 * @param next the site after the change
 * @param before publish topics before the change
 * @param remoteTopics where each remote check's updates last came from
 */
export function housekeeping(ev: ConfigChange, next: LoadedSite, before: ReadonlyMap<string, string>, remoteTopics: ReadonlyMap<string, string>): Housekeeping {
  const renamed: [string, string][] = [...ev.renamed];
  // a remote check renamed in the file (reload) shows up as removed + added,
  // the new entry naming the old one as remoteId: a rename, not a delete
  for (const name of ev.removed) {
    if (renamed.some(([from]) => from === name)) continue;
    for (const e of next.checks.values()) {
      if (e.config.type === 'remote' && e.config.remoteId === name) {
        renamed.push([name, e.config.name]);
        break;
      }
    }
  }
  const gone = ev.removed.filter((n) => !renamed.some(([from]) => from === n));
  const clear = new Set<string>();
  // spec §7.5: where a deleted check's state came from, and where it went
  for (const name of gone) {
    for (const t of [remoteTopics.get(name), before.get(name)]) if (t) clear.add(t);
  }
  // siteward: a check that publishes elsewhere, or no longer, leaves no stale state behind
  const after = publishTopics(next);
  for (const name of ev.changed) {
    const old = before.get(name);
    if (old && next.checks.has(name) && after.get(name) !== old) clear.add(old);
  }
  // never clear a topic some remaining check still publishes to
  for (const t of after.values()) clear.delete(t);
  return { renamed, gone, clear: [...clear] };
}
