/**
 * The site configuration form (spec §8.5) and the raw editor's checks, as
 * pure functions over the site document. Sections are derived from their
 * schemas, so a new setting appears in the form by itself.
 */
import type { z } from 'zod';
import type { Doc } from '../config/edits.ts';
import { fromZod, type Issue } from '../config/issues.ts';
import { ApiSchema, HistorySchema, MqttSchema, NotificationsSchema, PluginsSchema, SchedulerSchema, WebuiSchema } from '../config/schema.ts';
import { canonicalZone } from '../util/time.ts';
import { fieldsOf, fieldValues, readFields, type Field, type FormValues } from './fields.ts';
import { roleOf } from './auth.ts';
import { userNames } from './users.ts';
import { versionOf } from './model.ts';
import type { FormState } from './view-data.ts';
import { isObject } from '../util/guard.ts';

type Obj = Record<string, unknown>;

export const SECTIONS = {
  webui: { schema: WebuiSchema, exclude: ['users', 'roles', 'oidc'] },
  mqtt: { schema: MqttSchema, exclude: [] },
  plugins: { schema: PluginsSchema, exclude: [] },
  history: { schema: HistorySchema, exclude: [] },
  scheduler: { schema: SchedulerSchema, exclude: [] },
  notifications: { schema: NotificationsSchema, exclude: [] },
  api: { schema: ApiSchema, exclude: [] },
} as const satisfies Record<string, { schema: z.ZodType; exclude: readonly string[] }>;

export type SectionName = keyof typeof SECTIONS;
export const SECTION_NAMES = Object.keys(SECTIONS) as SectionName[];
const NAMES = SECTION_NAMES;

export function sectionFields(): Record<SectionName, Field[]> {
  return Object.fromEntries(NAMES.map((n) => [n, fieldsOf(SECTIONS[n].schema, { exclude: SECTIONS[n].exclude })])) as Record<SectionName, Field[]>;
}

/** What the config form edits (for the version check). */
export function configVersion(doc: Doc): string {
  const w = isObject(doc.webui) ? { ...doc.webui, users: undefined, roles: undefined } : doc.webui;
  return versionOf({
    timezone: doc.timezone ?? null,
    webui: w ?? null,
    mqtt: doc.mqtt ?? null,
    plugins: doc.plugins,
    history: doc.history,
    scheduler: doc.scheduler,
    notifications: doc.notifications,
    api: doc.api,
  });
}

export function configForm(doc: Doc): FormState {
  const values: FormState['values'] = { timezone: typeof doc.timezone === 'string' ? doc.timezone : '' };
  const f = sectionFields();
  for (const n of NAMES) {
    const sec = isObject(doc[n]) ? (doc[n] as Obj) : null;
    if (n === 'mqtt' && sec) values['mqtt.enable'] = 'on';
    fieldValues(f[n], sec ?? {}, `${n}.`, values);
  }
  return { values, errors: {}, general: [] };
}

/** Reads the config form into a new document; errors by input name. */
export function readConfigForm(doc: Doc, form: FormValues): { doc: Doc; errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const out: Doc = { ...doc };
  const tz = (form.get('timezone') ?? '').trim();
  if (tz === '') out.timezone = null;
  else {
    const z = canonicalZone(tz);
    if (z) out.timezone = z;
    else errors.timezone = `"${tz}" is not a known time zone (e.g. Europe/Berlin, UTC)`;
  }
  const f = sectionFields();
  for (const n of NAMES) {
    const old = isObject(doc[n]) ? (doc[n] as Obj) : {};
    if (n === 'mqtt' && !form.has('mqtt.enable')) {
      delete out.mqtt;
      continue;
    }
    const r = readFields(f[n], form, `${n}.`, old);
    for (const [k, v] of Object.entries(r.errors)) errors[`${n}.${k}`] = v;
    // keys the form does not show (users, roles, newer settings) are kept
    const kept: Obj = {};
    const shown = new Set(f[n].map((x) => x.key));
    for (const [k, v] of Object.entries(old)) if (!shown.has(k)) kept[k] = v;
    const next = { ...kept, ...r.values };
    if (n === 'webui' && (next.port === undefined || next.port === null)) errors['webui.port'] ??= 'the web UI needs a port';
    const parsed = SECTIONS[n].schema.safeParse(next);
    if (!parsed.success) for (const i of fromZod(parsed.error, next, [])) errors[`${n}.${String(i.path[0] ?? '')}`] ??= i.message;
    if (Object.keys(next).length > 0 || isObject(doc[n]) || n === 'mqtt') out[n] = next;
  }
  return { doc: out, errors };
}

/** Refuses a document that would lock everyone out of the web UI. */
export function lockoutProblem(doc: Doc): Issue | null {
  if (!isObject(doc.webui))
    return { path: ['webui'], message: 'the web UI cannot be switched off from the web UI (edit the file, or use --webui=false)', severity: 'error' };
  const w = WebuiSchema.safeParse(doc.webui);
  if (!w.success) return null; // reported by validation with its path
  const admins = userNames(w.data).filter((u) => roleOf(w.data, u) === 'admin');
  if (admins.length === 0)
    return { path: ['webui', 'users'], message: 'no administrator would be left: keep at least one user with the admin role', severity: 'error' };
  return null;
}

/** The whole document's version, without runtime data (runs do not change it). */
export function docVersion(doc: Doc): string {
  const checks = isObject(doc.checks)
    ? Object.fromEntries(Object.entries(doc.checks).map(([k, v]) => [k, isObject(v) ? { ...v, data: undefined } : v]))
    : doc.checks;
  return versionOf({ ...doc, base: undefined, log: undefined, checks });
}

/** Reuses unchanged check objects of `prev` (ignoring `data`) so they are not rescheduled. */
export function shareUnchanged(prev: Doc, next: Doc): Doc {
  if (!isObject(prev.checks) || !isObject(next.checks)) return next;
  const checks: Obj = {};
  for (const [k, v] of Object.entries(next.checks)) {
    const old = prev.checks[k];
    checks[k] = old !== undefined && versionOf(old) === versionOf(v) ? old : v;
  }
  return { ...next, checks };
}
