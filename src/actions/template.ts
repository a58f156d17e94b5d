/**
 * Message templates (issue 19): an action's `template` option
 * `{"subject": "…", "body": "…"}`, or the site default
 * (`notifications.template`), rendered with Mustache — logic-less: no code
 * runs, unknown names render empty, partials are not available.
 *
 * Every `{{name}}` is escaped for the channel the text goes to (Telegram
 * MarkdownV2, Slack mrkdwn, nothing for plain-text channels); `{{{name}}}`
 * inserts a value raw. Then the channel's length limits apply (SMS segments,
 * Telegram 4096, Slack 3900, Pushover 1024, ntfy 3500 — see CHANNELS).
 */
import Mustache from 'mustache';
import { displayTime } from '../util/time.ts';
import { isFailing } from '../engine/state.ts';
import { clip } from './shared/options.ts';
import { stateTime } from './message.ts';
import type { Notification } from './types.ts';

// templates are small and few, but their number is not bounded by us: no global parse cache
Mustache.templateCache = undefined;

export { MAX_TEMPLATE, TemplateSchema, templateOption, type Template } from './template-schema.ts';
import type { Template } from './template-schema.ts';

/** Names a template may use, with what they hold (docs and the editor's help). */
export const TEMPLATE_FIELDS: Record<string, string> = {
  name: "the check's name",
  type: "the check's type, e.g. https",
  state: 'PASS, FAIL or PAUSED',
  level: 'the measured level, e.g. 91% (empty when none)',
  log: "the run's log lines",
  summary: 'one line on why it fails (empty when passing)',
  site: "the site's name",
  since: 'when the check entered this state (site time zone)',
  duration: 'how long it has been in this state, e.g. 1 h 5 min',
  at: 'when the notification was made (site time zone)',
  kind: 'transition, reminder or test',
  url: "the check's page (needs notifications.url)",
  ack: 'a signed one-click link that acknowledges this failure (needs notifications.url; empty when passing)',
  failing: 'true while failing (for {{#failing}}…{{/failing}} sections)',
  passing: 'true while passing',
  vantages: "a multi-vantage check: each vantage zone's view, one line each (empty for other checks)",
};

export type Channel = 'email' | 'sms' | 'telegram' | 'slack' | 'pushover' | 'ntfy' | 'webhook';

