/**
 * Site state → API JSON. Secret options (every option the registry marks
 * secret: passwords, tokens, keys, webhook URLs, …) are shown to admin
 * tokens only; below admin they are redacted by src/config/redact.ts, the
 * same redaction the web UI uses.
 */
import type { z } from 'zod';
import type { ApiSite } from './api-site.ts';
import type { CheckEntry } from '../config/model.ts';
import { stateText } from '../engine/state.ts';
import { apiIssues } from './errors.ts';
import { redactEntry, type EntryKind } from '../config/redact.ts';
import type { ActionViewSchema, CheckDetailSchema, CheckSummarySchema } from './schemas.ts';
import { isObject } from '../util/guard.ts';

export const iso = (t: number | null | undefined): string | null => (t === null || t === undefined ? null : new Date(t).toISOString());

/** A copy of a check or action entry without its runtime `data`, its secrets redacted unless `showSecrets`. */
export function redact(kind: EntryKind, entry: unknown, showSecrets: boolean): Record<string, unknown> {
  if (!isObject(entry)) return {};
  const { data: _data, ...rest } = entry;
  return showSecrets ? rest : redactEntry(kind, rest);
}

import { rawCheck, rawAction } from '../config/raw.ts';

export { rawCheck, rawAction };

export function checkSummary(site: ApiSite, e: CheckEntry): z.infer<typeof CheckSummarySchema> {
  const name = e.config.name;
  const s = site.state(name);
  return {
    name,
    type: e.config.type,
    displayType: site.runtime.displayType(e),
    active: e.active,
    paused: e.config.paused,
    state: stateText(s, e.config.paused),
    level: s.level,
    softFail: s.softFail,
    failCount: s.failCount,
    lastCheck: iso(s.lastCheck),
    lastPass: iso(s.lastPass),
    lastFail: iso(s.lastFail),
    nextRun: iso(site.nextRun(name)),
    ...opsView(site, name),
    owner: ownerOf(site, name),
  };
}

/** In a zone, the node that runs the check; a local check (each node its own) is this node's. */
function ownerOf(site: ApiSite, name: string): string | null {
  const z = site.zone;
  if (!z) return null;
  const o = z.owner(name);
  return o === '*' ? z.node : o;
}

/** The check's acknowledgement and maintenance window now (src/ops). */
export function opsView(site: ApiSite, name: string): Pick<z.infer<typeof CheckSummarySchema>, 'ack' | 'maintenance'> {
  const a = site.ops.ack(name);
  const m = site.ops.maintenance(name);
  return {
    ack: a ? { by: a.by, at: iso(a.at)!, comment: a.comment } : null,
    maintenance: m ? { window: m.window, start: iso(m.start)!, end: iso(m.end)!, reason: m.reason, by: m.by } : null,
  };
}

export function checkDetail(site: ApiSite, e: CheckEntry, showSecrets: boolean): z.infer<typeof CheckDetailSchema> {
  const name = e.config.name;
  const s = site.state(name);
  return {
    ...checkSummary(site, e),
    failState: s.failState,
    log: s.log,
    metrics: s.metrics.map((m) => ({ name: m.name, value: m.value, ...(m.unit !== undefined ? { unit: m.unit } : {}) })),
    lastUpdate: iso(s.lastUpdate),
    config: redact('check', rawCheck(site.loaded, name), showSecrets),
    issues: apiIssues(site.issuesFor(name), ['checks', name]),
  };
}

export function actionView(site: ApiSite, name: string, showSecrets: boolean): z.infer<typeof ActionViewSchema> | undefined {
  const a = site.action(name);
  if (!a) return undefined;
  const checks = [...site.loaded.checks.values()].filter((e) => e.config.actions.includes(name)).map((e) => e.config.name);
  const issues = site.loaded.issues.filter((i) => i.path[0] === 'actions' && i.path[1] === name);
  return {
    name,
    type: a.config.type,
    active: a.active,
    config: redact('action', rawAction(site.loaded, name), showSecrets),
    checks,
    issues: apiIssues(issues, ['actions', name]),
  };
}

/** `?from=`/`?to=`: ISO 8601 or ms since the epoch. */
export function parseTime(v: string | undefined, dflt: number): number | null {
  if (v === undefined || v === '') return dflt;
  if (/^\d+$/.test(v)) return Number(v);
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
}

/** `30d`, `12h`, `90m` or an ISO time → an instant; null when unreadable. */
export function parseExpiry(v: string, now: number): number | null {
  const m = /^(\d+)\s*([dhm])$/i.exec(v.trim());
  if (m) return now + Number(m[1]) * { d: 86_400_000, h: 3_600_000, m: 60_000 }[m[2].toLowerCase() as 'd' | 'h' | 'm'];
  const t = Date.parse(v);
  return Number.isNaN(t) ? null : t;
}

/**
 * What an API client sent, as it is stored: without `name` and runtime `data`.
 * (Only admin tokens write, and they see secrets unmasked, so a masked value
 * never comes back in a write.)
 */
export function storable(input: Record<string, unknown>): Record<string, unknown> {
  const { data: _data, name: _name, ...entry } = input;
  return entry;
}

/** RFC 7396 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
