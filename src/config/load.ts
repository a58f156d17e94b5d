/**
 * Validating a site document (spec §2.3) — every problem with its JSON path.
 * Unlike fletchck, one bad check or action (unknown type, bad trigger, unknown
 * reference, cycle) is reported and left inactive while the rest of the site
 * runs; only an unusable file (not JSON, not an object) is fatal.
 */
import { z } from 'zod';
import { actionType, actionTypes, LEGACY_ACTION_TYPES } from '../actions/registry.ts';
import { didYouMean } from '../util/suggest.ts';
import type { RunEnv } from '../checks/types.ts';
import { canonicalZone } from '../util/time.ts';
import { fromZod, quoteName, showValue, type Issue, type PathSegment } from './issues.ts';
import {
  ActionCommonSchema, ApiSchema, HistorySchema, MqttSchema, NotificationsSchema, PluginsSchema, SchedulerSchema, WebuiSchema,
} from './schema.ts';
import type { ActionEntry, CheckEntry } from './model.ts';
import { sectionTextIssues, textLimitIssues } from './text-limits.ts';
import { validateCheck } from './check-entry.ts';
import { findCycles } from './graph.ts';
import { isObject } from '../util/guard.ts';

export type WebuiConfig = z.output<typeof WebuiSchema>;
export type MqttConfig = z.output<typeof MqttSchema>;
export type ApiConfig = z.output<typeof ApiSchema>;

export interface SiteSettings {
  base: string;
  timezone: string | null;
  webui: WebuiConfig | null;
  mqtt: MqttConfig | null;
  /** siteward: the API listener (null = no section) */
  api: ApiConfig | null;
  plugins: z.output<typeof PluginsSchema>;
  history: z.output<typeof HistorySchema>;
  scheduler: z.output<typeof SchedulerSchema>;
  notifications: z.output<typeof NotificationsSchema>;
  /** the site's display name (webui.name, default Fletchck) */
  name: string;
}

export interface LoadedSite {
  /** the document as read (what saving writes back, so unknown keys survive) */
  doc: Record<string, unknown>;
  settings: SiteSettings;
  checks: Map<string, CheckEntry>;
  actions: Map<string, ActionEntry>;
  issues: Issue[];
  /** true when the document cannot be used at all */
  fatal: boolean;
}

/**
 * Longest name of a check, action or user (characters). Names travel in
 * URLs, MQTT topics, log lines and notifications; a longer one is a mistake.
 */
export const MAX_NAME = 1024;

function nameIssue(path: PathSegment[], name: string): Issue | null {
  return name.length > MAX_NAME
    ? { path, message: `the name is ${name.length} characters long; at most ${MAX_NAME} are allowed`, severity: 'error' }
    : null;
}

function section<S extends z.ZodType>(schema: S, value: unknown, key: string, issues: Issue[]): z.output<S> | null {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  issues.push(...fromZod(r.error, value, [key]));
  return null;
}

