/**
 * How a value read from a service is judged and shown (src/checks/shared/value.ts):
 * the rules the service checks share, table-tested.
 */
import { describe, it, expect } from 'vitest';
import { judgeValue, numeric, queryLine, valueIssues, valueLevel, withValue } from '../../../src/checks/shared/value.ts';

describe('value rules', () => {
  it.each([
    ['42', 42],
    [' -3.5 ', -3.5],
    ['1e3', 1000],
    ['.5', 0.5],
    ['12 s', null],
    ['0x10', null],
    ['', null],
    ['Infinity', null],
    [null, null],
  ])('numeric(%j) is %j', (text, n) => {
    expect(numeric(text)).toBe(n);
  });

  it.each([
    [{ expect: '2' }, '2', null],
    [{ expect: '2' }, '2.0', "'2.0' is not the expected '2'"],
    [{ minValue: 1, maxValue: 3 }, '3', null],
    [{ maxValue: 3 }, '3.01', "'3.01' is above the maximum 3"],
    [{ minValue: 0 }, '-1', "'-1' is below the minimum 0"],
    [{ minValue: 0 }, 'n/a', "'n/a' is not a number"],
    [{ expect: 'x' }, null, "None is not the expected 'x'"],
    [{ maxValue: 1 }, undefined, 'no value to compare (nothing was returned)'],
    [{}, undefined, null],
  ])('judge %j on %j', (o, value, error) => {
    if (error === null) expect(() => judgeValue(value, o)).not.toThrow();
    else expect(() => judgeValue(value, o)).toThrow(error);
  });

  it('a long number is shown with 6 significant digits; a short one as sent', () => {
    expect(valueLevel('0.5', 0.5)).toBe('0.5');
    expect(valueLevel('123456.789012345', 123456.789012345)).toBe('123457');
  });

  it('a numeric value becomes level and the value metric; text leaves the outcome alone', () => {
    const base = { fail: false, log: [], level: '90 days', metrics: [{ name: 'cert_days_left', value: 90 }] };
    expect(withValue(base, '7', { maxValue: 10 })).toEqual({ ...base, level: '7', metrics: [...base.metrics, { name: 'value', value: 7, crit: 10 }] });
    expect(withValue(base, 'ok', {})).toBe(base);
    expect(withValue(base, null, {})).toBe(base);
  });

  it('query lines and load-time problems', () => {
    expect(queryLine(0, undefined)).toBe('query: 0 rows');
    expect(queryLine(3, null)).toBe('query: 3 rows, first value None');
    expect(valueIssues({ minValue: 2, maxValue: 1 }, { name: 'key', set: true })).toEqual([
      { path: ['maxValue'], message: 'maxValue (1) is below minValue (2)' },
    ]);
  });
});
