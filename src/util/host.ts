/**
 * Host name normalisation of the web form and CSV import (spec §4.0): a MAC
 * address becomes its EUI-64 link-local IPv6 address with scope `%2`; an
 * unscoped link-local IPv6 address gets `%2`. Other values are unchanged.
 */

const MAC = /^([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2})$/i;

export function normaliseHost(value: string): string {
  const v = value.trim();
  const m = MAC.exec(v);
  if (m) {
    const b = m.slice(1).map((x) => parseInt(x, 16));
    // fletchck ORs the universal/local bit in (it does not flip it); kept for compatibility
    b[0] |= 0x02;
    const hex = (x: number, y: number): string => ((x << 8) | y).toString(16);
    return `fe80::${hex(b[0], b[1])}:${hex(b[2], 0xff)}:${hex(0xfe, b[3])}:${hex(b[4], b[5])}%2`;
  }
  if (/^fe80:/i.test(v) && !v.includes('%')) return `${v}%2`;
  return v;
}
