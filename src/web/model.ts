/**
 * What the pages show, computed from the site: one view model per check, the
 * grouping of the checks page (spec §8.6 "checks map"), counts by state.
 * Views get these plain objects and never reach into the engine.
 */
import { createHash } from 'node:crypto';
import type { WebSite } from './web-site.ts';
import type { LoadedSite } from '../config/load.ts';
import type { CheckEntry } from '../config/model.ts';
import { checkType } from '../checks/registry.ts';
import { isFailing, neverRun, type FailState } from '../engine/state.ts';
import { displayTime } from '../util/time.ts';
import { formatTriggerText } from '../config/trigger.ts';
import { formatIssue } from '../config/issues.ts';

/**
 * What the UI shows. PENDING: a check that has not run yet. The engine keeps
 * fletchck's rule that a new check starts in FAIL (spec §3.1) and /status,
 * the API and MQTT say so; people are shown "pending" instead of a failure
 * and 0 % uptime.
 */
export type DisplayState = 'PASS' | 'WARN' | 'FAIL' | 'SOFTFAIL' | 'PAUSED' | 'ERROR' | 'PENDING';
export const DISPLAY_STATES: readonly DisplayState[] = ['FAIL', 'SOFTFAIL', 'ERROR', 'WARN', 'PENDING', 'PAUSED', 'PASS'];

/** Never run (nor heard from, for a remote check): failing only by fletchck's start rule (one rule, src/engine/state.ts). */
export { neverRun };

/** A stable, markup-safe element id for any check name (names may hold any character). */
export function cid(name: string): string {
  return `c${createHash('sha256').update(name).digest('hex').slice(0, 16)}`;
}

/** Types that contain other checks (sequences): they head a group on the checks page. */
export function isGroupType(type: string): boolean {
  return checkType(type)?.members !== undefined;
}

export interface CheckVM {
  name: string;
  id: string;
  type: string;
  displayType: string;
  isGroup: boolean;
  state: DisplayState;
  failState: FailState;
  softFail: string | null;
  level: string | null;
  log: string[];
  lastCheck: string;
  lastFail: string;
  lastPass: string;
  lastUpdate: string;
  nextRun: string;
  triggerKind: 'interval' | 'cron' | null;
  triggerText: string;
  paused: boolean;
  active: boolean;
  errors: string[];
  /** for groups: the members whose state is failing */
  failingMembers: string[];
  cloneable: boolean;
  /** the same times as instants (ms), for "3 min ago" */
  at: { check: number | null; pass: number | null; fail: number | null; next: number | null };
  zone: string | null;
  /** the acknowledgement of the current failure (src/ops) */
  ack: { by: string; at: string; comment: string } | null;
  /** the maintenance window covering the check now (src/ops) */
  maintenance: { window: string; until: string; reason: string | null; by: string | null } | null;
}

export function displayState(site: Pick<WebSite, 'state'>, e: CheckEntry): DisplayState {
  const c = e.config;
  if (c.paused) return 'PAUSED';
  const s = site.state(c.name);
  if (!e.active) return 'ERROR';
  if (!isFailing(s.failState)) return s.warn ? 'WARN' : 'PASS';
  if (neverRun(s)) return 'PENDING';
  // a dependency soft-fail (spec §3.2 step 3) is labelled with the dependency's name
  return s.softFail !== null && c.depends.includes(s.softFail) ? 'SOFTFAIL' : 'FAIL';
}

export function checkVM(site: WebSite, name: string): CheckVM | null {
  const e = site.entry(name);
  if (!e) return null;
  const c = e.config;
  const s = site.state(name);
  const t = checkType(c.type);
  const trig = c.trigger ?? null;
  const next = site.nextRun(name);
  const group = isGroupType(c.type);
  return {
    name,
    id: cid(name),
    type: c.type,
    displayType: site.runtime.displayType(e),
    isGroup: group,
    state: displayState(site, e),
    failState: s.failState,
    softFail: s.softFail,
    level: s.level,
    log: s.log,
    lastCheck: displayTime(s.lastCheck, e.zone),
    lastFail: displayTime(s.lastFail, e.zone),
    lastPass: displayTime(s.lastPass, e.zone),
    lastUpdate: displayTime(s.lastUpdate, e.zone),
    nextRun: next === null ? '' : displayTime(next, e.zone),
    triggerKind: trig && 'interval' in trig ? 'interval' : trig && 'cron' in trig ? 'cron' : null,
    triggerText: formatTriggerText(trig),
    paused: c.paused,
    active: e.active,
    errors: site
      .issuesFor(name)
      .filter((i) => i.severity === 'error')
      .map(formatIssue),
    failingMembers: group ? membersOf(site.loaded, name).filter((m) => isFailing(site.state(m).failState)) : [],
    cloneable: t?.cloneable !== false,
    at: { check: s.lastCheck ?? s.lastUpdate, pass: s.lastPass, fail: s.lastFail, next },
    zone: e.zone,
    ...opsVM(site, name, e.zone),
  };
}

