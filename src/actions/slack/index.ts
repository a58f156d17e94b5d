/**
 * `slack` (siteward): an incoming-webhook message
 * (https://api.slack.com/messaging/webhooks). Mattermost and Rocket.Chat
 * accept the same JSON on their incoming webhooks.
 */
import { z } from 'zod';
import { defineAction } from '../types.ts';
import { emailBody, emailSubject } from '../message.ts';
import { commonActionOptions, clip, messageOptions, secret, secretValue, timeout } from '../shared/options.ts';
import { httpSend } from '../shared/http.ts';
import { templateOption } from '../template-schema.ts';
import { renderFor, slackEscape } from '../template.ts';

export const SlackOptions = z.looseObject({
  ...commonActionOptions,
  url: secret('incoming webhook URL (it is a credential)'),
  channel: z.string().nullable().default(null).describe('channel override (Mattermost, Rocket.Chat, legacy Slack webhooks)'),
  username: z.string().nullable().default(null).describe('sender name override'),
  iconEmoji: z.string().nullable().default(null).describe('sender icon, e.g. :dog:'),
  escape: z.boolean().default(true).describe('escape &, < and > as Slack requires; turn off for Mattermost, which shows the entities'),
  ...messageOptions,
  template: templateOption,
  timeout: timeout(10),
});

export { slackEscape };

export const slack = defineAction({
  type: 'slack',
  info: { summary: 'Posts to a Slack, Mattermost or Rocket.Chat incoming webhook.' },
  options: SlackOptions,
  defaultTimeout: 10,
  async send(n, o, ctx) {
    const url = await secretValue(o.url);
    const esc = o.escape ? slackEscape : (s: string): string => s;
    // a template's body is mrkdwn with its values escaped (src/actions/template.ts)
    const t = renderFor('slack', o.template, n, o.escape ? undefined : (s: string) => s);
    const text = t.body !== null ? t.body : clip(`*${esc(t.subject ?? emailSubject(n, o.site ?? n.site))}*\n${esc(emailBody(n, o.icon))}`, 3900);
    const body = {
      text,
      ...(o.channel ? { channel: o.channel } : {}),
      ...(o.username ? { username: o.username } : {}),
      ...(o.iconEmoji ? { icon_emoji: o.iconEmoji } : {}),
    };
    await httpSend(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), secrets: [url] }, ctx);
  },
});
