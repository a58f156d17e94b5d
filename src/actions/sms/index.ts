/**
 * `sms` (legacy `cksms`): the Cloudkinnekt SMS API of spec §5.5. One form
 * POST covers all recipients; fields in fletchck's order; `+` removed from
 * the numbers; success is HTTP 200 exactly.
 */
import { z } from 'zod';
import { defineAction, ActionError } from '../types.ts';
import { APP_ICON, smsText } from '../message.ts';
import { commonActionOptions, optionalSecret, recipients, secretValue, timeout } from '../shared/options.ts';
import { failFor, httpRequest, pyUrlencode } from '../shared/http.ts';
import { templateOption } from '../template-schema.ts';
import { renderFor, smsClip } from '../template.ts';

/** fletchck's CKURL (spec §11). */
export const CK_URL = 'https://sms-api.cloudkinnekt.au/smsp-in';

export const SmsOptions = z.looseObject({
  ...commonActionOptions,
  url: z.string().default(CK_URL).describe('API endpoint (fletchck CKURL)'),
  apikey: optionalSecret('API key, sent as "Authorization: Bearer <apikey>"'),
  sender: z.string().default('dedicated').describe('originator (a name, number or "dedicated")'),
  recipients: recipients('mobile numbers (one request for all; "+" is removed)'),
  timeout: timeout(5),
  site: z.string().default('').describe('text prefix before the icon (default none)'),
  icon: z.string().default(APP_ICON).describe('icon at the start of the text (default 🐶)'),
  template: templateOption,
  maxSegments: z
    .int()
    .min(1)
    .max(10)
    .default(3)
    .describe('siteward: longest text in SMS segments (160 GSM characters each, 153 when split; 70/67 with other characters); longer texts are cut'),
});

/** The request body of spec §5.5, byte for byte. */
export function smsForm(text: string, sender: string, numbers: readonly string[]): string {
  return pyUrlencode([
    ['originator', sender],
    ['mobile_number', numbers.join(',').replace(/\+/g, '')],
    ['concatenated', 'true'],
    ['utf', 'true'],
    ['text', text],
  ]);
}

export const sms = defineAction({
  type: 'sms',
  info: { summary: 'Sends a short text through the Cloudkinnekt SMS API (fletchck "cksms").', fletchck: true },
  options: SmsOptions,
  defaultTimeout: 5,
  async send(n, o, ctx) {
    if (o.recipients.length === 0) return;
    const apikey = await secretValue(o.apikey);
    const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
    if (apikey) headers.Authorization = `Bearer ${apikey}`;
    const secrets = apikey ? [apikey] : [];
    const t = renderFor('sms', o.template, n);
    const text = t.body ?? (t.subject !== null ? `${t.subject}\n${n.check.summary}`.trim() : smsText(n, o.site, o.icon));
    const body = smsForm(smsClip(text, o.maxSegments), o.sender, o.recipients);
    const res = await httpRequest(o.url, { method: 'POST', headers, body, secrets }, ctx);
    if (res.status === 200) return;
    // another 2xx may mean the text went out: do not risk sending it twice
    if (res.status > 200 && res.status < 300) throw new ActionError(`SMS API answered HTTP ${res.status}, not 200`, { permanent: true });
    failFor(res, o.url, ctx, secrets);
  },
});
