/**
 * Writing a site document back out in fletchck's shape (spec §2.4): top-level
 * keys in fletchck's order, every check flattened with all its keys, each
 * check's runtime `data` from the state store, and every unknown key kept.
 */
import type { CheckState } from '../engine/state.ts';
import { isoInZone, parseLenientTime } from '../util/time.ts';
import { CHECK_DEFAULTS, CHECK_KEYS } from './model.ts';
import { isObject } from '../util/guard.ts';

const TOP_ORDER = ['$schema', 'base', 'timezone', 'webui', 'mqtt', 'actions', 'checks', 'log'];

/** States are replaced, never mutated, so their `data` can be remembered per object. */
const dataMemo = new WeakMap<CheckState, { zone: string | null; data: Record<string, unknown> }>();

/** Runtime state as fletchck's `data` object. */
export function stateToData(s: CheckState, zone: string | null): Record<string, unknown> {
  const hit = dataMemo.get(s);
  if (hit && hit.zone === zone) return hit.data;
  const data = computeData(s, zone);
  dataMemo.set(s, { zone, data });
  return data;
}

function computeData(s: CheckState, zone: string | null): Record<string, unknown> {
  const t = (v: number | null): string | null => (v === null ? null : isoInZone(v, zone));
  return {
    failState: s.failState,
    failCount: s.failCount,
    log: s.log,
    softFail: s.softFail,
    lastCheck: t(s.lastCheck),
    lastUpdate: t(s.lastUpdate),
    lastFail: t(s.lastFail),
    lastPass: t(s.lastPass),
    level: s.level,
  };
}

/**
 * Reads fletchck's `data` leniently (spec §2.3): each field only when it has the
 * right JSON type; times parsed per §3.8. Returns null when there is nothing usable.
 */
export function dataToState(data: unknown, zone: string | null, base: CheckState): CheckState | null {
  if (!isObject(data)) return null;
  const s: CheckState = { ...base, log: [...base.log], metrics: [] };
  if (typeof data.failState === 'boolean' || typeof data.failState === 'string') s.failState = data.failState;
  if (Number.isInteger(data.failCount) && (data.failCount as number) >= 0) s.failCount = data.failCount as number;
  if (typeof data.softFail === 'string') s.softFail = data.softFail;
  if (typeof data.level === 'string') s.level = data.level;
  if (Array.isArray(data.log)) s.log = data.log.map((l) => (typeof l === 'string' ? l : JSON.stringify(l)));
  for (const k of ['lastCheck', 'lastFail', 'lastPass', 'lastUpdate'] as const) {
    const v = parseLenientTime(data[k], zone);
    if (v !== null) s[k] = v;
  }
  return s;
}

/** One check in the flattened form, with `data` replaced when given. */
export function flattenCheck(raw: unknown, data: Record<string, unknown> | undefined): Record<string, unknown> {
  const r = isObject(raw) ? raw : {};
  const out: Record<string, unknown> = {};
  for (const key of CHECK_KEYS) {
    if (key === 'data') {
      out.data = data ?? r.data ?? {};
    } else if (key in r) {
      out[key] = r[key];
    } else if (key === 'options') {
      out.options = {};
    } else if (key !== 'type') {
      out[key] = CHECK_DEFAULTS[key];
    }
  }
  for (const [k, v] of Object.entries(r)) if (!(k in out)) out[k] = v;
  return out;
}

export interface SerializeInput {
  doc: Record<string, unknown>;
  base: string;
  /** name → data for checks whose runtime state is known */
  data: (name: string) => Record<string, unknown> | undefined;
  log: string[];
}

export function serializeSite({ doc, base, data, log }: SerializeInput): string {
  const out: Record<string, unknown> = {};
  const checks: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(isObject(doc.checks) ? doc.checks : {})) {
    checks[name] = flattenCheck(raw, data(name));
  }
  const values: Record<string, unknown> = {
    ...doc,
    base,
    timezone: doc.timezone ?? null,
    webui: doc.webui ?? null,
    actions: isObject(doc.actions) ? doc.actions : {},
    checks,
    log,
  };
  for (const k of TOP_ORDER) {
    if (k === 'mqtt' && !(k in doc)) continue;
    out[k] = values[k];
  }
  for (const [k, v] of Object.entries(values)) if (!(k in out)) out[k] = v;
  // fletchck writes 1-space indented JSON
  return `${JSON.stringify(out, null, 1)}\n`;
}
