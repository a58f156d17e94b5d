/**
 * Python `repr()` of the few value shapes fletchck writes into check logs
 * (str, bytes, int, None, bool, tuples and lists), so that siteward's log lines
 * match fletchck's byte for byte in a mixed federation (spec §4.2–§4.7).
 */

export class PyBytes {
  constructor(readonly data: Buffer) {}
}
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}
export type PyValue = string | number | boolean | null | PyBytes | PyTuple | PyValue[];

export const bytes = (b: Buffer | string): PyBytes => new PyBytes(Buffer.isBuffer(b) ? b : Buffer.from(b, 'utf8'));
export const tuple = (...items: PyValue[]): PyTuple => new PyTuple(items);

const ESC: Record<number, string> = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r', 0x5c: '\\\\' };

/** What strRepr writes other than as itself: escapes, control characters, C1 controls, a single quote (which may change the quoting). */
const PLAIN = /[\u0000-\u001f\u007f-\u009f\\']/;

/** Python 3 str repr: single quotes unless the text has ' and no ". */
export function strRepr(s: string): string {
  // most log lines need no escape: one native scan instead of a loop per character (a repr per transition, docs/performance.md)
  if (!PLAIN.test(s)) return `'${s}'`;
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ESC[c]) out += ESC[c];
    else if (ch === quote) out += `\\${quote}`;
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (c >= 0x80 && c < 0xa0) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}

/** Python 3 bytes repr: b'...' with \xNN for non-printable bytes. */
export function bytesRepr(b: Buffer): string {
  const hasSingle = b.includes(0x27);
  const hasDouble = b.includes(0x22);
  const quote = hasSingle && !hasDouble ? '"' : "'";
  let out = `b${quote}`;
  for (const c of b) {
    if (ESC[c]) out += ESC[c];
    else if (c === quote.charCodeAt(0)) out += `\\${quote}`;
    else if (c < 0x20 || c >= 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(c);
  }
  return out + quote;
}

export function repr(v: PyValue): string {
  if (v === null) return 'None';
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
  if (typeof v === 'string') return strRepr(v);
  if (v instanceof PyBytes) return bytesRepr(v.data);
  if (v instanceof PyTuple) {
    const inner = v.items.map(repr);
    return `(${inner.join(', ')}${inner.length === 1 ? ',' : ''})`;
  }
  return `[${v.map(repr).join(', ')}]`;
}
