/**
 * Whether fletchck could load a site file siteward accepts. fletchck builds
 * every check of its own types and fails on any other: a check of a
 * siteward-only type (tcp, net, exec, push, truenas) makes it refuse the
 * whole file (spec §2.3 and §9 item 6; it logs `AttributeError … 'remoteId'`). An
 * action of a type it does not know is skipped with a warning — and lost
 * at its next save. `--check-config` and the config page warn with the names.
 */
import { checkType } from '../checks/catalog.ts';
import { actionType, LEGACY_ACTION_TYPES } from '../actions/catalog.ts';
import type { Issue } from './issues.ts';

/** Names shown in the warning before "and N more". */
const SHOW = 10;

export interface FletchckCompat {
  /** checks fletchck cannot build, as `name (type)`: it refuses the file */
  checks: string[];
  /** actions fletchck skips (and drops when it saves), as `name (type)` */
  actions: string[];
}

/** What keeps fletchck from loading (or keeping) this site; empty lists when it would. */
export function fletchckCompat(site: {
  checks: ReadonlyMap<string, { config: { type: string } }>;
  actions: ReadonlyMap<string, { config: { type: string } }>;
}): FletchckCompat {
  const checks: string[] = [];
  for (const [name, e] of site.checks) {
    const t = checkType(e.config.type);
    if (t && !t.info.fletchck) checks.push(`${name} (${e.config.type})`);
  }
  const actions: string[] = [];
  for (const [name, a] of site.actions) {
    const type = LEGACY_ACTION_TYPES[a.config.type] ?? a.config.type;
    const t = actionType(type);
    if (t && !t.info.fletchck) actions.push(`${name} (${type})`);
  }
  return { checks, actions };
}

function list(names: string[]): string {
  const shown = names.slice(0, SHOW).join(', ');
  return names.length > SHOW ? `${shown} and ${names.length - SHOW} more` : shown;
}

/** The warning for `--check-config` and the config page, or null when fletchck would load the file as it is. */
export function fletchckWarning(site: Parameters<typeof fletchckCompat>[0]): Issue | null {
  const c = fletchckCompat(site);
  const parts: string[] = [];
  if (c.checks.length)
    parts.push(
      `fletchck cannot load this file: it refuses the whole site because of the siteward-only check${c.checks.length > 1 ? 's' : ''} ${list(c.checks)}`,
    );
  if (c.actions.length)
    parts.push(
      `fletchck would skip the siteward-only action${c.actions.length > 1 ? 's' : ''} ${list(c.actions)} (and drop ${c.actions.length > 1 ? 'them' : 'it'} when it saves)`,
    );
  return parts.length ? { path: [], message: parts.join('; '), severity: 'warning' } : null;
}
