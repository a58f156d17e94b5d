/**
 * "Maintenance now" (issue 19): starting and ending a window from the UI or
 * the API is an edit of the site file's `maintenance` section, so it is
 * saved, validated and applied like any other change, and survives a
 * restart. A window started this way carries `by` (who) and `reason` (why);
 * ending it removes it. Ending a planned one-off window sets its end to now.
 * Pure document edits; the callers log who did what in the site log.
 */
import type { Doc } from '../config/edits.ts';
import { occurrenceAt, type MaintenanceWindow } from './maintenance.ts';
import { isObject } from '../util/guard.ts';

/** Longest "maintenance now": a week. */
export const MAX_ADHOC_MINUTES = 7 * 24 * 60;

function section(doc: Doc): Record<string, unknown> {
  return isObject(doc.maintenance) ? doc.maintenance : {};
}

/** A window name not yet taken: `<check> <by> <time>`. */
function freshName(existing: Record<string, unknown>, base: string): string {
  let name = base;
  for (let i = 2; name in existing; i++) name = `${base} (${i})`;
  return name;
}

/**
 * Adds a window covering `checks` from `now` for `minutes`; drops windows an
 * earlier "maintenance now" left behind once they are over.
 */
export function startWindow(doc: Doc, o: { checks: string[]; now: number; minutes: number; by: string; reason: string }): { doc: Doc; name: string } {
  const kept: Record<string, unknown> = {};
  for (const [n, w] of Object.entries(section(doc))) {
    const over = isObject(w) && typeof w.by === 'string' && typeof w.end === 'string' && Date.parse(w.end) <= o.now;
    if (!over) kept[n] = w;
  }
  const name = freshName(kept, `${o.checks.join(', ')} by ${o.by} at ${new Date(o.now).toISOString().slice(0, 16)}Z`);
  kept[name] = {
    start: new Date(o.now).toISOString(),
    end: new Date(o.now + o.minutes * 60_000).toISOString(),
    checks: o.checks,
    by: o.by,
    ...(o.reason ? { reason: o.reason } : {}),
  };
  return { doc: { ...doc, maintenance: kept }, name };
}

/**
 * Ends the one-off windows that cover `check` now: removes those started by
 * "maintenance now", ends planned ones at `now`. Recurring windows are left
 * alone (listed in `recurring`: they can only be changed in the config).
 */
export function endWindows(doc: Doc, active: MaintenanceWindow[], now: number): { doc: Doc; ended: string[]; recurring: string[] } {
  const sec = { ...section(doc) };
  const ended: string[] = [];
  const recurring: string[] = [];
  for (const w of active) {
    if (!occurrenceAt(w, now)) continue;
    if (w.timing.kind === 'recurring') {
      recurring.push(w.name);
      continue;
    }
    const raw = sec[w.name];
    if (!isObject(raw)) continue;
    if (typeof raw.by === 'string') delete sec[w.name];
    else sec[w.name] = { ...raw, end: new Date(now).toISOString() };
    ended.push(w.name);
  }
  return { doc: { ...doc, maintenance: sec }, ended, recurring };
}
