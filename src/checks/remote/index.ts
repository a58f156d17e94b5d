/**
 * `remote` — the state of a check on another instance, mirrored over MQTT
 * (spec §4.14). Updates arrive through the federation receiver and go
 * straight into the state machine; a scheduled run only decides staleness.
 */
import { z } from 'zod';
import { defineCheck } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { displayTime } from '../../util/time.ts';

export const RemoteOptions = z.looseObject({
  ...commonCheckOptions,
  timeout: z.number().positive().optional().describe('seconds without an update before the check fails'),
});

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
    if (o.timeout !== undefined && st.lastUpdate !== null) {
      const age = (ctx.now() - st.lastUpdate) / 1000;
      if (age > o.timeout) {
        return { fail: true, log: [`Update timeout ${o.timeout} sec (${displayTime(st.lastUpdate, ctx.zone)})`], level: st.level };
      }
    }
    // within the timeout: keep the remote's state and its log (fletchck empties
    // the log when no timeout is set, spec §4.14 [quirk])
    return { fail: st.failState, log: st.log, level: st.level, softFail: st.softFail };
  },
});
