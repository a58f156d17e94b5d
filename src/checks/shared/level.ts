/**
 * The level + hysteresis rule shared by disk, memory, cpu and temp (spec §3.3).
 */

/**
 * While the check's reported state is failing (which includes a new check,
 * a soft-fail and a threshold-confirmed fail) the run fails unless
 * `value < level − hysteresis`; otherwise it fails only when `value > level`.
 */
export function levelFails(value: number, level: number, hysteresis: number, failing: boolean): boolean {
  return failing ? !(value < level - hysteresis) : value > level;
}
