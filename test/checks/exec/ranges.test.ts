/**
 * Nagios threshold ranges (Plugin Development Guidelines, "Threshold and
 * Ranges"): the guidelines' own table of examples.
 */
import { describe, it, expect } from 'vitest';
import { alerts, parseRange } from '../../../src/checks/exec/ranges.ts';

describe('Nagios ranges', () => {
  it.each([
    // range, value, alerts
    ['10', -1, true],
    ['10', 0, false],
    ['10', 10, false],
    ['10', 10.5, true],
    ['10:', 9.9, true],
    ['10:', 1e9, false],
    ['~:10', -1e9, false],
    ['~:10', 11, true],
    ['10:20', 9, true],
    ['10:20', 15, false],
    ['10:20', 21, true],
    ['@10:20', 9, false],
    ['@10:20', 10, true],
    ['@10:20', 20, true],
    ['@10:20', 21, false],
    ['0,5', 0.6, true],
  ] as const)('%s with %s alerts: %s', (range, value, want) => {
    const r = parseRange(range);
    expect(r).not.toBeNull();
    expect(alerts(r!, value)).toBe(want);
  });

  it.each(['', ' ', '20:10', 'a', '1:b', '@', 'x'.repeat(100), undefined])('%j is no range (never alerts)', (s) => {
    expect(parseRange(s)).toBeNull();
  });
});
