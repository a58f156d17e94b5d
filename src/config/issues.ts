/**
 * Config problems, each with the JSON path it concerns (issue 2: "every problem
 * is reported with its JSON path and what is wrong").
 */
import { didYouMean } from '../util/suggest.ts';
import type { z } from 'zod';

export type PathSegment = string | number;

export interface Issue {
  /** e.g. ['checks', 'web', 'trigger', 'cron', 'hour'] */
  path: PathSegment[];
  message: string;
  /** errors make the check/action (or the whole site, at top level) inactive; warnings do not */
  severity: 'error' | 'warning';
}

const IDENT = /^[A-Za-z_$][\w$]*$/;

/** Longest path segment shown whole; a longer one (a 100 KB name) is shortened. */
const SHOW_SEGMENT = 80;

function shorten(s: string): string {
  return s.length > SHOW_SEGMENT ? `${s.slice(0, SHOW_SEGMENT - 20)}… (${s.length} characters)` : s;
}

/** A name quoted for a message, shortened when it is very long. */
export function quoteName(s: string): string {
  return JSON.stringify(shorten(s));
}

/** `checks["web"].trigger.cron.hour`: names of checks, actions and users are always quoted. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (let i = 0; i < path.length; i++) {
    const full = path[i];
    const seg = typeof full === 'string' ? shorten(full) : full;
    const parent = i > 0 ? path[i - 1] : undefined;
    const named = (parent === 'checks' || parent === 'actions' || parent === 'users' || parent === 'roles') && i <= 3;
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (!named && IDENT.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out || '(site)';
}

export function formatIssue(issue: Issue): string {
  return `${formatPath(issue.path)}: ${issue.message}`;
}

/** Problems shown in a site-log line before "and N more" (the log is for people; the logger has them all). */
const SUMMARY_ISSUES = 5;

/** ` with 2 errors and 1 warning: checks["x"].type: …; …; check x does not run` for a site-log line ('' without problems). */
export function problemSuffix(issues: readonly Issue[], checks: Iterable<{ active: boolean; config: { name: string } }>): string {
  if (issues.length === 0) return '';
  const errors = issues.filter((i) => i.severity === 'error').length;
  const count = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;
  const head = [errors ? count(errors, 'error') : '', issues.length > errors ? count(issues.length - errors, 'warning') : ''].filter(Boolean).join(' and ');
  const more = issues.length > SUMMARY_ISSUES ? `; and ${issues.length - SUMMARY_ISSUES} more` : '';
  const idle = [...checks].filter((e) => !e.active).map((e) => e.config.name);
  const idleText =
    idle.length === 0
      ? ''
      : `; ${idle.length === 1 ? 'check' : 'checks'} ${idle.slice(0, SUMMARY_ISSUES).join(', ')}${idle.length > SUMMARY_ISSUES ? ' …' : ''} ${idle.length === 1 ? 'does' : 'do'} not run`;
  return ` with ${head}: ${issues.slice(0, SUMMARY_ISSUES).map(formatIssue).join('; ')}${more}${idleText}`;
}

/** Logs config problems one line each with their JSON path (at start, at reload, after the raw editor saves). */
export function logIssues(log: { error(o: object, m: string): void; warn(o: object, m: string): void }, issues: readonly Issue[]): void {
  for (const i of issues) log[i.severity === 'error' ? 'error' : 'warn']({ path: formatPath(i.path) }, `config problem: ${formatIssue(i)}`);
}

export function showValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'an object';
  return String(v);
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'number') return `the number ${v}`;
  if (typeof v === 'string') return `the text ${showValue(v)}`;
  if (typeof v === 'boolean') return String(v);
  return `${typeof v} ${showValue(v)}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

const EXPECT: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  record: 'an object',
  null: 'null',
};

/**
 * Turns zod issues into path-precise, plain-language issues. `input` is what
 * was validated. `secret(path)` true: the value there may be a secret (a
 * secret slot of the registry, src/config/marks.ts `onSlot`): the message
 * says what kind of value it is, never the value.
 */
export function fromZod(
  error: z.ZodError,
  input: unknown,
  prefix: PathSegment[],
  severity: Issue['severity'] = 'error',
  secret?: (path: PathSegment[]) => boolean,
): Issue[] {
  return error.issues.map((iss) => {
    const rel = iss.path.filter((p): p is string | number => typeof p !== 'symbol');
    const hidden = secret?.(rel) === true;
    const masked = (v: unknown): boolean => hidden && v !== null && v !== undefined && typeof v !== 'object';
    const show = (v: unknown): string => (masked(v) ? 'the secret value' : showValue(v));
    const got = valueAt(input, iss.path);
    let message = iss.message;
    switch (iss.code) {
      case 'invalid_type': {
        const want = EXPECT[iss.expected] ?? iss.expected;
        message = got === undefined ? `is required (${want})` : `expected ${want}, got ${masked(got) ? `${typeof got} (a secret, not shown)` : kindOf(got)}`;
        break;
      }
      case 'too_small':
        message = `${show(got)} is too small (minimum ${String(iss.minimum)})`;
        break;
      case 'too_big':
        message = `${show(got)} is too large (maximum ${String(iss.maximum)})`;
        break;
      case 'invalid_value':
        message = `${show(got)} is not one of ${iss.values.map((v) => JSON.stringify(v)).join(', ')}${
          hidden
            ? ''
            : didYouMean(
                got,
                iss.values.filter((v): v is string => typeof v === 'string'),
              )
        }`;
        break;
      case 'unrecognized_keys':
        message = `unknown key${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => JSON.stringify(k)).join(', ')}`;
        break;
      case 'invalid_union':
        message = got === undefined ? 'is required' : `${show(got)} is not valid here`;
        break;
      default:
        break;
    }
    return { path: [...prefix, ...rel], message, severity };
  });
}
