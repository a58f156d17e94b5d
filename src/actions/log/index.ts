/**
 * `log` — writes `<check> (<type>): <STATE>` to the site log (spec §5.3), so
 * it shows on the Log page; in the process log FAIL is a warning, PASS info.
 * A new site has one (src/config/init.ts). Always succeeds.
 */
import { z } from 'zod';
import { defineAction } from '../types.ts';
import { commonActionOptions } from '../shared/options.ts';

export const LogOptions = z.looseObject({ ...commonActionOptions });

export const log = defineAction({
  type: 'log',
  info: { summary: 'Writes the transition to the site log (the Log page).', fletchck: true },
  options: LogOptions,
  defaultTimeout: 1,
  send(n, _o, ctx) {
    ctx.warn(`${n.check.name} (${n.check.type}): ${n.check.state}`, n.check.state === 'FAIL' ? 'warn' : 'info');
    return Promise.resolve();
  },
});
