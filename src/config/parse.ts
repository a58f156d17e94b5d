/**
 * Reading the site file's bytes into a JSON document, with problems located:
 * invalid UTF-8 (byte offset), syntax errors (line and column) and duplicate
 * keys (JSON.parse would silently keep the last one).
 */
import { readFile } from 'node:fs/promises';
import { visit, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { Issue, PathSegment } from './issues.ts';

/**
 * Deepest nesting of objects and lists accepted. A site file needs about
 * ten levels; the JSON readers recurse, so a file nested thousands deep
 * would overflow the stack (RFC 8259 §9 lets a parser set this limit).
 */
export const MAX_DEPTH = 100;

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

// ignoreBOM: keep a BOM for parseSiteText to strip, so exactly one is accepted
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

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

/**
 * One pass over the text, strings skipped: the offset of the first `{`/`[`
 * nested deeper than MAX_DEPTH (or -1), and whether an object may repeat a
 * key. Keys are compared as written; a key with an escape answers "maybe", so
 * the exact reader decides. A file that passes needs only JSON.parse, which
 * is several times faster than the located reader (docs/performance.md).
 */
function scan(text: string): { deep: number; dupes: boolean } {
  const objects: (Set<string> | null)[] = [];
  let dupes = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      const start = i + 1;
      let escaped = false;
      for (i = start; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) {
          escaped = true;
          i++;
        } else if (d === 0x22) break;
      }
      const keys = objects[objects.length - 1];
      if (!keys || dupes) continue;
      let j = i + 1;
      while (j < n && (text.charCodeAt(j) === 0x20 || text.charCodeAt(j) === 0x0a || text.charCodeAt(j) === 0x0d || text.charCodeAt(j) === 0x09)) j++;
      if (text.charCodeAt(j) !== 0x3a) continue;
      const key = text.slice(start, i);
      if (escaped || keys.has(key)) dupes = true;
      else keys.add(key);
    } else if (c === 0x7b || c === 0x5b) {
      objects.push(c === 0x7b ? new Set() : null);
      if (objects.length > MAX_DEPTH) return { deep: i, dupes };
    } else if (c === 0x7d || c === 0x5d) {
      objects.pop();
    }
  }
  return { deep: -1, dupes };
}

/** Offset of the first `{`/`[` nested deeper than MAX_DEPTH, or -1 (strings skipped). */
export function tooDeep(text: string): number {
  return scan(text).deep;
}

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'there is no such file',
  EISDIR: 'it is a folder, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'too many symbolic links',
  ENOTDIR: 'a part of its path is not a folder',
};

/** Why a file could not be read, in words (`there is no such file`, `permission denied` …). */
export function unreadable(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  return READ_ERRORS[code] ?? (e as Error).message;
}

/** Reads and parses the site file; a file that cannot be read is an issue, not an exception. */
export async function readSiteFile(path: string): Promise<ParsedText> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    const why = unreadable(e);
    return { doc: undefined, issues: [{ path: [], message: `cannot read the site file ${path}: ${why}`, severity: 'error' }] };
  }
  return parseSiteBytes(bytes);
}

export function parseSiteText(text: string): ParsedText {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const { deep, dupes } = scan(text);
  if (deep >= 0) {
    return { doc: undefined, issues: [{ path: [], message: `nested more than ${MAX_DEPTH} levels deep at ${lineCol(text, deep)}`, severity: 'error' }] };
  }
  if (!dupes) {
    try {
      return { doc: JSON.parse(text), issues: [] };
    } catch {
      // the located reader below says where
    }
  }
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
          issues.push({
            path,
            message: `duplicate name: defined twice (again at ${lineCol(text, offset)}); only the last definition is used`,
            severity: 'error',
          });
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
    return {
      doc: undefined,
      issues: [{ path: [], message: `invalid JSON at ${lineCol(text, e.offset)}: ${printParseErrorCode(e.error)}${more}`, severity: 'error' }],
    };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { doc: undefined, issues: [{ path: [], message: `invalid JSON: ${(e as Error).message}`, severity: 'error' }] };
  }
  return { doc, issues };
}
