/**
 * What the action editor's preview shows: the form's template (or the
 * site default, or the built-in text) rendered for a sample failing check
 * exactly as the action type sends it — escaping, limits, SMS segments.
 */
import { actionType } from '../actions/registry.ts';
import { testNotification } from '../actions/test-notification.ts';
import { emailBody, emailSubject, smsText } from '../actions/message.ts';
import { channelOf, renderFor, smsClip, smsSegments, withSiteDefaults } from '../actions/template.ts';
import { telegramText } from '../actions/telegram/index.ts';
import type { WebSite } from './web-site.ts';

type Obj = Record<string, unknown>;

export interface PreviewData {
  /** why there is no preview (a type that sends no text, a broken template) */
  problem?: string;
  subject: string | null;
  body: string;
  /** how the body is sent, e.g. "MarkdownV2" or "plain text"; and its limit */
  format: string;
  /** e.g. "2 SMS segments" */
  size: string;
}

export function previewOf(type: string, options: Obj, templateError: string | undefined, site: Pick<WebSite, 'name' | 'settings' | 'clock'>): PreviewData {
  const none = (problem: string): PreviewData => ({ problem, subject: null, body: '', format: '', size: '' });
  const t = actionType(type);
  const channel = channelOf(t?.type ?? '');
  if (!t || !channel) return none('This action type sends no message text.');
  if (templateError) return none(`The template cannot be used: ${templateError}`);
  const parsed = t.options.safeParse(options);
  if (!parsed.success) return none(`Fix the options first: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  const o = parsed.data as Obj & {
    template?: { subject?: string; body?: string };
    site?: string | null;
    icon?: string;
    maxSegments?: number;
    escape?: boolean;
  };
  const n = withSiteDefaults(
    testNotification(site.name, site.settings.timezone, site.clock.now(), () => 0.5),
    site.settings.notifications,
  );
  const prefix = typeof o.site === 'string' ? o.site : site.name;
  const icon = o.icon ?? '';
  if (channel === 'telegram') {
    const m = telegramText(n, { site: o.site ?? null, icon, template: o.template });
    return {
      subject: null,
      body: m.text,
      format: m.markdown ? 'Telegram MarkdownV2, values escaped' : 'plain text',
      size: `${m.text.length} of 4096 characters`,
    };
  }
  const r = renderFor(channel, o.template, n, channel === 'slack' && o.escape === false ? (s) => s : undefined);
  if (channel === 'sms') {
    const text = smsClip(r.body ?? (r.subject !== null ? `${r.subject}\n${n.check.summary}`.trim() : smsText(n, prefix, icon)), o.maxSegments ?? 3);
    const seg = smsSegments(text);
    return {
      subject: null,
      body: text,
      format: seg.gsm ? 'SMS, GSM characters' : 'SMS, Unicode',
      size: `${seg.segments} of at most ${o.maxSegments ?? 3} segments`,
    };
  }
  const subject = r.subject ?? emailSubject(n, prefix);
  const body = r.body ?? emailBody(n, icon);
  const format = channel === 'slack' ? 'Slack mrkdwn, values escaped' : channel === 'webhook' ? 'added to the JSON as "subject" and "text"' : 'plain text';
  return { subject: channel === 'slack' ? null : subject, body, format, size: `${body.length} characters` };
}
