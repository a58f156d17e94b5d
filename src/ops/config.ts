/**
 * The operations part of the site file (issue 19): `maintenance` windows and
 * `escalation` policies, validated together with JSON paths. A check names
 * its policy with `options.escalation`.
 *
 *   "escalation": {
 *     "oncall": {"steps": [
 *       {"after": {"minutes": 15}, "actions": ["sms"]},
 *       {"after": {"minutes": 45}, "actions": ["pager-webhook"]}
 *     ]}
 *   }
 *
 * `after` counts from the announced FAIL; a step notifies its actions once
 * per failure unless the failure was acknowledged, recovered or is in
 * maintenance by then.
 */
import { z } from 'zod';
import { compileTrigger } from '../config/trigger.ts';
import { fromZod, quoteName, showValue, type Issue, type PathSegment } from '../config/issues.ts';
import { compileMaintenance, selectorIssues, type MaintenanceWindow } from './maintenance.ts';
import { isObject } from '../util/guard.ts';

export const EscalationStepSchema = z.looseObject({
  after: z.looseObject({}).describe('time since the FAIL was announced, interval units ({"minutes": 15})'),
  actions: z.array(z.string().max(1024)).min(1).max(100).describe('actions notified at this step'),
});

export const EscalationPolicySchema = z.looseObject({
  steps: z.array(EscalationStepSchema).min(1).max(20).describe('steps, in order of their "after"'),
});

export const EscalationSchema = z
  .record(z.string().max(1024), EscalationPolicySchema)
  .describe('siteward: escalation policies: further actions notified while a FAIL stays unacknowledged (docs/operations.md)');

export interface EscalationStep {
  afterMs: number;
  actions: string[];
}

export interface OpsConfig {
  maintenance: MaintenanceWindow[];
  escalation: Map<string, EscalationStep[]>;
}

export const emptyOpsConfig = (): OpsConfig => ({ maintenance: [], escalation: new Map() });

function compileEscalation(raw: unknown, actions: ReadonlySet<string>, issues: Issue[]): Map<string, EscalationStep[]> {
  const out = new Map<string, EscalationStep[]>();
  if (raw === undefined || raw === null) return out;
  if (!isObject(raw)) {
    issues.push({ path: ['escalation'], message: `expected an object of name → policy, got ${showValue(raw)}`, severity: 'error' });
    return out;
  }
  for (const [name, value] of Object.entries(raw)) {
    const path: PathSegment[] = ['escalation', name];
    const r = EscalationPolicySchema.safeParse(value);
    if (!r.success) {
      issues.push(...fromZod(r.error, value, path));
      continue;
    }
    const before = issues.length;
    const steps: EscalationStep[] = [];
    r.data.steps.forEach((s, i) => {
      const sp: PathSegment[] = [...path, 'steps', i];
      const t = compileTrigger({ interval: s.after }, null, sp);
      issues.push(...t.issues.map((x) => ({ ...x, path: x.path.map((seg, k) => (k === sp.length && seg === 'interval' ? 'after' : seg)) })));
      s.actions.forEach((a, j) => {
        if (!actions.has(a)) issues.push({ path: [...sp, 'actions', j], message: `unknown action ${quoteName(a)}`, severity: 'error' });
      });
      if (t.schedule?.kind === 'interval') steps.push({ afterMs: t.schedule.everyMs, actions: s.actions });
    });
    for (let i = 1; i < steps.length; i++) {
      if (steps[i].afterMs <= steps[i - 1].afterMs) {
        issues.push({ path: [...path, 'steps', i, 'after'], message: 'each step must come later than the one before', severity: 'error' });
      }
    }
    if (issues.length === before) out.set(name, steps);
  }
  return out;
}

/**
 * Validates `maintenance` and `escalation` and the checks' references to
 * policies (`options.escalation`). `checkPolicies` maps check → policy name.
 */
export function compileOps(
  doc: Record<string, unknown>,
  zone: string | null,
  checks: ReadonlySet<string>,
  actions: ReadonlySet<string>,
  checkPolicies: ReadonlyMap<string, string>,
): { config: OpsConfig; issues: Issue[]; badChecks: string[] } {
  const issues: Issue[] = [];
  const m = compileMaintenance(doc.maintenance, zone);
  issues.push(...m.issues, ...selectorIssues(m.windows, checks));
  const declared = isObject(doc.escalation) ? new Set(Object.keys(doc.escalation)) : new Set<string>();
  const escalation = compileEscalation(doc.escalation, actions, issues);
  const badChecks: string[] = [];
  for (const [check, policy] of checkPolicies) {
    if (!declared.has(policy)) {
      issues.push({ path: ['checks', check, 'options', 'escalation'], message: `unknown escalation policy ${quoteName(policy)}`, severity: 'error' });
      badChecks.push(check);
    }
  }
  return { config: { maintenance: m.windows, escalation }, issues, badChecks };
}
