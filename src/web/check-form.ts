/**
 * The check form (spec §8.4), fixed: the fields of the selected type only,
 * per-field server-side errors instead of HTTP 500, a trigger that is parsed
 * as you type and never silently dropped, and unknown trigger keys (like
 * `start_date`) kept when the text is re-parsed.
 */
import type { WebSite } from './web-site.ts';
import { commonCheckOptions } from '../config/schema.ts';
import type { Issue } from '../config/issues.ts';
import { formatIssue } from '../config/issues.ts';
import { checkType, checkTypes, newCheckOptions } from '../checks/registry.ts';
import { nameProblem } from '../config/names.ts';
import type { AnyCheckType } from '../checks/types.ts';
import { compileTrigger, formatTriggerText, INTERVAL_UNITS, parseTriggerText } from '../config/trigger.ts';
import { CRON_FIELDS } from '../engine/cron.ts';
import { normaliseHost } from '../util/host.ts';
import { canonicalZone, displayTime } from '../util/time.ts';
import { fieldsOf, fieldValues, listValue, membersKeysOf, readFields, type Field, type FormValues } from './fields.ts';
import { grouping, isGroupType, rawCheck } from './model.ts';
import { plainHelp } from './words.ts';
import { nameFromHost, overlay, urlFields } from './paste-url.ts';
import type { FormState } from './view-data.ts';
import { isObject } from '../util/guard.ts';

type Obj = Record<string, unknown>;

export const OPT = 'opt.';

/** Type names for the selector: fletchck's types first (the registry's order). */
export function typeChoices(): [string, string][] {
  return checkTypes.map((t) => [t.type, `${t.type} — ${plainHelp(t.info.summary)}`]);
}

/** The options every type has: shown after the type's own (a host name first, not "Renotify"). */
const COMMON_LAST = Object.keys(commonCheckOptions);

/** The option fields of a check type (timezone is shown with the common fields). */
export function typeFields(t: AnyCheckType): Field[] {
  const fields = fieldsOf(t.options, { exclude: ['timezone'], membersKeys: membersKeysOf(t.options, t.members) });
  return [...fields.filter((f) => !COMMON_LAST.includes(f.key)), ...fields.filter((f) => COMMON_LAST.includes(f.key))];
}

/** The form as stored: what the browser would submit for this check unchanged. */
export function formFromCheck(site: WebSite, name: string): FormState {
  const raw = rawCheck(site.loaded, name) ?? {};
  const e = site.entry(name);
  const c = e?.config;
  const values: FormState['values'] = {
    name,
    oldName: name,
    checkType: String(raw.type ?? c?.type ?? ''),
    trigger: formatTriggerText(raw.trigger),
    threshold: raw.threshold === undefined ? '' : String(raw.threshold),
    retries: raw.retries === undefined ? '' : String(raw.retries),
    publish: typeof raw.publish === 'string' ? raw.publish : '',
    remoteId: typeof raw.remoteId === 'string' ? raw.remoteId : '',
    subType: typeof raw.subType === 'string' ? raw.subType : '',
    timezone: isObject(raw.options) && typeof raw.options.timezone === 'string' ? raw.options.timezone : '',
    actions: c?.actions ?? [],
    depends: c?.depends ?? [],
    inseq: grouping(site).inseqs.get(name) ?? [],
  };
  if (c?.paused) values.paused = 'on';
  if (c?.failAction ?? true) values.failAction = 'on';
  if (c?.passAction ?? true) values.passAction = 'on';
  const t = checkType(values.checkType as string);
  if (t) fieldValues(typeFields(t), isObject(raw.options) ? raw.options : {}, OPT, values);
  return { values, errors: {}, general: [] };
}

/** What the Add-check form starts with: a web check, run every minute. */
export const NEW_CHECK_TYPE = 'https';
export const NEW_CHECK_TRIGGER = '1 min';

/** The actions ticked for a new check: those with `default: true` (a new site's `log`). */
export function defaultActionNames(site: WebSite): string[] {
  return [...site.loaded.actions.values()].filter((a) => a.config.options.default === true).map((a) => a.config.name);
}

/**
 * A new check of `type`: notifications on (fixes spec §8.4 quirk: the new
 * form stored them off), a one-minute trigger (an empty one never runs), the
 * default actions ticked and the type's options for new checks filled in.
 */
export function newCheckForm(type: string, site?: WebSite): FormState {
  const values: FormState['values'] = {
    checkType: type,
    failAction: 'on',
    passAction: 'on',
    name: '',
    trigger: NEW_CHECK_TRIGGER,
    actions: site ? defaultActionNames(site) : [],
  };
  const t = checkType(type);
  if (t) fieldValues(typeFields(t), newCheckOptions({ type, options: {} }).options as Obj, OPT, values);
  return { values, errors: {}, general: [] };
}

/** Type-specific values kept when the type selector changes (only for the stored type). */
export function formForType(site: WebSite, type: string, oldName: string | undefined): FormState {
  const stored = oldName !== undefined ? rawCheck(site.loaded, oldName) : undefined;
  if (stored && stored.type === type && oldName !== undefined) return formFromCheck(site, oldName);
  return newCheckForm(type);
}

