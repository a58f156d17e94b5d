/**
 * Validating a site document (spec §2.3) — every problem with its JSON path.
 * Unlike fletchck, one bad check or action (unknown type, bad trigger, unknown
 * reference, cycle) is reported and left inactive while the rest of the site
 * runs; only an unusable file (not JSON, not an object) is fatal.
 */
import { z } from 'zod';
import { actionType, actionTypeNames, LEGACY_ACTION_TYPES } from '../actions/catalog.ts';
import { didYouMean } from '../util/suggest.ts';
import type { RunEnv } from '../checks/types.ts';
import { canonicalZone } from '../util/time.ts';
import { fromZod, quoteName, showValue, type Issue, type PathSegment } from './issues.ts';
import { ActionCommonSchema, ApiSchema, HistorySchema, MqttSchema, NotificationsSchema, PluginsSchema, SchedulerSchema, WebuiSchema } from './schema.ts';
import type { ActionEntry, CheckEntry } from './model.ts';
import { sectionTextIssues, textLimitIssues } from './text-limits.ts';
import { validateCheck } from './check-entry.ts';
import { marksOf, onSlot } from './marks.ts';
import { findCycles } from './graph.ts';
import { MAX_NAME, nameProblem, prototypeKeyIssues, topicFilterProblem } from './names.ts';
import { ZoneSchema, normalizeZone, type ZoneConfig } from '../zone/config.ts';
import { FleetSchema, normalizeFleet, type FleetConfig } from '../fleet/config.ts';
import { RemoteWriteSchema, type RemoteWriteConfig } from '../export/remote-write/config.ts';
import { validateStatusPages, type StatusPageConfig } from '../status-pages/config.ts';
import { compileOps, emptyOpsConfig, type OpsConfig } from '../ops/config.ts';
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
  /** siteward: the HA zone (null = a single node; docs/ha.md) */
  zone: ZoneConfig | null;
  /** siteward: the zones this instance watches on /fleet (null = none; docs/fleet.md) */
  fleet?: FleetConfig | null;
  /** siteward: Prometheus remote-write export (null = off; docs/metrics.md) */
  remoteWrite: RemoteWriteConfig | null;
  plugins: z.output<typeof PluginsSchema>;
  history: z.output<typeof HistorySchema>;
  scheduler: z.output<typeof SchedulerSchema>;
  notifications: z.output<typeof NotificationsSchema>;
  /** siteward: status pages (src/status-pages/config.ts) */
  statusPages: StatusPageConfig[];
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
  /** siteward: maintenance windows and escalation policies (src/ops/) */
  ops: OpsConfig;
  /** true when the document cannot be used at all */
  fatal: boolean;
}

