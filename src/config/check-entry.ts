/**
 * Validating one check on its own (common keys, options by type, zone,
 * trigger). Results are cached per raw check object: edits share every
 * untouched check object with the previous document (src/config/edits.ts),
 * so re-validating a 10,000-check site after one edit only re-checks that one.
 */
import { checkType, checkTypeNames } from '../checks/catalog.ts';
import { didYouMean } from '../util/suggest.ts';
import type { RunEnv } from '../checks/types.ts';
import { canonicalZone } from '../util/time.ts';
import { fromZod, quoteName, showValue, type Issue, type PathSegment } from './issues.ts';
import { CheckCommonSchema } from './schema.ts';
import { compileTrigger } from './trigger.ts';
import { textLimitIssues } from './text-limits.ts';
import { marksOf, onSlot } from './marks.ts';
import { CHECK_DEFAULTS, type CheckConfig, type CheckEntry } from './model.ts';
import { prototypeKeyIssues, topicProblem } from './names.ts';
import { isObject } from '../util/guard.ts';
import { vantageIssues } from '../zone/vantage.ts';

export interface CheckValidation {
  entry: Omit<CheckEntry, 'active' | 'index'>;
  issues: Issue[];
  members: string[];
}

/** What a result depends on besides the raw object (compared field by field: no key string per check). */
interface Cached {
  name: string;
  timezone: string | null;
  base: string;
  pluginDirs: readonly string[];
  result: CheckValidation;
}

const cache = new WeakMap<object, Cached>();

const sameList = (a: readonly string[], b: readonly string[]): boolean => a === b || (a.length === b.length && a.every((x, i) => x === b[i]));

export function validateCheck(name: string, raw: unknown, timezone: string | null, env: RunEnv): CheckValidation {
  if (!isObject(raw)) return compute(name, raw, timezone, env);
  const hit = cache.get(raw);
  if (hit && hit.name === name && hit.timezone === timezone && hit.base === env.base && sameList(hit.pluginDirs, env.pluginDirs)) return hit.result;
  const result = compute(name, raw, timezone, env);
  cache.set(raw, { name, timezone, base: env.base, pluginDirs: env.pluginDirs, result });
  return result;
}

/**
 * Shared by every check that has none: 10,000 checks would otherwise keep
 * 10,000 empty lists each (frozen: nothing may add to them).
 */
const NONE: never[] = Object.freeze([]) as never[];

function compute(name: string, raw: unknown, timezone: string | null, env: RunEnv): CheckValidation {
  const path: PathSegment[] = ['checks', name];
  const issues: Issue[] = [];
  // every free string bounded, nothing nested too deep (runtime `data` is siteward's own)
  issues.push(...textLimitIssues(raw, path, ['data']));
  const common = CheckCommonSchema.safeParse(raw);
  const r = (isObject(raw) ? raw : {}) as Record<string, unknown>;
  if (!common.success) issues.push(...fromZod(common.error, raw, path));
  const c = common.success ? common.data : null;
  const config: CheckConfig = {
    name,
    type: typeof r.type === 'string' ? r.type : '?',
    subType: c?.subType ?? CHECK_DEFAULTS.subType,
    // when valid, the document's own values: zod's output would be a second copy of each
    trigger: ((c ? r.trigger : null) as Record<string, unknown> | null | undefined) ?? CHECK_DEFAULTS.trigger,
    threshold: c?.threshold ?? CHECK_DEFAULTS.threshold,
    retries: c?.retries ?? CHECK_DEFAULTS.retries,
    priority: c?.priority ?? CHECK_DEFAULTS.priority,
    paused: c?.paused ?? CHECK_DEFAULTS.paused,
    failAction: c?.failAction ?? CHECK_DEFAULTS.failAction,
    passAction: c?.passAction ?? CHECK_DEFAULTS.passAction,
    publish: c?.publish ?? CHECK_DEFAULTS.publish,
    remoteId: c?.remoteId ?? CHECK_DEFAULTS.remoteId,
    options: isObject(r.options) ? r.options : {},
    actions: c?.actions ? (r.actions as string[]) : NONE,
    depends: c?.depends ? (r.depends as string[]) : NONE,
    node: c?.node ?? null,
  };
  // an empty topic means "not published" (fletchck writes null or "")
  const topicBad = config.publish ? topicProblem(config.publish) : null;
  if (topicBad) issues.push({ path: [...path, 'publish'], message: topicBad, severity: 'error' });
  issues.push(...prototypeKeyIssues(r.options, [...path, 'options']));
  issues.push(...vantageIssues(config.options, [...path, 'options']));
  // the options are checked even when a common key is wrong, so every problem shows at once
  const t = checkType(config.type);
  if (!t && typeof r.type === 'string')
    issues.push({
      path: [...path, 'type'],
      message: `unknown check type ${quoteName(r.type)}${didYouMean(r.type, checkTypeNames())}`,
      severity: 'error',
    });

  let zone = timezone;
  const tzOpt = config.options.timezone;
  if (tzOpt !== undefined && tzOpt !== null) {
    const z2 = typeof tzOpt === 'string' ? canonicalZone(tzOpt) : null;
    if (z2) zone = z2;
    else
      issues.push({
        path: [...path, 'options', 'timezone'],
        message: `${showValue(tzOpt)} is not a known time zone; using the site zone`,
        severity: 'warning',
      });
  }

  let opts: Record<string, unknown> | null = null;
  let members: string[] = NONE;
  if (t) {
    const parsed = t.options.safeParse(config.options);
    if (parsed.success) {
      opts = parsed.data as Record<string, unknown>;
      for (const p of t.validate?.(opts, env) ?? []) {
        issues.push({ path: [...path, 'options', ...p.path], message: p.message, severity: 'error' });
      }
      members = t.members?.(opts) ?? NONE;
    } else {
      // a value at a secret slot is never quoted in an issue (issues reach logs, /healthz and every role's pages)
      const secrets = marksOf(t.options).secrets;
      issues.push(...fromZod(parsed.error, config.options, [...path, 'options'], 'error', (at) => onSlot(at, secrets)));
    }
  }
  const { schedule, issues: trigIssues } = compileTrigger(config.trigger, zone, [...path, 'trigger']);
  issues.push(...trigIssues);
  return { entry: { config, opts, schedule, zone, fileData: r.data }, issues: issues.length ? issues : NONE, members };
}
