/**
 * The value tests shared by `snmp` and https `expectJson`
 * (src/checks/shared/expect.ts), as a table.
 */
import { describe, it, expect } from 'vitest';
import { describeTests, failsTests, showValue, type ValueTests } from '../../src/checks/shared/expect.ts';

const cases: [ValueTests, unknown, string | null][] = [
  [{ equals: 'ok' }, 'ok', null],
  [{ equals: 'ok' }, 'OK', 'is "OK", expected "ok"'],
  // strict: the number 1 is not the string "1"
  [{ equals: 1 }, '1', 'is "1", expected 1'],
  [{ equals: null }, null, null],
  [{ equals: true }, 1, 'is 1, expected true'],
  [{ notEquals: 'down' }, 'up', null],
  [{ notEquals: 'down' }, 'down', 'is "down", expected not "down"'],
  [{ min: 10 }, 10, null],
  [{ min: 10 }, 9.5, 'is 9.5, expected at least 10'],
  [{ max: 10 }, 11, 'is 11, expected at most 10'],
  [{ min: 1, max: 3 }, 2, null],
  [{ min: 1, max: 3 }, 4, 'is 4, expected 1…3'],
  [{ min: 1 }, '5', 'is "5", not a number (expected at least 1)'],
  [{ matches: '^up' }, 'upstream', null],
  [{ matches: '^2' }, 200, null],
  [{ matches: '^up' }, { state: 'up' }, 'is {"state":"up"}, expected matching /^up/'],
  [{ equals: 'ok', matches: 'k$' }, 'ok', null],
  [{}, 'anything', null],
];

describe('value tests', () => {
  for (const [t, v, want] of cases) {
    it(`${JSON.stringify(t)} on ${JSON.stringify(v)} → ${want ?? 'pass'}`, () => {
      expect(failsTests(t, v)).toBe(want);
    });
  }

  it('long values are cut in the log', () => {
    expect(showValue('x'.repeat(300))).toHaveLength(101);
    expect(showValue(12n)).toBe('12');
    expect(describeTests({ equals: 'a', max: 3 })).toBe('"a", at most 3');
  });
});