/** A check or action name that cannot travel (names.ts), as an issue at its path. */
function nameIssue(path: PathSegment[], name: string): Issue | null {
  const problem = nameProblem(name);
  return problem === null ? null : { path, message: problem, severity: 'error' };
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
    doc: {},
    checks: new Map(),
    actions: new Map(),
    issues,
    fatal: true,
    ops: emptyOpsConfig(),
    settings: {
      base: env.base,
      timezone: null,
      webui: null,
      mqtt: null,
      api: null,
      zone: null,
      remoteWrite: null,
      name: 'Fletchck',
      plugins: PluginsSchema.parse({}),
      history: HistorySchema.parse({}),
      scheduler: SchedulerSchema.parse({}),
      notifications: NotificationsSchema.parse({}),
      statusPages: [],
    },
  });
  if (!isObject(docIn)) {
    if (docIn !== undefined) issues.push({ path: [], message: `the site file must hold a JSON object, got ${showValue(docIn)}`, severity: 'error' });
    return empty();
  }
  const doc = docIn;
  for (const key of ['checks', 'actions'] as const) {
    if (doc[key] !== undefined && doc[key] !== null && !isObject(doc[key])) {
      issues.push({
        path: [key],
        message: `expected an object of name → ${key === 'checks' ? 'check' : 'action'}, got ${showValue(doc[key])}`,
        severity: 'error',
      });
      return { ...empty(), doc };
    }
  }

  // --- site settings
  let timezone: string | null = null;
  if (doc.timezone !== undefined && doc.timezone !== null) {
    timezone = typeof doc.timezone === 'string' ? canonicalZone(doc.timezone) : null;
    // an unknown zone name may be known to another host's zone database: a warning; a non-text is wrong
    if (typeof doc.timezone !== 'string')
      issues.push({ path: ['timezone'], message: `expected a time zone name, got ${showValue(doc.timezone)}`, severity: 'error' });
    else if (!timezone)
      issues.push({ path: ['timezone'], message: `${showValue(doc.timezone)} is not a known time zone; using host local time`, severity: 'warning' });
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
  for (const k of ['webui', 'mqtt', 'api', 'remoteWrite'] as const) {
    if (doc[k] !== undefined && doc[k] !== null && !isObject(doc[k])) {
      issues.push({ path: [k], message: `expected an object or null, got ${showValue(doc[k])}`, severity: 'error' });
    }
  }
  if (isObject(doc.webui) && isObject(doc.webui.users)) {
    // user names: only the length (fletchck's dummy user is "")
    for (const u of Object.keys(doc.webui.users)) {
      if (u.length > MAX_NAME)
        issues.push({ path: ['webui', 'users', u], message: `the name is ${u.length} characters long; at most ${MAX_NAME} are allowed`, severity: 'error' });
    }
  }
  if (mqtt?.basetopic) {
    const bad = topicFilterProblem(mqtt.basetopic);
    if (bad) issues.push({ path: ['mqtt', 'basetopic'], message: bad, severity: 'error' });
  }
  const zoneParsed = ZoneSchema.safeParse(doc.zone);
  if (!zoneParsed.success) issues.push(...fromZod(zoneParsed.error, doc.zone, ['zone']));
  const fleetParsed = FleetSchema.safeParse(doc.fleet);
  if (!fleetParsed.success) issues.push(...fromZod(fleetParsed.error, doc.fleet, ['fleet']));
  const settings: SiteSettings = {
    base: env.base,
    timezone,
    webui,
    mqtt,
    api,
    zone: zoneParsed.success ? normalizeZone(zoneParsed.data) : null,
    fleet: fleetParsed.success ? normalizeFleet(fleetParsed.data) : null,
    remoteWrite: isObject(doc.remoteWrite) ? (section(RemoteWriteSchema, doc.remoteWrite, 'remoteWrite', issues) ?? null) : null,
    plugins: section(PluginsSchema, doc.plugins, 'plugins', issues) ?? PluginsSchema.parse({}),
    history: section(HistorySchema, doc.history, 'history', issues) ?? HistorySchema.parse({}),
    scheduler: section(SchedulerSchema, doc.scheduler, 'scheduler', issues) ?? SchedulerSchema.parse({}),
    notifications: section(NotificationsSchema, doc.notifications, 'notifications', issues) ?? NotificationsSchema.parse({}),
    statusPages: [],
    name: webui?.name ?? 'Fletchck',
  };
  const runEnv: RunEnv = {
    base: env.base,
    pluginDirs: env.pluginDirs ?? settings.plugins.dirs,
    sysRoot: env.sysRoot ?? '/sys',
    procRoot: env.procRoot ?? '/proc',
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
    issues.push(...prototypeKeyIssues(isObject(raw) ? raw.options : undefined, [...path, 'options']));
    let opts: Record<string, unknown> | null = null;
    if (!t) {
      issues.push({
        path: [...path, 'type'],
        message: `unknown action type ${quoteName(common.data.type)}${didYouMean(common.data.type, actionTypeNames())}`,
        severity: 'error',
      });
    } else {
      const r = t.options.safeParse(options);
      if (r.success) opts = r.data as Record<string, unknown>;
      else issues.push(...fromZod(r.error, options, [...path, 'options'], 'error', (at) => onSlot(at, marksOf(t.options).secrets)));
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
  // one graph of every edge a run follows: a sequence runs its members, a
  // check waits on its dependencies' state. Sequences nested in each other
  // recurse without limit in fletchck (spec §4.13 [bug]); a member that
  // depends on its own sequence soft-fails it forever.
  const edges = new Map([...checks].map(([n, e]) => [n, [...(members.get(n) ?? []), ...e.config.depends]]));
  for (const cycle of findCycles(edges)) {
    const inside = new Set(cycle);
    const viaMember = (n: string): boolean => (members.get(n) ?? []).some((m) => inside.has(m));
    const viaDepends = (n: string): boolean => checks.get(n)!.config.depends.some((d) => inside.has(d));
    const mixed = cycle.some(viaMember) && cycle.some(viaDepends);
    const shown = [...cycle, cycle[0]].join(' → ');
    for (const n of cycle) {
      const message = mixed
        ? `sequences and dependencies form a cycle: ${shown}`
        : viaMember(n)
          ? `sequences contain each other: ${shown}`
          : `dependency cycle: ${shown}`;
      // the edges this check adds to the cycle: its members, its depends, or both
      if (viaMember(n)) issues.push({ path: ['checks', n, 'options', 'checks'], message, severity: 'error' });
      if (viaDepends(n)) issues.push({ path: ['checks', n, 'depends'], message, severity: 'error' });
      badChecks.add(n);
    }
  }
  // maintenance windows and escalation policies (issue 19)
  const policies = new Map<string, string>();
  for (const [n, e] of checks) if (typeof e.config.options.escalation === 'string') policies.set(n, e.config.options.escalation);
  const ops = compileOps(doc, timezone, new Set(checks.keys()), new Set(actions.keys()), policies);
  issues.push(...ops.issues);
  for (const n of ops.badChecks) badChecks.add(n);
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
  const pages = validateStatusPages(doc.statusPages, new Set(checks.keys()));
  issues.push(...pages.issues);
  settings.statusPages = pages.pages;
  return { doc, settings, checks, actions, issues, fatal: false, ops: ops.config };
}
