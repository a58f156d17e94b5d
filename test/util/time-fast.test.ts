/**
 * parseLenientTime reads the usual `YYYY-MM-DDTHH:MM:SS[.f]±HH:MM` shape
 * without its regular expression (docs/performance.md): the result must be
 * the general path's, valid or not. A blank before the zone (allowed by the
 * general grammar, spec §3.8) sends the same text down the general path.
 */
import { describe, expect, it } from 'vitest';
import { isoInZone, parseLenientTime } from '../../src/util/time.ts';

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('parseLenientTime, the ISO-with-offset shape', () => {
  it("gives the general path's result for valid and invalid fields, fractions and zones", () => {
    const r = rng(20);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
    const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
    let fast = 0;
    for (let k = 0; k < 20_000; k++) {
      const year = pick([0, 4, 50, 99, 100, 1900, 1970, 2000, 2024, 2026, 2100, 9999]);
      const month = Math.floor(r() * 14);
      const day = Math.floor(r() * 33);
      const hour = Math.floor(r() * 26);
      const minute = Math.floor(r() * 62);
      const second = Math.floor(r() * 62);
      const fracLen = pick([0, 0, 1, 3, 6, 9, 10]);
      const frac = fracLen ? `${pick(['.', ','])}${Array.from({ length: fracLen }, () => Math.floor(r() * 10)).join('')}` : '';
      const zone = pick(['Z', 'z', '+00:00', '+10:30', '-05:00', '+14:00', '-12:45', '+0530', '+05']);
      const head = `${pad(year, 4)}-${pad(month)}-${pad(day)}${pick(['T', 't', ' '])}${pad(hour)}:${pad(minute)}:${pad(second)}${frac}`;
      const got = parseLenientTime(`${head}${zone}`);
      expect(got, `${head}${zone}`).toBe(parseLenientTime(`${head} ${zone}`));
      if (got !== null) fast++;
    }
    // the cases are not all invalid
    expect(fast).toBeGreaterThan(1000);
  });

  it('reads back what isoInZone writes, to the millisecond', () => {
    const r = rng(7);
    for (let k = 0; k < 2000; k++) {
      const t = Math.floor(r() * 4e12);
      for (const zone of ['UTC', 'Australia/Adelaide', 'America/St_Johns']) expect(parseLenientTime(isoInZone(t, zone))).toBe(t);
    }
    expect(parseLenientTime(new Date(1_765_000_000_123).toISOString())).toBe(1_765_000_000_123);
    expect(parseLenientTime('2026-02-29T00:00:00Z')).toBeNull();
    expect(parseLenientTime('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
  });
});
