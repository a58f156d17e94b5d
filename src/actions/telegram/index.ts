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
import type { Notification } from '../types.ts';
import { templateOption, type Template } from '../template-schema.ts';
import { renderFor, renderText, templateView } from '../template.ts';

export const TelegramOptions = z.looseObject({
  ...commonActionOptions,
  apiUrl: z.string().default('https://api.telegram.org').describe('Bot API base URL'),
  token: secret('bot token from @BotFather'),
  chatId: z.union([z.string().min(1), z.int()]).describe('chat, group or channel id (or @channelname)'),
  silentPass: z.boolean().default(false).describe('deliver PASS messages without a sound'),
  ...messageOptions,
  template: templateOption,
  timeout: timeout(10),
});

/**
 * The message: the built-in one as plain text; a template's body as
 * MarkdownV2 with every value escaped (the template's own text is the
 * markup). A templated text over Telegram's 4096 characters is sent as plain
 * text instead, as cutting markup could leave an entity open.
 */
export function telegramText(n: Notification, o: { site: string | null; icon: string; template?: Template }): { text: string; markdown: boolean } {
  const t = renderFor('telegram', o.template, n);
  const subject = t.subject ?? emailSubject(n, o.site ?? n.site);
  if (t.body === null) return { text: clip(`${subject}\n\n${emailBody(n, o.icon)}`, 4096), markdown: false };
  const own = { ...(n.template ?? {}), ...(o.template ?? {}) };
  if (t.body.length < 4096 || own.body === undefined) return { text: t.body, markdown: true };
  return {
    text: clip(
      renderText(own.body, templateView(n, n.url ?? null), (s) => s),
      4096,
    ),
    markdown: false,
  };
}

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
    const m = telegramText(n, o);
    const body = JSON.stringify({
      chat_id: o.chatId,
      text: m.text,
      ...(m.markdown ? { parse_mode: 'MarkdownV2' } : {}),
      disable_web_page_preview: true,
      disable_notification: o.silentPass && !isFailing(n.check.failState),
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
