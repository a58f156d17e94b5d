/**
 * `/status` (spec §8.7): fletchck's JSON summary, exactly in its shape, for
 * scripts that poll it.
 */
import type { WebSite } from './web-site.ts';
import { isFailing, type FailState } from '../engine/state.ts';
import { displayTime } from '../util/time.ts';
import { grouping, isGroupType, plural } from './model.ts';

export interface StatusCheck {
  checkType: string;
  failState: FailState | 'DEP';
  trigger: Record<string, unknown> | null;
  softFail: string;
  lastFail: string;
  lastPass: string;
}

export interface Status {
  fail: boolean;
  info: string | null;
  checks: Record<string, StatusCheck>;
  seqs: Record<string, Record<string, 1>>;
  inseqs: Record<string, string[]>;
}

export function buildStatus(site: WebSite): Status {
  const g = grouping(site);
  const checks: Record<string, StatusCheck> = {};
  const seqs: Record<string, Record<string, 1>> = {};
  const inseqs: Record<string, string[]> = {};
  let fail = false;
  let failing = 0;
  for (const e of site.sortedChecks()) {
    const name = e.config.name;
    const s = site.state(name);
    const group = isGroupType(e.config.type);
    const bad = isFailing(s.failState);
    if (bad) {
      fail = true;
      if (!group) failing++;
    }
    let failState: FailState | 'DEP' = s.failState;
    if (group && !bad) {
      // a passing sequence with a failing member shows "DEP"
      const members = g.groups.find((x) => x.seq === name)?.members ?? [];
      if (members.some((m) => isFailing(site.state(m).failState))) failState = 'DEP';
    }
    checks[name] = {
      checkType: e.config.type,
      failState,
      trigger: e.config.trigger ?? null,
      softFail: s.softFail ?? '',
      lastFail: displayTime(s.lastFail, e.zone),
      lastPass: displayTime(s.lastPass, e.zone),
    };
  }
  for (const grp of g.groups) {
    if (grp.seq === null) continue;
    seqs[grp.seq] = Object.fromEntries(grp.members.map((m) => [m, 1 as const]));
  }
  for (const [m, list] of g.inseqs) inseqs[m] = [...list];
  return { fail, info: failing > 0 ? `${plural(failing, 'check')} in fail state` : null, checks, seqs, inseqs };
}