const TEXT_KEYS: Record<'interval' | 'cron', readonly string[]> = {
  interval: [...INTERVAL_UNITS, 'end_date', 'timezone'],
  cron: [...CRON_FIELDS, 'end_date', 'timezone'],
};

/**
 * The new trigger from its text, keeping what the text cannot express: keys
 * such as `start_date` or `jitter` in the old trigger body, and other
 * top-level keys (spec §6.3 says fletchck loses them on every UI save).
 */
export function mergeTrigger(old: unknown, parsed: Obj | null): Obj | null {
  if (parsed === null) return null;
  const kind = 'interval' in parsed ? 'interval' : 'cron';
  const body = parsed[kind] as Obj;
  if (!isObject(old)) return parsed;
  const oldKind = 'interval' in old ? 'interval' : 'cron' in old ? 'cron' : null;
  const top: Obj = {};
  for (const [k, v] of Object.entries(old)) if (k !== 'interval' && k !== 'cron') top[k] = v;
  const kept: Obj = {};
  if (oldKind === kind && isObject(old[kind])) {
    for (const [k, v] of Object.entries(old[kind])) if (!TEXT_KEYS[kind].includes(k)) kept[k] = v;
  }
  return { ...top, [kind]: { ...kept, ...body } };
}

/**
 * Live feedback for the trigger field: what the text means and when it would
 * run next; a warning when the check would never run by itself (no trigger
 * and in no sequence).
 */
export function describeTriggerText(site: WebSite, text: string, inSequence = false): { ok: boolean; message: string; warn?: boolean } {
  const r = parseTriggerText(text);
  if (!r.ok) return { ok: false, message: r.error };
  if (r.trigger === null && inSequence) return { ok: true, message: 'no trigger of its own: it runs with its sequence, or by hand' };
  if (r.trigger === null)
    return { ok: true, warn: true, message: 'no trigger and in no sequence: this check will never run by itself, only by hand. Enter e.g. “1 min”.' };
  const { schedule } = compileTrigger(r.trigger, site.settings.timezone, []);
  const now = site.clock.now();
  let next: number | null = null;
  if (schedule?.kind === 'interval') next = now + 1000;
  else if (schedule?.kind === 'cron') next = schedule.calendar.next(schedule.startAt !== null && schedule.startAt > now ? schedule.startAt : now);
  const when = next === null ? 'never (the end date has passed)' : displayTime(next, schedule?.zone ?? site.settings.timezone);
  const every = schedule?.kind === 'interval' ? ` (then every ${formatTriggerText(r.trigger).replace(/^interval /, '')})` : '';
  return { ok: true, message: `${formatTriggerText(r.trigger)} — first run ${when}${every}` };
}

/** spec §4.0: the web form turns a MAC address in `hostname` into its link-local IPv6 address. */
export function normaliseOptions(options: Obj): Obj {
  return typeof options.hostname === 'string' ? { ...options, hostname: normaliseHost(options.hostname) } : options;
}

export interface CheckFormResult {
  /** the form as read: a pasted URL split into its fields, a name given */
  form: FormValues;
  name: string;
  raw: Obj;
  inseq: string[];
  errors: Record<string, string>;
}

function intField(form: FormValues, key: string, min: number, max: number, errors: Record<string, string>): number | undefined {
  const text = (form.get(key) ?? '').trim();
  if (text === '') return undefined;
  const n = Number(text);
  if (!Number.isInteger(n)) errors[key] = `"${text}" is not a whole number`;
  else if (n < min || n > max) errors[key] = `must be between ${min} and ${max}`;
  else return n;
  return undefined;
}

/**
 * A URL pasted into the host name field, read as the fields it stands for;
 * a new check without a name is named after its host.
 */
function pasted(form: FormValues, t: AnyCheckType | undefined, isNew: boolean): FormValues {
  if (!t) return form;
  const keys = new Set(typeFields(t).map((f) => f.key));
  const fromUrl = keys.has('hostname') ? urlFields(form.get(`${OPT}hostname`) ?? '', OPT, (k) => keys.has(k)) : null;
  const f = fromUrl ? overlay(form, fromUrl) : form;
  const host = (f.get(`${OPT}hostname`) ?? '').trim();
  if (isNew && (f.get('name') ?? '').trim() === '' && host !== '') return overlay(f, { name: nameFromHost(host, (f.get(`${OPT}port`) ?? '').trim()) });
  return f;
}

