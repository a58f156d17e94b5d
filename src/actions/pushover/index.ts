/**
 * `pushover` (siteward): the Pushover message API
 * (https://pushover.net/api), a form POST; priority by state.
 */
import { z } from 'zod';
import { ActionError, defineAction } from '../types.ts';
import { emailBody, emailSubject } from '../message.ts';
import { commonActionOptions, clip, messageOptions, secret, secretValue, timeout } from '../shared/options.ts';
import { failFor, httpRequest, pyUrlencode, redact } from '../shared/http.ts';
import { isFailing } from '../../engine/state.ts';
import { templateOption } from '../template-schema.ts';
import { renderFor } from '../template.ts';

// 2 (emergency) needs retry/expire parameters and acknowledgement: not offered
const priority = (dflt: number, when: string): z.ZodDefault<z.ZodInt> =>
  z.int().min(-2).max(1).default(dflt).describe(`Pushover priority ${when} (-2 … 1; default ${dflt})`);

export const PushoverOptions = z.looseObject({
  ...commonActionOptions,
  apiUrl: z.string().default('https://api.pushover.net/1/messages.json').describe('messages API URL'),
  token: secret('application API token'),
  user: secret('user or group key'),
  device: z.string().nullable().default(null).describe('device name(s), comma separated; default all'),
  sound: z.string().nullable().default(null).describe('notification sound name'),
  priorityFail: priority(1, 'for FAIL'),
  priorityPass: priority(0, 'for PASS'),
  ...messageOptions,
  template: templateOption,
  timeout: timeout(10),
});

interface PushoverReply {
  status?: number;
  errors?: string[];
}

export const pushover = defineAction({
  type: 'pushover',
  info: { summary: 'Sends a push notification through Pushover.' },
  options: PushoverOptions,
  defaultTimeout: 10,
  async send(n, o, ctx) {
    const token = await secretValue(o.token);
    const user = await secretValue(o.user);
    const t = renderFor('pushover', o.template, n);
    const fields: [string, string][] = [
      ['token', token],
      ['user', user],
      ['title', t.subject ?? clip(emailSubject(n, o.site ?? n.site), 250)],
      ['message', t.body ?? clip(emailBody(n, o.icon), 1024)],
      ['priority', String(isFailing(n.check.failState) ? o.priorityFail : o.priorityPass)],
      ['timestamp', String(Math.floor(n.at / 1000))],
    ];
    if (o.device) fields.push(['device', o.device]);
    if (o.sound) fields.push(['sound', o.sound]);
    const secrets = [token, user];
    const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
    const res = await httpRequest(o.apiUrl, { method: 'POST', headers, body: pyUrlencode(fields), secrets }, ctx);
    let reply: PushoverReply = {};
    try {
      reply = JSON.parse(res.text) as PushoverReply;
    } catch {
      // the status decides
    }
    if (res.status === 200 && reply.status !== 0) return;
    if (res.status === 200) throw new ActionError(redact(`Pushover: ${reply.errors?.join('; ') ?? 'refused'}`, secrets), { permanent: true });
    failFor(res, o.apiUrl, ctx, secrets, reply.errors?.join('; '));
  },
});
