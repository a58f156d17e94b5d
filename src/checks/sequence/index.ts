/**
 * `sequence` — runs member checks in order and fails with the names of the
 * failing ones (spec §4.13). Members apply their own depends, threshold,
 * pause and notifications; the sequence's state machine then works on the
 * joined name string, so a change in the set of failing members is a new
 * transition.
 */
import { z } from 'zod';
import { defineCheck, type CheckView } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { isFailing, stateText } from '../../engine/state.ts';

export const SequenceOptions = z.looseObject({
  ...commonCheckOptions,
  checks: z.array(z.string()).default([]).describe('member check names, run in (priority, listed) order'),
});

/** Members in run order: by priority, then by position in the member list. */
export function orderedMembers(names: readonly string[], lookup: (n: string) => CheckView | undefined): CheckView[] {
  return names
    .map((n, i) => ({ v: lookup(n), i }))
    .filter((x): x is { v: CheckView; i: number } => x.v !== undefined)
    .sort((a, b) => a.v.config.priority - b.v.config.priority || a.i - b.i)
    .map((x) => x.v);
}

const WARN = '\u26a0\ufe0f';
const SOFT = '\u26d4';

export const sequence = defineCheck({
  type: 'sequence',
  info: {
    summary: 'Runs its member checks in order; fails with the names of the failing members.',
    pass: 'no member reports FAIL.',
    fletchck: true,
  },
  options: SequenceOptions,
  defaultTimeout: null,
  members: (o) => o.checks,
  async run(o, ctx) {
    const log: string[] = [];
    const failing: string[] = [];
    for (const member of orderedMembers(o.checks, (n) => ctx.site.check(n))) {
      const name = member.config.name;
      if (name === ctx.check.config.name) continue; // a sequence never runs itself
      const st = await ctx.site.runMember(name, ctx.signal);
      const type = member.displayType;
      if (isFailing(st.failState)) {
        failing.push(name);
        log.push(`${name} (${type}): FAIL`, ...st.log, '');
      } else {
        const level = st.level ? ` ${st.level}` : '';
        log.push(`${name} (${type}): ${stateText(st, member.config.paused)}${level}`);
      }
    }
    return { fail: failing.join(','), log };
  },
  /** spec §4.13: one line per failing member, ⚠️ or ⛔ (soft-failed) and its level. */
  summary(view, site) {
    const f = view.state.failState;
    if (typeof f !== 'string' || f === '') return '';
    return f
      .split(',')
      .map((n) => {
        const m = site.check(n);
        const mark = m?.state.softFail ? SOFT : WARN;
        return ` ${n} ${mark}${m?.state.level ?? ''}`;
      })
      .join('\n');
  },
});