/** Reads and checks a submitted check form. `oldName` is undefined for a new check. */
export function readCheckForm(site: WebSite, submitted: FormValues, oldName: string | undefined): CheckFormResult {
  const errors: Record<string, string> = {};
  const form = pasted(submitted, checkType(submitted.get('checkType') ?? ''), oldName === undefined);
  const typed = form.get('name') ?? '';
  const name = typed === oldName ? typed : typed.trim();
  const badName = name === oldName ? null : nameProblem(name);
  if (badName) errors.name = badName;
  else if (name !== oldName && site.entry(name)) errors.name = `a check named "${name}" already exists`;

  const type = form.get('checkType') ?? '';
  const t = checkType(type);
  if (!t) errors.checkType = `unknown check type "${type}"`;
  const old = oldName !== undefined ? rawCheck(site.loaded, oldName) : undefined;
  const { data: _data, ...base } = old ?? {};

  const text = form.get('trigger') ?? '';
  const parsed = parseTriggerText(text);
  let trigger: Obj | null = null;
  if (!parsed.ok) errors.trigger = parsed.error;
  else trigger = mergeTrigger(old?.trigger, parsed.trigger);

  const threshold = intField(form, 'threshold', 1, 1_000_000, errors);
  const retries = intField(form, 'retries', 1, 100, errors);

  const names = new Set(site.loaded.checks.keys());
  const actions = listValue(form, 'actions');
  const badActions = actions.filter((a) => !site.loaded.actions.has(a));
  if (badActions.length) errors.actions = `unknown action${badActions.length > 1 ? 's' : ''}: ${badActions.join(', ')}`;
  const depends = listValue(form, 'depends');
  const badDeps = depends.filter((d) => !names.has(d) || d === oldName || d === name);
  if (badDeps.length) errors.depends = `not a check it can depend on: ${badDeps.join(', ')}`;
  const inseq = listValue(form, 'inseq');
  const badSeq = inseq.filter((s) => !isGroupType(site.entry(s)?.config.type ?? '') || s === oldName || s === name);
  if (badSeq.length) errors.inseq = `not a sequence: ${badSeq.join(', ')}`;

  let options: Obj = {};
  if (t) {
    const fields = typeFields(t);
    const oldOpts = old && old.type === type && isObject(old.options) ? old.options : {};
    const r = readFields(fields, form, OPT, oldOpts);
    for (const [k, v] of Object.entries(r.errors)) errors[`${OPT}${k}`] = v;
    // keys the form does not show survive an edit of the same type (newer options, comments)
    const known = new Set([...fields.map((f) => f.key), 'timezone']);
    for (const [k, v] of Object.entries(oldOpts)) if (!known.has(k)) options[k] = v;
    options = { ...options, ...r.values };
    options = normaliseOptions(options);
    const tz = (form.get('timezone') ?? '').trim();
    if (tz !== '') {
      const z = canonicalZone(tz);
      if (z) options.timezone = z;
      else errors.timezone = `"${tz}" is not a known time zone (e.g. Australia/Adelaide, UTC)`;
    }
    const check = t.options.safeParse(options);
    if (!check.success) {
      for (const iss of check.error.issues) {
        const key = String(iss.path[0] ?? '');
        const field = key === 'timezone' ? 'timezone' : `${OPT}${key}`;
        errors[field] ??= iss.message;
      }
    }
  }

  const raw: Obj = {
    ...base,
    type,
    trigger,
    paused: form.has('paused'),
    failAction: form.has('failAction'),
    passAction: form.has('passAction'),
    publish: (form.get('publish') ?? '').trim() || null,
    remoteId: (form.get('remoteId') ?? '').trim() || null,
    options,
    actions: [...new Set(actions)],
    depends: [...new Set(depends)],
  };
  if (form.has('subType')) raw.subType = (form.get('subType') ?? '').trim() || null;
  if (threshold === undefined) delete raw.threshold;
  else raw.threshold = threshold;
  if (retries === undefined) delete raw.retries;
  else raw.retries = retries;
  // spec §8.4: a new check without a priority gets 100 × the number of checks
  if (old === undefined) raw.priority = 100 * site.loaded.checks.size;
  return { form, name, raw, inseq: [...new Set(inseq)], errors };
}

/** Puts the engine's validation issues next to the fields they concern. */
export function issuesToForm(issues: readonly Issue[], name: string): { errors: Record<string, string>; general: string[] } {
  const errors: Record<string, string> = {};
  const general: string[] = [];
  for (const i of issues) {
    if (i.severity !== 'error') continue;
    const p = i.path;
    if (p[0] === 'checks' && p[1] === name && p.length > 2) {
      const k = String(p[2]);
      const field = k === 'options' ? (p[3] === 'timezone' ? 'timezone' : `${OPT}${String(p[3] ?? '')}`) : k === 'type' ? 'checkType' : k;
      errors[field] ??= i.message;
    } else {
      general.push(formatIssue(i));
    }
  }
  return { errors, general };
}

/** The submitted form as a FormState (re-rendered with its errors). */
export function formState(form: FormValues, errors: Record<string, string>, general: string[] = [], base: FormState['values'] = {}): FormState {
  const values: FormState['values'] = { ...base };
  for (const k of form.keys()) {
    const all = form.all(k);
    if (all.length > 1) values[k] = all;
    else if (all.length === 1) values[k] = all[0];
  }
  return { values, errors, general };
}
