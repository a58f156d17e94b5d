/**
 * Number formatting that matches Python's `%` operator, so siteward's log
 * lines are byte-identical to fletchck's (spec §4.9–§4.12).
 */

/** Python's `'%.{d}f' % v`: round half to even on exact ties (JS toFixed rounds them up). */
export function fixed(v: number, decimals: number): string {
  if (!Number.isFinite(v)) return String(v);
  const scale = 10 ** decimals;
  const scaled = v * scale;
  const floor = Math.floor(scaled);
  if (scaled - floor === 0.5) {
    const even = floor % 2 === 0 ? floor : floor + 1;
    return (even / scale).toFixed(decimals);
  }
  return v.toFixed(decimals);
}

/** Python's `'%{w}.{d}f' % v` (right-aligned to width w). */
export function padded(v: number, width: number, decimals: number): string {
  return fixed(v, decimals).padStart(width, ' ');
}

/** `level` text used by disk, memory, cpu and ups: `%2.0f%%` (note the leading space below 10). */
export function percentLevel(v: number): string {
  return `${padded(v, 2, 0)}%`;
}

const GIB = 1024 ** 3;
const TIB = 1024 ** 4;

/**
 * Sizes in a log line (spec §4.9): TiB with 2 decimals when the total is over
 * 0.8 TiB, otherwise GiB with no decimals.
 */
export function sizeUnit(total: number): { unit: 'TiB' | 'GiB'; fmt: (bytes: number) => string } {
  if (total > 0.8 * TIB) return { unit: 'TiB', fmt: (b) => fixed(b / TIB, 2) };
  return { unit: 'GiB', fmt: (b) => fixed(b / GIB, 0) };
}
