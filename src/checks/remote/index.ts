/**
 * `remote` — the state of a check on another instance, mirrored over MQTT
 * (spec §4.14). Updates arrive through the federation receiver and go
 * straight into the state machine; a scheduled run only decides staleness.
 * Without a trigger, the federation's staleness timer applies the same rule
 * (src/federation/staleness.ts).
 */
import { z } from 'zod';
import { defineCheck } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { displayTime } from '../../util/time.ts';

export const RemoteOptions = z.looseObject({
  ...commonCheckOptions,
  timeout: z
    .number()
    .positive()
    .optional()
    .describe('seconds without an update before the check fails (siteward: also without a trigger, and also when never heard from)'),
});

/**
 * spec §4.14: `Update timeout <secs> sec (<lastUpdate formatted>)`; siteward
 * says `(never)` for a remote that was never heard from (fletchck never times
 * those out).
 */
export function updateTimeoutLine(timeout: number, lastUpdate: number | null, zone: string | null): string {
  return `Update timeout ${timeout} sec (${lastUpdate === null ? 'never' : displayTime(lastUpdate, zone)})`;
}

export const remote = defineCheck({
  type: 'remote',
  info: {
    summary: 'Mirrors a check published by another siteward or fletchck instance over MQTT.',
    pass: 'the remote reports PASS and (with `timeout`) its last update is recent.',
    fletchck: true,
  },
  options: RemoteOptions,
  defaultTimeout: null,
  retries: false,
  cloneable: false,
  displayType: (c) => `remote.${c.subType ?? 'unknown'}`,
  async run(o, ctx) {
    const st = ctx.check.state;
    if (o.timeout !== undefined) {
      // never heard from: count from this process's first run of the check
      const since = st.lastUpdate ?? (ctx.scratch.waitingSince as number | undefined) ?? (ctx.scratch.waitingSince = ctx.now());
      const age = (ctx.now() - since) / 1000;
      if (age > o.timeout) {
        return { fail: true, log: [updateTimeoutLine(o.timeout, st.lastUpdate, ctx.zone)], level: st.level };
      }
    }
    // within the timeout: keep the remote's state and its log (fletchck empties
    // the log when no timeout is set, spec §4.14 [quirk])
    return { fail: st.failState, log: st.log, level: st.level, softFail: st.softFail };
  },
});
