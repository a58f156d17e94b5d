/**
 * The level + hysteresis rule shared by disk, memory, cpu and temp (spec §3.3).
 */
import { z } from 'zod';

/**
 * While the check's reported state is failing (which includes a new check,
 * a soft-fail and a threshold-confirmed fail) the run fails unless
 * `value < level − hysteresis`; otherwise it fails only when `value > level`.
 */
export function levelFails(value: number, level: number, hysteresis: number, failing: boolean): boolean {
  return failing ? !(value < level - hysteresis) : value > level;
}

/**
 * siteward WARN (issue 19): the same rule against the optional warning
 * threshold, for a run that does not fail. `warning`: the check is in WARN
 * now (the hysteresis keeps it there until the value drops below
 * `warnLevel − hysteresis`). No `warnLevel`: never WARN.
 */
export function levelWarns(value: number, warnLevel: number | undefined, hysteresis: number, warning: boolean): boolean {
  return warnLevel !== undefined && levelFails(value, warnLevel, hysteresis, warning);
}

/** The option of every level-measuring check type (spread into its schema). */
export const warnLevelOption = {
  warnLevel: z
    .number()
    .optional()
    .describe('siteward: WARN above this (below `level`): the check passes but is shown and, for actions with notifyWarn, announced as WARN'),
};