function opsVM(site: WebSite, name: string, zone: string | null): Pick<CheckVM, 'ack' | 'maintenance'> {
  const a = site.ops.ack(name);
  const m = site.ops.maintenance(name);
  return {
    ack: a ? { by: a.by, at: displayTime(a.at, zone), comment: a.comment } : null,
    maintenance: m ? { window: m.window, until: displayTime(m.end, zone), reason: m.reason, by: m.by } : null,
  };
}

/** A group type's members as configured (existing checks only), in run order. */
export function membersOf(loaded: LoadedSite, name: string): string[] {
  const e = loaded.checks.get(name);
  if (!e) return [];
  const t = checkType(e.config.type);
  if (!t?.members) return [];
  let list: string[];
  try {
    list = e.opts ? t.members(e.opts) : [];
  } catch {
    list = [];
  }
  const seen = new Set<string>();
  return list
    .map((m, i) => ({ m, i, e: loaded.checks.get(m) }))
    .filter((x): x is { m: string; i: number; e: CheckEntry } => x.e !== undefined && x.m !== name && !seen.has(x.m) && (seen.add(x.m), true))
    .sort((a, b) => a.e.config.priority - b.e.config.priority || a.i - b.i)
    .map((x) => x.m);
}

export interface Group {
  /** the sequence heading the group, or null for "Not sequenced" */
  seq: string | null;
  members: string[];
}

export interface Grouping {
  groups: Group[];
  /** check → the sequences it is a member of */
  inseqs: Map<string, string[]>;
  /** group-type checks in (priority, file) order */
  seqs: string[];
}

const groupCache = new WeakMap<LoadedSite, Grouping>();

/** spec §8.6: each sequence with its members, then the checks in no sequence. */
export function grouping(site: WebSite): Grouping {
  const loaded = site.loaded;
  const hit = groupCache.get(loaded);
  if (hit) return hit;
  const sorted = site.sortedChecks();
  const seqs = sorted.filter((e) => isGroupType(e.config.type)).map((e) => e.config.name);
  const inseqs = new Map<string, string[]>();
  const groups: Group[] = [];
  for (const s of seqs) {
    const members = membersOf(loaded, s);
    for (const m of members) {
      const l = inseqs.get(m);
      if (l) l.push(s);
      else inseqs.set(m, [s]);
    }
    groups.push({ seq: s, members });
  }
  const loose = sorted.filter((e) => !isGroupType(e.config.type) && !inseqs.has(e.config.name)).map((e) => e.config.name);
  groups.push({ seq: null, members: loose });
  const g = { groups, inseqs, seqs };
  groupCache.set(loaded, g);
  return g;
}

export type Counts = Record<DisplayState, number> & { total: number };

export function counts(site: WebSite): Counts {
  const out: Counts = { PASS: 0, WARN: 0, FAIL: 0, SOFTFAIL: 0, PAUSED: 0, ERROR: 0, PENDING: 0, total: 0 };
  for (const e of site.loaded.checks.values()) {
    out[displayState(site, e)]++;
    out.total++;
  }
  return out;
}

/**
 * The header badge's count: the checks shown as FAIL, the same number as the
 * summary's "fail" (fletchck's badge left sequences out, spec §8.3, and so
 * disagreed with the list; /status keeps fletchck's count). A check not run
 * yet is pending, not failing.
 */
export function failingCount(site: WebSite): number {
  return counts(site).FAIL;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Raw entry access lives in one module (src/config/raw.ts); re-exported for the UI's routes. */
export { rawCheck, rawAction } from '../config/raw.ts';

export { versionOf } from '../config/version.ts';
