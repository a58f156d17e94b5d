/**
 * The one rule for names of checks and actions, and the one rule for MQTT
 * topics a check publishes to. A name travels in URLs (/check/<name>,
 * /api/v1/checks/<name>), MQTT payloads, log lines and notifications; a topic
 * goes to the broker as it is. What cannot travel is refused where it enters:
 * the site file (an error at its JSON path), the web UI's forms, the REST
 * API, `--merge` and MQTT autoadd — all ask this module.
 */
import type { Issue, PathSegment } from './issues.ts';

/** Longest name of a check or action (characters): the API's limit, below a federation peer's (256). */
export const MAX_NAME = 200;

/**
 * Keys that reach an object's prototype when used as a property name in
 * JavaScript (`obj["__proto__"] = …`): never a name, never an option key.
 */
export const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** C0 controls (NUL, tab, line breaks …), DEL and C1 controls: invisible in a page, refused by peers. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** What is wrong with a check or action name, or null when it may be used. */
export function nameProblem(name: string): string | null {
  if (name.length === 0) return 'a name is required';
  if (name.length > MAX_NAME) return `the name is ${name.length} characters long; at most ${MAX_NAME} are allowed`;
  if (name.trim() === '') return 'the name is blank (only spaces)';
  if (CONTROL.test(name)) return 'the name contains a control character (such as NUL, a tab or a line break)';
  // a browser folds /check/. and /action/.. into another address (RFC 3986 §5.2.4)
  if (name === '.' || name === '..') return `${JSON.stringify(name)} cannot be a name: web addresses treat it as a folder step`;
  if (PROTOTYPE_KEYS.has(name)) return `${JSON.stringify(name)} is reserved and cannot be a name`;
  return null;
}

/**
 * Paths (relative to `value`) of every prototype key inside an options value,
 * at any depth. Such a key is dropped or turned into a prototype by the
 * readers of the file, so it never means what it says.
 */
export function prototypeKeyPaths(value: unknown, at: (string | number)[] = [], depth = 0): (string | number)[][] {
  if (value === null || typeof value !== 'object' || depth > 100) return [];
  const out: (string | number)[][] = [];
  if (Array.isArray(value)) {
    value.forEach((v, i) => out.push(...prototypeKeyPaths(v, [...at, i], depth + 1)));
    return out;
  }
  for (const [k, v] of Object.entries(value)) {
    if (PROTOTYPE_KEYS.has(k)) out.push([...at, k]);
    else out.push(...prototypeKeyPaths(v, [...at, k], depth + 1));
  }
  return out;
}

/** Prototype keys inside an options value, each an error at its path (`path` is the options' own). */
export function prototypeKeyIssues(options: unknown, path: PathSegment[]): Issue[] {
  return prototypeKeyPaths(options).map((p) => ({
    path: [...path, ...p],
    message: `${JSON.stringify(p[p.length - 1])} is reserved and cannot be an option name`,
    severity: 'error' as const,
  }));
}

/** Longest topic MQTT can carry (a two-byte length, MQTT 3.1.1 §1.5.3). */
export const MAX_TOPIC_BYTES = 65_535;

/**
 * What is wrong with a topic to publish to, or null. `+` and `#` are
 * wildcards, allowed only when subscribing (MQTT 3.1.1 §4.7.1); a broker
 * refuses a publish that carries them, and U+0000 (§1.5.3).
 */
export function topicProblem(topic: string): string | null {
  if (topic.length === 0) return 'a topic is required';
  if (/[+#]/.test(topic)) return 'a topic to publish to cannot contain the wildcards + or #';
  if (topic.includes('\u0000')) return 'a topic cannot contain the NUL character';
  if (Buffer.byteLength(topic) > MAX_TOPIC_BYTES) return `the topic is longer than ${MAX_TOPIC_BYTES} bytes`;
  return null;
}

/**
 * What is wrong with a topic filter to subscribe to, or null: `+` must be a
 * whole level, `#` a whole level and the last (MQTT 3.1.1 §4.7.1.2–3).
 */
export function topicFilterProblem(filter: string): string | null {
  if (filter.length === 0) return 'a topic filter is required';
  if (filter.includes('\u0000')) return 'a topic filter cannot contain the NUL character';
  if (Buffer.byteLength(filter) > MAX_TOPIC_BYTES) return `the topic filter is longer than ${MAX_TOPIC_BYTES} bytes`;
  const levels = filter.split('/');
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i];
    if (l === '+' || (l === '#' && i === levels.length - 1)) continue;
    if (l === '#') return '# must be the last level of a topic filter';
    if (/[+#]/.test(l)) return '+ and # must stand alone between slashes';
  }
  return null;
}
