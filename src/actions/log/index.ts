/**
 * `log` — writes `<check> (<type>): <STATE>` to the site log at WARNING
 * (spec §5.3), so it shows on the Log page. Always succeeds.
 */
import { z } from 'zod';
import { defineAction } from '../types.ts';

export const LogOptions = z.looseObject({});

export const log = defineAction({
  type: 'log',
  info: { summary: 'Writes the transition to the site log (the Log page).', fletchck: true },
  options: LogOptions,
  defaultTimeout: 1,
  send(n, _o, ctx) {
    ctx.warn(`${n.check.name} (${n.check.type}): ${n.check.state}`);
    return Promise.resolve();
  },
});