/** Telegram MarkdownV2: these characters must be escaped outside entities (core.telegram.org/bots/api#markdownv2-style). */
export function telegramEscape(s: string): string {
  return s.replace(/[_*[\]()~`>#+\-=|{}.!\\]/g, (c) => `\\${c}`);
}

/** Slack's three control characters (https://api.slack.com/reference/surfaces/formatting#escaping). */
export function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const plain = (s: string): string => s;

/** Per channel: how values are escaped and the most characters of subject and body. */
export const CHANNELS: Record<Channel, { escape: (s: string) => string; subject: number; body: number }> = {
  email: { escape: plain, subject: 250, body: 100_000 },
  sms: { escape: plain, subject: 0, body: 0 }, // body: SMS segments (smsClip)
  telegram: { escape: telegramEscape, subject: 0, body: 4096 },
  slack: { escape: slackEscape, subject: 0, body: 3900 },
  pushover: { escape: plain, subject: 250, body: 1024 },
  ntfy: { escape: plain, subject: 250, body: 3500 },
  webhook: { escape: plain, subject: 1024, body: 100_000 },
};

/** `1 h 5 min`, `3 min`, `2 d 4 h` (rounded down to minutes). */
export function durationText(ms: number): string {
  const min = Math.max(0, Math.floor(ms / 60_000));
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/** The values a template sees for a notification. */
export function templateView(n: Notification, url: string | null): Record<string, string | boolean> {
  const failing = isFailing(n.check.failState);
  const since = failing ? n.check.lastFail : n.check.lastPass;
  return {
    name: n.check.name,
    type: n.check.type,
    state: n.check.state,
    level: n.check.level ?? '',
    log: n.check.log.join('\n'),
    summary: n.check.summary,
    site: n.site,
    since: stateTime(n),
    duration: since === null ? '' : durationText(n.at - since),
    at: displayTime(n.at, n.check.zone),
    kind: n.kind,
    url: url ? `${url.replace(/\/+$/, '')}/check/${encodeURIComponent(n.check.name)}` : '',
    ack: n.ackUrl ?? '',
    failing,
    passing: !failing,
    vantages: n.check.vantages ?? '',
  };
}

/** Renders one template string; `{{x}}` escaped for the channel, `{{{x}}}` raw. */
export function renderText(template: string, view: Record<string, unknown>, escape: (s: string) => string): string {
  return Mustache.render(template, view, {}, { escape: (v: unknown) => escape(String(v)) });
}

/** Why a template cannot be used (unclosed section, bad tag), or null. */
export function templateProblem(template: string): string | null {
  try {
    Mustache.parse(template);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

/** GSM 03.38 basic set (+ extension table, which costs two septets). */
const GSM = new Set([...'@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà']);
const GSM_EXT = new Set([...'^{}\\[~]|€\f']);

/** Segments an SMS text needs: GSM-7 160 (153 each when split), else UCS-2 70 (67 each). */
export function smsSegments(text: string): { segments: number; units: number; gsm: boolean } {
  const chars = [...text];
  const gsm = chars.every((c) => GSM.has(c) || GSM_EXT.has(c));
  const units = gsm ? chars.reduce((n, c) => n + (GSM_EXT.has(c) ? 2 : 1), 0) : text.length;
  const single = gsm ? 160 : 70;
  const part = gsm ? 153 : 67;
  return { segments: units <= single ? 1 : Math.ceil(units / part), units, gsm };
}

/** Cuts an SMS text to at most `max` segments, ending in "..." (GSM) or "…" (so the cut never changes the alphabet). */
export function smsClip(text: string, max: number): string {
  if (smsSegments(text).segments <= max) return text;
  const more = smsSegments(text).gsm ? '...' : '\u2026';
  const chars = [...text];
  let lo = 0;
  let hi = chars.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (smsSegments(`${chars.slice(0, mid).join('')}${more}`).segments <= max) lo = mid;
    else hi = mid - 1;
  }
  return `${chars.slice(0, lo).join('')}${more}`;
}

export interface Rendered {
  subject: string | null;
  body: string | null;
}

/**
 * The action's template, else the site default: subject and body rendered
 * for `channel` and cut to its limits; null for a part neither gives (the
 * caller uses its built-in text).
 */
export function renderFor(channel: Channel, own: Template | undefined, n: Notification, escape?: (s: string) => string): Rendered {
  // a digest lists many checks: it keeps its built-in text
  if (n.kind === 'digest') return { subject: null, body: null };
  const t = { ...(n.template ?? {}), ...(own ?? {}) };
  const c = CHANNELS[channel];
  const view = templateView(n, n.url ?? null);
  const subject =
    t.subject === undefined
      ? null
      : renderText(t.subject, view, plain)
          .replace(/\s*[\r\n]+\s*/g, ' ')
          .trim();
  let body = t.body === undefined ? null : renderText(t.body, view, escape ?? c.escape);
  if (body !== null && c.body > 0 && body.length > c.body) {
    body = clip(body, c.body);
    // never end on a lone escape backslash (Telegram would refuse the message)
    if ((escape ?? c.escape) === telegramEscape) body = body.replace(/(^|[^\\])((\\\\)*)\\\u2026$/, '$1$2\u2026');
  }
  return { subject: subject === null ? null : c.subject > 0 ? clip(subject, c.subject) : subject, body };
}

/** A notification with the site's template defaults (set where notifications are made). */
export function withSiteDefaults(n: Notification, notifications: { template?: Template; url?: string }): Notification {
  return {
    ...n,
    ...(notifications.template ? { template: notifications.template } : {}),
    ...(notifications.url ? { url: notifications.url } : {}),
  };
}

/** The channel of an action type that sends text (null: it sends none, e.g. log). */
export function channelOf(type: string): Channel | null {
  return type in CHANNELS ? (type as Channel) : null;
}
