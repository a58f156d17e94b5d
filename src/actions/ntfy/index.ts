/**
 * `ntfy` (siteward): a push message to a topic on any ntfy server
 * (https://docs.ntfy.sh/publish/), published as JSON to the server root so
 * titles with emoji need no header encoding. Priority and tags by state.
 */
import { z } from 'zod';
import { defineAction } from '../types.ts';
import { emailBody, emailSubject } from '../message.ts';
import { commonActionOptions, clip, messageOptions, optionalSecret, secretValue, timeout } from '../shared/options.ts';
import { httpSend } from '../shared/http.ts';
import { isFailing } from '../../engine/state.ts';
import { templateOption } from '../template-schema.ts';
import { renderFor } from '../template.ts';

const priority = (dflt: number, when: string): z.ZodDefault<z.ZodInt> =>
  z.int().min(1).max(5).default(dflt).describe(`ntfy priority ${when} (1 min … 5 max; default ${dflt})`);

export const NtfyOptions = z.looseObject({
  ...commonActionOptions,
  server: z.string().default('https://ntfy.sh').describe('ntfy server base URL'),
  topic: z.string().min(1).describe('topic to publish to'),
  token: optionalSecret('access token (Authorization: Bearer)'),
  username: z.string().nullable().default(null).describe('user for basic auth (with password)'),
  password: optionalSecret('password for basic auth'),
  priorityFail: priority(4, 'for FAIL'),
  priorityPass: priority(3, 'for PASS'),
  tagsFail: z.array(z.string()).default(['rotating_light']).describe('tags (emoji short codes) for FAIL'),
  tagsPass: z.array(z.string()).default(['white_check_mark']).describe('tags for PASS'),
  click: z.string().nullable().default(null).describe('URL opened when the notification is tapped'),
  ...messageOptions,
  template: templateOption,
  timeout: timeout(10),
});

export const ntfy = defineAction({
  type: 'ntfy',
  info: { summary: 'Publishes to a topic on an ntfy server (ntfy.sh or self-hosted).' },
  options: NtfyOptions,
  defaultTimeout: 10,
  async send(n, o, ctx) {
    const failing = isFailing(n.check.failState);
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    const secrets: string[] = [];
    const token = await secretValue(o.token);
    if (token) {
      headers.Authorization = `Bearer ${token}`;
      secrets.push(token);
    } else if (o.username) {
      const password = await secretValue(o.password);
      headers.Authorization = `Basic ${Buffer.from(`${o.username}:${password}`).toString('base64')}`;
      secrets.push(password, headers.Authorization.slice(6));
    }
    const t = renderFor('ntfy', o.template, n);
    const body = {
      topic: o.topic,
      title: t.subject ?? clip(emailSubject(n, o.site ?? n.site), 250),
      // ntfy turns messages over 4096 bytes into attachments
      message: t.body ?? clip(emailBody(n, o.icon), 3500),
      priority: failing ? o.priorityFail : o.priorityPass,
      tags: failing ? o.tagsFail : o.tagsPass,
      ...(o.click ? { click: o.click } : {}),
    };
    await httpSend(o.server.replace(/\/+$/, '/'), { method: 'POST', headers, body: JSON.stringify(body), secrets }, ctx);
  },
});
