/**
 * Size limits on what the site file holds (issue 15: a 10 MB host name was
 * saved, and the site file and its `.bak` grew by as much). Every string in
 * the configuration — every free text of every check, action and section,
 * whatever its schema says — is at most MAX_TEXT characters, and no value
 * is nested deeper than MAX_VALUE_DEPTH levels below its section, so that
 * what is saved can always be read back (src/config/parse.ts refuses files
 * nested deeper than MAX_DEPTH). Host names have their own, tighter limit
 * in their schemas (HOSTNAME_MAX). Runtime state (`data`, the site `log`)
 * is written by siteward itself and not limited here.
 */
import { z } from 'zod';
import type { Issue, PathSegment } from './issues.ts';
import { MAX_DEPTH } from './parse.ts';
import { isObject } from '../util/guard.ts';

/** Longest string in the configuration (a webhook body template, a TCP dialogue, an SSH host key fit easily). */
export const MAX_TEXT = 65_536;
/** A host name (RFC 1035 §2.3.4: 253 characters) with a `:port`. */
export const HOSTNAME_MAX = 260;

/**
 * Every option that names a host (a check's server, an action's relay, a
 * listen address) is this string, or built on it (`.min(1)`, `.trim()`,
 * `.default()`): one limit, one message (test/security/limits.test.ts walks
 * every type's `hostname` options).
 */
export const hostName = z.string().max(HOSTNAME_MAX, 'too long for a host name or address');
/** Deepest nesting inside a check, an action or a section (the file adds a few levels above it). */
export const MAX_VALUE_DEPTH = MAX_DEPTH - 10;

/**
 * Strings longer than MAX_TEXT and values nested deeper than
 * MAX_VALUE_DEPTH inside `value` (found at `path`); `skip` names keys of
 * `value` itself to leave out. At most `max` issues (the first ones).
 */
export function textLimitIssues(value: unknown, path: PathSegment[], skip: readonly string[] = [], max = 20): Issue[] {
  const out: Issue[] = [];
  const walk = (v: unknown, at: PathSegment[], depth: number): void => {
    if (out.length >= max) return;
    if (typeof v === 'string') {
      if (v.length > MAX_TEXT) out.push({ path: at, message: `is ${v.length} characters long; at most ${MAX_TEXT} are allowed`, severity: 'error' });
      return;
    }
    if (v === null || typeof v !== 'object') return;
    if (depth >= MAX_VALUE_DEPTH) {
      out.push({ path: at, message: `is nested more than ${MAX_VALUE_DEPTH} levels deep`, severity: 'error' });
      return;
    }
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...at, i], depth + 1));
    else
      for (const [k, x] of Object.entries(v)) {
        if (k.length > MAX_TEXT) out.push({ path: at, message: `has a key ${k.length} characters long; at most ${MAX_TEXT} are allowed`, severity: 'error' });
        else if (!(depth === 0 && skip.includes(k))) walk(x, [...at, k], depth + 1);
      }
  };
  walk(value, path, 0);
  return out;
}

/** Every site section besides checks and actions (those are checked one by one, where they are validated). */
export function sectionTextIssues(doc: Record<string, unknown>): Issue[] {
  const out: Issue[] = [];
  for (const [k, v] of Object.entries(doc)) {
    if (k === 'checks' || k === 'actions' || k === 'log') continue;
    if (isObject(v) || Array.isArray(v) || typeof v === 'string') out.push(...textLimitIssues(v, [k]));
  }
  return out;
}
