/**
 * `telegram` (siteward): the Bot API's sendMessage
 * (https://core.telegram.org/bots/api#sendmessage), plain text so no
 * markup escaping can break a message. `apiUrl` points at a local Bot API
 * server (or a test receiver).
 */
import { z } from 'zod';
import { defineAction } from '../types.ts';
import { emailBody, emailSubject } from '../message.ts';
import { commonActionOptions, clip, messageOptions, secret, secretValue, timeout } from '../shared/options.ts';
import { failFor, httpRequest } from '../shared/http.ts';
import { ActionError } from '../types.ts';
import { isFailing } from '../../engine/state.ts';

export const TelegramOptions = z.looseObject({
  ...commonActionOptions,
  apiUrl: z.string().default('https://api.telegram.org').describe('Bot API base URL'),
  token: secret('bot token from @BotFather'),
  chatId: z.union([z.string().min(1), z.int()]).describe('chat, group or channel id (or @channelname)'),
  silentPass: z.boolean().default(false).describe('deliver PASS messages without a sound'),
  ...messageOptions,
  timeout: timeout(10),
});

interface TelegramReply {
  ok?: boolean;
  description?: string;
  parameters?: { retry_after?: number };
}

export const telegram = defineAction({
  type: 'telegram',
  info: { summary: 'Sends a message to a Telegram chat through a bot.' },
  options: TelegramOptions,
  defaultTimeout: 10,
  async send(n, o, ctx) {
    const token = await secretValue(o.token);
    const url = `${o.apiUrl.replace(/\/+$/, '')}/bot${token}/sendMessage`;
    const text = clip(`${emailSubject(n, o.site ?? n.site)}\n\n${emailBody(n, o.icon)}`, 4096);
    const body = JSON.stringify({
      chat_id: o.chatId, text, disable_web_page_preview: true, disable_notification: o.silentPass && !isFailing(n.check.failState),
    });
    const secrets = [token];
    const res = await httpRequest(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body, secrets }, ctx);
    let reply: TelegramReply = {};
    try {
      reply = JSON.parse(res.text) as TelegramReply;
    } catch {
      // not JSON (a proxy's error page): the status decides
    }
    if (res.status === 200 && reply.ok !== false) return;
    if (res.status === 429 && reply.parameters?.retry_after !== undefined) {
      throw new ActionError(`Telegram: HTTP 429 ${reply.description ?? ''}`.trim(), { retryAfterMs: reply.parameters.retry_after * 1000 });
    }
    failFor(res, url, ctx, secrets, reply.description);
  },
});
