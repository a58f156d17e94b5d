/**
 * What the webhook sends: by default the notification as JSON; or the
 * user's `body` template with `{{placeholder}}`s filled in. A template that
 * is a JSON object/array has its string leaves filled (so no escaping can go
 * wrong); a string template is filled as text.
 */
import { APP_ICON, emailBody, emailSubject, stateTime } from '../message.ts';
import type { Notification } from '../types.ts';

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

/** The default JSON body (stable keys; times in ISO-8601 UTC). */
export function notificationJson(n: Notification): Record<string, unknown> {
  const c = n.check;
  return {
    id: n.id ?? null,
    site: n.site,
    kind: n.kind,
    at: iso(n.at),
    title: emailSubject(n, n.site),
    message: emailBody(n, APP_ICON),
    check: {
      name: c.name,
      type: c.type,
      state: c.state,
      failState: c.failState,
      softFail: c.softFail,
      level: c.level,
      summary: c.summary,
      log: c.log,
      lastFail: iso(c.lastFail),
      lastPass: iso(c.lastPass),
      lastCheck: iso(c.lastCheck),
      ...(c.vantages !== undefined ? { vantages: c.vantages.split('\n') } : {}),
    },
    ...(n.items ? { items: n.items.map((i) => ({ ...i, at: iso(i.at) })) } : {}),
    // issue 19: the signed one-click acknowledgement link of a failure (src/ops/ack-link.ts)
    ...(n.ackUrl ? { ackUrl: n.ackUrl } : {}),
  };
}

export const PLACEHOLDERS: Record<string, (n: Notification) => string> = {
  id: (n) => n.id ?? '',
  site: (n) => n.site,
  kind: (n) => n.kind,
  at: (n) => new Date(n.at).toISOString(),
  name: (n) => n.check.name,
  type: (n) => n.check.type,
  state: (n) => n.check.state,
  summary: (n) => n.check.summary,
  level: (n) => n.check.level ?? '',
  time: (n) => stateTime(n),
  log: (n) => n.check.log.join('\n'),
  vantages: (n) => n.check.vantages ?? '',
  title: (n) => emailSubject(n, n.site),
  message: (n) => emailBody(n, APP_ICON),
  ack: (n) => n.ackUrl ?? '',
};

const PATTERN = /\{\{\s*([A-Za-z]+)\s*\}\}/g;

/** Placeholder names in a template that are not known (for config validation). */
export function unknownPlaceholders(template: unknown): string[] {
  const out = new Set<string>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      for (const m of v.matchAll(PATTERN)) if (!(m[1] in PLACEHOLDERS)) out.add(m[1]);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v !== null && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(template);
  return [...out];
}

export function fillString(template: string, n: Notification): string {
  return template.replace(PATTERN, (whole, key: string) => (key in PLACEHOLDERS ? PLACEHOLDERS[key](n) : whole));
}

/** Fills the string leaves (and keys) of a JSON template. */
export function fillJson(template: unknown, n: Notification): unknown {
  if (typeof template === 'string') return fillString(template, n);
  if (Array.isArray(template)) return template.map((v) => fillJson(v, n));
  if (template !== null && typeof template === 'object') {
    return Object.fromEntries(Object.entries(template).map(([k, v]) => [fillString(k, n), fillJson(v, n)]));
  }
  return template;
}
