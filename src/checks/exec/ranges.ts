/**
 * Nagios threshold ranges (Nagios Plugin Development Guidelines,
 * "Threshold and Ranges", monitoring-plugins.org/doc/guidelines.html#THRESHOLDFORMAT):
 *
 *     [@]start:end   start ≤ end; `start:` may be left out (0); `~` is −∞;
 *                    a missing end is +∞; `10` means `0:10`.
 *     alert when the value is OUTSIDE start..end (inclusive),
 *     or INSIDE it when the range begins with `@`.
 *
 * Used for the warn and crit fields of performance data (`label=value;warn;crit;min;max`).
 */

export interface Range {
  start: number;
  end: number;
  /** `@`: alert inside the range instead of outside */
  inside: boolean;
}

const NUM = /^[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?$/;
const num = (s: string): number | null => (NUM.test(s) ? Number(s.replace(',', '.')) : null);

/** The range `s` means, or null when it is empty or unreadable (then it never alerts). */
export function parseRange(s: string | undefined): Range | null {
  if (s === undefined) return null;
  let t = s.trim();
  if (t === '' || t.length > 64) return null;
  const inside = t.startsWith('@');
  if (inside) t = t.slice(1);
  const colon = t.indexOf(':');
  let start: number | null = 0;
  let end: number | null;
  if (colon < 0) {
    end = num(t);
  } else {
    const a = t.slice(0, colon);
    const b = t.slice(colon + 1);
    start = a === '~' ? -Infinity : a === '' ? 0 : num(a);
    end = b === '' ? Infinity : num(b);
  }
  if (start === null || end === null || !(start <= end)) return null;
  return { start, end, inside };
}

/** Whether `value` raises the alert of range `r`. */
export function alerts(r: Range, value: number): boolean {
  const within = value >= r.start && value <= r.end;
  return r.inside ? within : !within;
}
