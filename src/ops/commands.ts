/**
 * What an operator does from the UI or the API (issue 19): acknowledge a
 * failure, start or end maintenance on a check now. One implementation for
 * both; who did it and why go to the site log.
 */
import type { Doc } from '../config/edits.ts';
import type { MutateResult } from '../site.ts';
import type { Ops } from './ops.ts';
import { endWindows, startWindow, MAX_ADHOC_MINUTES } from './adhoc.ts';

export interface CommandDeps {
  ops: Ops;
  now(): number;
  /** a config edit through the site's validated, saved mutation (the caller applies its role rules) */
  mutate(edit: (doc: Doc) => Doc): Promise<MutateResult>;
  warn(message: string, level?: 'info' | 'warn'): void;
}

export type CommandResult = { ok: true; message: string } | { ok: false; error: string };

/** Longest comment or reason kept. */
export const MAX_NOTE = 1000;

export async function maintenanceNow(d: CommandDeps, check: string, minutes: number, by: string, reason: string): Promise<CommandResult> {
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_ADHOC_MINUTES) {
    return { ok: false, error: `the duration must be 1 to ${MAX_ADHOC_MINUTES} minutes` };
  }
  let name = '';
  const r = await d.mutate((doc) => {
    const s = startWindow(doc, { checks: [check], now: d.now(), minutes, by, reason: reason.slice(0, MAX_NOTE) });
    name = s.name;
    return s.doc;
  });
  if (!r.ok) return { ok: false, error: r.issues.map((i) => i.message).join('; ') };
  d.warn(`${check} in maintenance for ${minutes} min by ${by}${reason ? `: ${reason}` : ''} (window "${name}")`, 'info');
  return { ok: true, message: name };
}

export async function endMaintenance(d: CommandDeps, check: string, by: string): Promise<CommandResult> {
  const active = d.ops.covering(check);
  if (active.length === 0) return { ok: false, error: `${check} is not in maintenance` };
  let ended: string[] = [];
  let recurring: string[] = [];
  const r = await d.mutate((doc) => {
    const e = endWindows(doc, active, d.now());
    ({ ended, recurring } = e);
    return e.doc;
  });
  if (!r.ok) return { ok: false, error: r.issues.map((i) => i.message).join('; ') };
  if (ended.length === 0) {
    return { ok: false, error: `${check} is in a recurring window (${recurring.join(', ')}): change it in the site file` };
  }
  d.warn(`Maintenance ${ended.map((n) => `"${n}"`).join(', ')} ended by ${by}`, 'info');
  return { ok: true, message: ended.join(', ') };
}