/** Validates a parsed document. `parseIssues` (duplicates, …) from the reader are merged in. */
export function validateSite(docIn: unknown, env: Pick<RunEnv, 'base'> & Partial<RunEnv>, parseIssues: Issue[] = []): LoadedSite {
  const issues: Issue[] = [...parseIssues];
  const empty = (): LoadedSite => ({
    doc: {}, checks: new Map(), actions: new Map(), issues, fatal: true,
    settings: {
      base: env.base, timezone: null, webui: null, mqtt: null, api: null, name: 'Fletchck',
      plugins: PluginsSchema.parse({}), history: HistorySchema.parse({}), scheduler: SchedulerSchema.parse({}),
      notifications: NotificationsSchema.parse({}),
    },
  });
  if (!isObject(docIn)) {
    if (docIn !== undefined) issues.push({ path: [], message: `the site file must hold a JSON object, got ${showValue(docIn)}`, severity: 'error' });
    return empty();
  }
  const doc = docIn;
  for (const key of ['checks', 'actions'] as const) {
    if (doc[key] !== undefined && doc[key] !== null && !isObject(doc[key])) {
      issues.push({ path: [key], message: `expected an object of name → ${key === 'checks' ? 'check' : 'action'}, got ${showValue(doc[key])}`, severity: 'error' });
      return { ...empty(), doc };
    }
  }

  // --- site settings
  let timezone: string | null = null;
  if (doc.timezone !== undefined && doc.timezone !== null) {
    timezone = typeof doc.timezone === 'string' ? canonicalZone(doc.timezone) : null;
    // an unknown zone name may be known to another host's zone database: a warning; a non-text is wrong
    if (typeof doc.timezone !== 'string') issues.push({ path: ['timezone'], message: `expected a time zone name, got ${showValue(doc.timezone)}`, severity: 'error' });
    else if (!timezone) issues.push({ path: ['timezone'], message: `${showValue(doc.timezone)} is not a known time zone; using host local time`, severity: 'warning' });
  }
  // written by fletchck and siteward, rewritten on every save
  if (doc.base !== undefined && doc.base !== null && typeof doc.base !== 'string') {
    issues.push({ path: ['base'], message: `expected the site folder as text, got ${showValue(doc.base)}`, severity: 'error' });
  }
  if (doc.log !== undefined && doc.log !== null) {
    if (!Array.isArray(doc.log)) issues.push({ path: ['log'], message: `expected a list of log lines, got ${showValue(doc.log)}`, severity: 'error' });
    else {
      const i = doc.log.findIndex((l) => typeof l !== 'string');
      if (i >= 0) issues.push({ path: ['log', i], message: `expected a log line (text), got ${showValue(doc.log[i])}`, severity: 'error' });
    }
  }
  issues.push(...sectionTextIssues(doc));
  const webui = isObject(doc.webui) ? section(WebuiSchema, doc.webui, 'webui', issues) : null;
  const mqtt = isObject(doc.mqtt) ? section(MqttSchema, doc.mqtt, 'mqtt', issues) : null;
  const api = isObject(doc.api) ? section(ApiSchema, doc.api, 'api', issues) : null;
  for (const k of ['webui', 'mqtt', 'api'] as const) {
    if (doc[k] !== undefined && doc[k] !== null && !isObject(doc[k])) {
      issues.push({ path: [k], message: `expected an object or null, got ${showValue(doc[k])}`, severity: 'error' });
    }
  }
  if (isObject(doc.webui) && isObject(doc.webui.users)) {
    for (const u of Object.keys(doc.webui.users)) {
      const bad = nameIssue(['webui', 'users', u], u);
      if (bad) issues.push(bad);
    }
  }
  const settings: SiteSettings = {
    base: env.base,
    timezone,
    webui,
    mqtt,
    api,
    plugins: section(PluginsSchema, doc.plugins, 'plugins', issues) ?? PluginsSchema.parse({}),
    history: section(HistorySchema, doc.history, 'history', issues) ?? HistorySchema.parse({}),
    scheduler: section(SchedulerSchema, doc.scheduler, 'scheduler', issues) ?? SchedulerSchema.parse({}),
    notifications: section(NotificationsSchema, doc.notifications, 'notifications', issues) ?? NotificationsSchema.parse({}),
    name: webui?.name ?? 'Fletchck',
  };
  const runEnv: RunEnv = {
    base: env.base, pluginDirs: env.pluginDirs ?? settings.plugins.dirs, sysRoot: env.sysRoot ?? '/sys', procRoot: env.procRoot ?? '/proc',
  };

  // --- actions (spec §5.1)
  const actions = new Map<string, ActionEntry>();
  for (const [name, raw] of Object.entries(isObject(doc.actions) ? doc.actions : {})) {
    const path: PathSegment[] = ['actions', name];
    const before = issues.length;
    const badName = nameIssue(path, name);
    if (badName) issues.push(badName);
    issues.push(...textLimitIssues(raw, path));
    const common = ActionCommonSchema.safeParse(raw);
    if (!common.success) {
      issues.push(...fromZod(common.error, raw, path));
      actions.set(name, { config: { name, type: isObject(raw) && typeof raw.type === 'string' ? raw.type : '?', options: {} }, opts: null, active: false });
      continue;
    }
    const type = LEGACY_ACTION_TYPES[common.data.type] ?? common.data.type;
    const t = actionType(type);
    const options = (common.data.options ?? {}) as Record<string, unknown>;
    let opts: Record<string, unknown> | null = null;
    if (!t) {
      issues.push({ path: [...path, 'type'], message: `unknown action type ${quoteName(common.data.type)}${didYouMean(common.data.type, actionTypes.map((x) => x.type))}`, severity: 'error' });
    } else {
      const r = t.options.safeParse(options);
      if (r.success) opts = r.data as Record<string, unknown>;
      else issues.push(...fromZod(r.error, options, [...path, 'options']));
    }
    actions.set(name, { config: { name, type, options }, opts, active: issues.length === before });
  }

  // --- checks (spec §2.3, §3.1)
  const checks = new Map<string, CheckEntry>();
  const badChecks = new Set<string>();
  const members = new Map<string, string[]>();
  let index = 0;
  for (const [name, raw] of Object.entries(isObject(doc.checks) ? doc.checks : {})) {
    const v = validateCheck(name, raw, timezone, runEnv);
    const badName = nameIssue(['checks', name], name);
    if (badName) issues.push(badName);
    issues.push(...v.issues);
    if (badName || v.issues.some((i) => i.severity === 'error')) badChecks.add(name);
    if (v.members.length) members.set(name, v.members);
    checks.set(name, { ...v.entry, active: true, index: index++ });
  }

  // --- references between checks and actions
  for (const [name, e] of checks) {
    const path: PathSegment[] = ['checks', name];
    e.config.actions.forEach((a, i) => {
      if (!actions.has(a)) {
        issues.push({ path: [...path, 'actions', i], message: `unknown action ${quoteName(a)}`, severity: 'error' });
        badChecks.add(name);
      }
    });
    e.config.depends.forEach((d, i) => {
      if (d === name) {
        issues.push({ path: [...path, 'depends', i], message: 'a check cannot depend on itself', severity: 'error' });
        badChecks.add(name);
      } else if (!checks.has(d)) {
        issues.push({ path: [...path, 'depends', i], message: `unknown check ${quoteName(d)}`, severity: 'error' });
        badChecks.add(name);
      }
    });
    (members.get(name) ?? []).forEach((m, i) => {
      if (m === name) {
        issues.push({ path: [...path, 'options', 'checks', i], message: 'a sequence cannot contain itself', severity: 'error' });
        badChecks.add(name);
      } else if (!checks.has(m)) {
        issues.push({ path: [...path, 'options', 'checks', i], message: `unknown check ${quoteName(m)}`, severity: 'error' });
        badChecks.add(name);
      }
    });
  }
  // sequences nested in each other (fletchck recurses without limit, spec §4.13 [bug])
  for (const cycle of findCycles(members)) {
    for (const n of cycle) {
      issues.push({ path: ['checks', n, 'options', 'checks'], message: `sequences contain each other: ${[...cycle, cycle[0]].join(' → ')}`, severity: 'error' });
      badChecks.add(n);
    }
  }
  const deps = new Map([...checks].map(([n, e]) => [n, e.config.depends]));
  for (const cycle of findCycles(deps)) {
    for (const n of cycle) {
      issues.push({ path: ['checks', n, 'depends'], message: `dependency cycle: ${[...cycle, cycle[0]].join(' → ')}`, severity: 'error' });
      badChecks.add(n);
    }
  }
  // duplicate names reported by the reader make that check inactive too
  for (const i of parseIssues) {
    if (i.path.length === 2 && i.path[0] === 'checks' && typeof i.path[1] === 'string') badChecks.add(i.path[1]);
  }
  for (const n of badChecks) {
    const e = checks.get(n);
    if (e) e.active = false;
  }
  for (const i of parseIssues) {
    if (i.path.length === 2 && i.path[0] === 'actions' && typeof i.path[1] === 'string') {
      const a = actions.get(i.path[1]);
      if (a) a.active = false;
    }
  }
  return { doc, settings, checks, actions, issues, fatal: false };
}
