/**
 * Reading the site file's bytes into a JSON document, with problems located:
 * invalid UTF-8 (byte offset), syntax errors (line and column) and duplicate
 * keys (JSON.parse would silently keep the last one).
 */
import { visit, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { Issue, PathSegment } from './issues.ts';

export interface ParsedText {
  doc: unknown;
  issues: Issue[];
}

function lineCol(text: string, offset: number): string {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      last = i;
    }
  }
  return `line ${line}, column ${offset - last}`;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

export function parseSiteBytes(bytes: Uint8Array): ParsedText {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    // find the first bad byte so the message can point at it
    let bad = 0;
    for (let lo = 0, hi = bytes.length; lo < hi; ) {
      const mid = (lo + hi) >> 1;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, mid));
        lo = mid + 1;
        bad = mid;
      } catch {
        hi = mid;
      }
    }
    return { doc: undefined, issues: [{ path: [], message: `the file is not valid UTF-8 (near byte ${bad})`, severity: 'error' }] };
  }
  return parseSiteText(text);
}

export function parseSiteText(text: string): ParsedText {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const issues: Issue[] = [];
  const errors: ParseError[] = [];
  // keys seen per open object, to report duplicates with their path
  const stack: Set<string>[] = [];
  visit(
    text,
    {
      onObjectBegin: () => {
        stack.push(new Set());
      },
      onObjectEnd: () => {
        stack.pop();
      },
      onObjectProperty: (key, offset, _len, _l, _c, pathSupplier) => {
        const seen = stack[stack.length - 1];
        if (!seen) return;
        if (seen.has(key)) {
          const path: PathSegment[] = [...pathSupplier(), key];
          issues.push({ path, message: `duplicate name: defined twice (again at ${lineCol(text, offset)}); only the last definition is used`, severity: 'error' });
        }
        seen.add(key);
      },
      onError: (error, offset) => {
        errors.push({ error, offset, length: 0 });
      },
    },
    { disallowComments: true, allowTrailingComma: false },
  );
  if (errors.length > 0) {
    const e = errors[0];
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    return { doc: undefined, issues: [{ path: [], message: `invalid JSON at ${lineCol(text, e.offset)}: ${printParseErrorCode(e.error)}${more}`, severity: 'error' }] };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { doc: undefined, issues: [{ path: [], message: `invalid JSON: ${(e as Error).message}`, severity: 'error' }] };
  }
  return { doc, issues };
}
