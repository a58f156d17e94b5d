/**
 * Validating a site document (spec §2.3) — every problem with its JSON path.
 * Unlike fletchck, one bad check or action (unknown type, bad trigger, unknown
 * reference, cycle) is reported and left inactive while the rest of the site
 * runs; only an unusable file (not JSON, not an object) is fatal.
 */
import { z } from 'zod';
import { checkType } from '../checks/registry.ts';
import { actionType, LEGACY_ACTION_TYPES } from '../actions/registry.ts';
import type { RunEnv } from '../checks/types.ts';
import { canonicalZone } from '../util/time.ts';
import { fromZod, showValue, type Issue, type PathSegment } from './issues.ts';
import {
  ActionCommonSchema, ApiSchema, CheckCommonSchema, HistorySchema, MqttSchema, PluginsSchema, SchedulerSchema, WebuiSchema,
} from './schema.ts';
import { compileTrigger } from './trigger.ts';
import { CHECK_DEFAULTS, type ActionEntry, type CheckConfig, type CheckEntry } from './model.ts';
import { findCycles } from './graph.ts';

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

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

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
    if (!timezone) issues.push({ path: ['timezone'], message: `${showValue(doc.timezone)} is not a known time zone; using host local time`, severity: 'warning' });
  }
  const webui = isObject(doc.webui) ? section(WebuiSchema, doc.webui, 'webui', issues) : null;
  const mqtt = isObject(doc.mqtt) ? section(MqttSchema, doc.mqtt, 'mqtt', issues) : null;
  const api = isObject(doc.api) ? section(ApiSchema, doc.api, 'api', issues) : null;
  for (const k of ['webui', 'mqtt', 'api'] as const) {
    if (doc[k] !== undefined && doc[k] !== null && !isObject(doc[k])) {
      issues.push({ path: [k], message: `expected an object or null, got ${showValue(doc[k])}`, severity: 'error' });
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
      issues.push({ path: [...path, 'type'], message: `unknown action type ${JSON.stringify(common.data.type)}`, severity: 'error' });
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
    const path: PathSegment[] = ['checks', name];
    const before = issues.length;
    const common = CheckCommonSchema.safeParse(raw);
    const r = (isObject(raw) ? raw : {}) as Record<string, unknown>;
    if (!common.success) issues.push(...fromZod(common.error, raw, path));
    const c = common.success ? common.data : null;
    const config: CheckConfig = {
      name,
      type: typeof r.type === 'string' ? r.type : '?',
      subType: c?.subType ?? CHECK_DEFAULTS.subType,
      trigger: (c?.trigger as Record<string, unknown> | null | undefined) ?? CHECK_DEFAULTS.trigger,
      threshold: c?.threshold ?? CHECK_DEFAULTS.threshold,
      retries: c?.retries ?? CHECK_DEFAULTS.retries,
      priority: c?.priority ?? CHECK_DEFAULTS.priority,
      paused: c?.paused ?? CHECK_DEFAULTS.paused,
      failAction: c?.failAction ?? CHECK_DEFAULTS.failAction,
      passAction: c?.passAction ?? CHECK_DEFAULTS.passAction,
      publish: c?.publish ?? CHECK_DEFAULTS.publish,
      remoteId: c?.remoteId ?? CHECK_DEFAULTS.remoteId,
      options: isObject(r.options) ? r.options : {},
      actions: c?.actions ?? [],
      depends: c?.depends ?? [],
    };
    // the options are checked even when a common key is wrong, so every problem shows at once
    const t = checkType(config.type);
    if (!t && typeof r.type === 'string') issues.push({ path: [...path, 'type'], message: `unknown check type ${JSON.stringify(r.type)}`, severity: 'error' });

    let zone = timezone;
    const tzOpt = config.options.timezone;
    if (tzOpt !== undefined && tzOpt !== null) {
      const z2 = typeof tzOpt === 'string' ? canonicalZone(tzOpt) : null;
      if (z2) zone = z2;
      else issues.push({ path: [...path, 'options', 'timezone'], message: `${showValue(tzOpt)} is not a known time zone; using the site zone`, severity: 'warning' });
    }

    let opts: Record<string, unknown> | null = null;
    if (t) {
      const parsed = t.options.safeParse(config.options);
      if (parsed.success) {
        opts = parsed.data as Record<string, unknown>;
        for (const p of t.validate?.(opts, runEnv) ?? []) {
          issues.push({ path: [...path, 'options', ...p.path], message: p.message, severity: 'error' });
        }
        const m = t.members?.(opts) ?? [];
        if (m.length) members.set(name, m);
      } else {
        issues.push(...fromZod(parsed.error, config.options, [...path, 'options']));
      }
    }
    const { schedule, issues: trigIssues } = compileTrigger(config.trigger, zone, [...path, 'trigger']);
    issues.push(...trigIssues);
    if (issues.slice(before).some((i) => i.severity === 'error')) badChecks.add(name);
    checks.set(name, { config, opts, schedule, zone, active: true, fileData: r.data, index: index++ });
  }

  // --- references between checks and actions
  for (const [name, e] of checks) {
    const path: PathSegment[] = ['checks', name];
    e.config.actions.forEach((a, i) => {
      if (!actions.has(a)) {
        issues.push({ path: [...path, 'actions', i], message: `unknown action ${JSON.stringify(a)}`, severity: 'error' });
        badChecks.add(name);
      }
    });
    e.config.depends.forEach((d, i) => {
      if (d === name) {
        issues.push({ path: [...path, 'depends', i], message: 'a check cannot depend on itself', severity: 'error' });
        badChecks.add(name);
      } else if (!checks.has(d)) {
        issues.push({ path: [...path, 'depends', i], message: `unknown check ${JSON.stringify(d)}`, severity: 'error' });
        badChecks.add(name);
      }
    });
    (members.get(name) ?? []).forEach((m, i) => {
      if (m === name) {
        issues.push({ path: [...path, 'options', 'checks', i], message: 'a sequence cannot contain itself', severity: 'error' });
        badChecks.add(name);
      } else if (!checks.has(m)) {
        issues.push({ path: [...path, 'options', 'checks', i], message: `unknown check ${JSON.stringify(m)}`, severity: 'error' });
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
