/**
 * Python's `float(str)`, which fletchck applies to UPS variables (§4.8) and
 * to thermometer readings (§4.12): the same accepted forms and the same
 * `ValueError` text, so a bad reading logs what fletchck would log.
 */
import { strRepr } from '../../util/pyrepr.ts';

export class PyValueError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValueError';
  }
}

// digits with optional single underscores between them (PEP 515)
const DIGITS = String.raw`\d(?:_?\d)*`;
const NUMBER = new RegExp(String.raw`^[+-]?(?:(?:${DIGITS})?\.${DIGITS}|${DIGITS}\.?)(?:[eE][+-]?${DIGITS})?$`);
const SPECIAL = /^[+-]?(?:inf|infinity|nan)$/i;

export function pyFloat(s: string): number {
  const t = s.trim();
  if (NUMBER.test(t)) return Number(t.replace(/_/g, ''));
  if (SPECIAL.test(t)) {
    const neg = t.startsWith('-');
    if (/nan/i.test(t)) return NaN;
    return neg ? -Infinity : Infinity;
  }
  throw new PyValueError(`could not convert string to float: ${strRepr(s)}`);
}
