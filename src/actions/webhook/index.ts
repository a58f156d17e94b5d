/**
 * `webhook` (siteward): an HTTP request per notification, by default a JSON
 * POST of the notification; optional headers (values may be secrets) and a
 * body template.
 */
import { z } from 'zod';
import { defineAction } from '../types.ts';
import { commonActionOptions, secret, secretValue, timeout } from '../shared/options.ts';
import { httpSend } from '../shared/http.ts';
import { templateOption } from '../template-schema.ts';
import { renderFor } from '../template.ts';
import { fillJson, fillString, notificationJson, PLACEHOLDERS, unknownPlaceholders } from './payload.ts';

const placeholderList = Object.keys(PLACEHOLDERS)
  .map((k) => `{{${k}}}`)
  .join(' ');

export const WebhookOptions = z.looseObject({
  ...commonActionOptions,
  url: secret('http(s) URL to call'),
  method: z.enum(['POST', 'PUT', 'PATCH']).default('POST').describe('HTTP method'),
  headers: z.record(z.string(), secret('header value')).default({}).describe('extra request headers, name → value'),
  body: z
    .union([z.string(), z.looseObject({}), z.array(z.unknown())])
    .nullable()
    .default(null)
    .describe(
      `body template; null: the notification as JSON. A JSON object/array has its strings filled, a string is filled as text. Placeholders: ${placeholderList}`,
    )
    .refine((b) => unknownPlaceholders(b).length === 0, { message: `unknown placeholder; known: ${placeholderList}` }),
  contentType: z.string().nullable().default(null).describe('Content-Type; default application/json, or text/plain; charset=utf-8 for a string template'),
  template: templateOption.describe(
    'siteward: a message template; its rendered subject and body are added to the default JSON payload as "subject" and "text" (docs/actions.md "Message templates")',
  ),
  timeout: timeout(10),
});

export const webhook = defineAction({
  type: 'webhook',
  info: { summary: 'Calls an HTTP endpoint with the notification as JSON, or a body template.' },
  options: WebhookOptions,
  defaultTimeout: 10,
  async send(n, o, ctx) {
    const url = await secretValue(o.url);
    // error messages name the host only; the URL and header values are cut out anyway
    const secrets = [url];
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(o.headers)) {
      headers[k] = await secretValue(v);
      secrets.push(headers[k]);
    }
    let body: string;
    let type: string;
    if (o.body === null) {
      const t = renderFor('webhook', o.template, n);
      body = JSON.stringify({
        ...notificationJson(n),
        ...(t.subject !== null ? { subject: t.subject } : {}),
        ...(t.body !== null ? { text: t.body } : {}),
      });
      type = 'application/json';
    } else if (typeof o.body === 'string') {
      body = fillString(o.body, n);
      type = 'text/plain; charset=utf-8';
    } else {
      body = JSON.stringify(fillJson(o.body, n));
      type = 'application/json';
    }
    const hasType = Object.keys(headers).some((h) => h.toLowerCase() === 'content-type');
    if (!hasType) headers['Content-Type'] = o.contentType ?? type;
    await httpSend(url, { method: o.method, headers, body, secrets }, ctx);
  },
});
