/**
 * `push` — a passive check fed by heartbeats (Healthchecks / Uptime Kuma
 * push, the hbd heartbeat): `GET` or `POST /push/<token>` records one; the
 * check fails when none arrived within `timeout` + `grace` seconds, or when
 * the last one said `status=fail`. A heartbeat goes to the engine as an
 * outcome at once (hub.ts); lateness is noticed by the check's own scheduled
 * runs, so give it a trigger (e.g. every minute). The token is
 * generated when left empty (src/checks/push/hub.ts) and saved in the file.
 */
import { z } from 'zod';
import { defineCheck } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { displayTime } from '../../util/time.ts';
import { latest, type Heartbeat } from './heartbeat.ts';
import type { CheckState } from '../../engine/state.ts';
import type { Outcome } from '../types.ts';

/** 16–128 URL-safe characters: long enough not to be guessed. */
export const PUSH_TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

export const PushOptions = z.looseObject({
  ...commonCheckOptions,
  token: z
    .union([z.literal(''), z.string().regex(PUSH_TOKEN, 'must be 16–128 characters A–Z a–z 0–9 _ -')])
    .default('')
    .describe('secret in the push URL /push/<token>; generated (and saved) when empty')
    .meta({ secret: true }),
  timeout: z.number().positive().default(3600).describe('seconds expected between heartbeats'),
  grace: z.number().min(0).default(300).describe('extra seconds allowed before a late heartbeat fails the check'),
});

function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 360) / 10} h`;
}

type PushOpts = z.output<typeof PushOptions>;

/**
 * The outcome of a push check at `now` for its last heartbeat: the same rule
 * for a heartbeat as it arrives (hub.ts) and for a scheduled run.
 */
export function assess(o: PushOpts, hb: Heartbeat | null, now: number, zone: string | null, state: CheckState): Outcome {
  if (!o.token) return { fail: true, log: ['No push token yet: it is generated when the API or web UI is running'] };
  if (!hb) return { fail: true, log: ['No heartbeat received yet'] };
  const age = Math.max(0, now - hb.t);
  const limit = (o.timeout + o.grace) * 1000;
  const at = displayTime(hb.t, zone);
  const metrics = [
    { name: 'heartbeat_timestamp', value: hb.t / 1000, unit: 's' },
    { name: 'heartbeat_age', value: age / 1000, unit: 's', crit: limit / 1000, min: 0 },
    { name: 'heartbeat_failed', value: hb.fail ? 1 : 0, min: 0, max: 1 },
  ];
  if (hb.fail) {
    const log = hb.restored && state.log.length ? state.log : [`Failure reported at ${at}${hb.msg ? `: ${hb.msg}` : ''}`];
    return { fail: true, log, metrics };
  }
  if (age > limit) {
    return { fail: true, log: [`No heartbeat for ${seconds(age)} (timeout ${o.timeout} s + grace ${o.grace} s), last at ${at}`], metrics };
  }
  // the state's own line for this heartbeat keeps its message
  const line = hb.restored && state.log[0]?.startsWith('Heartbeat at ') ? state.log[0] : `Heartbeat at ${at}${hb.msg ? `: ${hb.msg}` : ''}`;
  return { fail: false, log: [line], metrics };
}

export const push = defineCheck({
  type: 'push',
  info: {
    summary: 'Passive heartbeat: cron jobs and remote hosts call /push/<token> (optionally with status=fail and msg=).',
    pass: 'the last heartbeat arrived within `timeout` + `grace` seconds and did not report a failure.',
  },
  options: PushOptions,
  // `timeout` is the heartbeat period here, not a run timeout (as for `remote`)
  defaultTimeout: null,
  retries: false,
  async run(o, ctx) {
    // a scheduled run: is the last heartbeat (in the check's state) late?
    return assess(o, latest(ctx.check.state), ctx.now(), ctx.zone, ctx.check.state);
  },
});
