/**
 * fletchck's MQTT wire format (spec §7.3, §7.4, §10): encoding a check's
 * state for publishing and decoding/validating a received message. Pure: no
 * I/O, no clock, no site.
 *
 * Decoding never throws. Every way a message can be unusable is a `Rejection`
 * with a stable `reason` code (for counters) and a human `detail` (for the one
 * log line), which fixes fletchck's bug where a failing payload with null
 * counters crashed its MQTT thread (spec §7.4 [bug]).
 */
import type { CheckState, FailState, RemoteData } from '../engine/state.ts';
import { isFailing } from '../engine/state.ts';
import { isoInZone, parseLenientTime } from '../util/time.ts';
import { isObject } from '../util/guard.ts';
import { Buffer, isUtf8 } from 'node:buffer';

/** The state fields of a check as published (spec §7.3), in fletchck's key order. */
export interface WireData {
  threshold: number | null;
  failState: FailState;
  failCount: number;
  log: string[];
  softFail: string | null;
  lastCheck: string | null;
  lastFail: string | null;
  lastPass: string | null;
  level: string | null;
}

export interface WirePayload {
  name: string;
  type: string;
  data: WireData;
  /**
   * siteward: the publishing instance (docs/federation.md "Liveness"). An
   * extra top-level key: fletchck reads only name/type/data and ignores it.
   */
  instance?: string;
  /**
   * siteward: "WARN" while the check is in the warning state (issue 19). On
   * the wire a WARN is a pass (failState false), so fletchck, which reads
   * only name/type/data, sees PASS; siteward peers read this key.
   */
  state?: 'WARN';
}

export interface EncodeInput {
  name: string;
  type: string;
  /** the check's configured threshold (a remote's own threshold wins when known) */
  threshold: number;
  state: CheckState;
  /** the check's zone: times are ISO-8601 with this zone's offset */
  zone: string | null;
  instance?: string | null;
}

export function encodeState(i: EncodeInput): WirePayload {
  const t = (v: number | null): string | null => (v === null ? null : isoInZone(v, i.zone));
  const s = i.state;
  const payload: WirePayload = {
    name: i.name,
    type: i.type,
    data: {
      threshold: s.threshold ?? i.threshold,
      failState: s.failState,
      failCount: s.failCount,
      log: s.log,
      softFail: s.softFail,
      lastCheck: t(s.lastCheck),
      lastFail: t(s.lastFail),
      lastPass: t(s.lastPass),
      level: s.level,
    },
  };
  if (i.instance) payload.instance = i.instance;
  if (s.warn && !isFailing(s.failState)) payload.state = 'WARN';
  return payload;
}

/** The bytes published: compact UTF-8 JSON. */
export function encodePayload(i: EncodeInput): Buffer {
  return Buffer.from(JSON.stringify(encodeState(i)), 'utf8');
}

// ---- decoding

export type RejectReason = 'too-large' | 'not-utf8' | 'invalid-json' | 'not-object' | 'bad-name' | 'malformed' | 'invalid-data';

export interface Rejection {
  ok: false;
  reason: RejectReason;
  detail: string;
  /** the payload's name when it was a usable string (spec §7.4 step 3 records its topic) */
  name?: string;
}

export interface RemoteMessage {
  ok: true;
  name: string;
  /** the remote check's type (becomes the local `subType`) */
  type: string;
  data: RemoteData;
  /** siteward: the publishing instance, when the sender says so */
  instance: string | null;
}

export type Decoded = RemoteMessage | Rejection;

export interface DecodeOptions {
  /** largest payload accepted, in bytes */
  maxBytes: number;
  /** zone for date-times without an offset (spec §3.8: host local = null) */
  zone?: string | null;
}

export const DEFAULT_MAX_PAYLOAD = 256 * 1024;
/** Longest check name accepted from the wire (it becomes a key of the site file). */
export const MAX_NAME = 256;

const has = (o: Record<string, unknown>, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function reject(reason: RejectReason, detail: string, name?: string): Rejection {
  return name === undefined ? { ok: false, reason, detail } : { ok: false, reason, detail, name };
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

/** Python's `isinstance(v, int)`: ints, and booleans (a bool is an int in Python, spec §7.4). */
function pyInt(v: unknown): number | null | undefined {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  return undefined;
}

/**
 * Decodes and validates one received message (spec §7.4). Returns the name as
 * sent: mapping it through `remoteId` is the receiver's job.
 */
export function decodeMessage(payload: Uint8Array, o: DecodeOptions): Decoded {
  try {
    return decode(payload, o);
  } catch (e) {
    // nothing above should throw; if it does, the message is still only rejected
    return reject('invalid-json', `cannot be decoded: ${(e as Error).message}`);
  }
}

function decode(payload: Uint8Array, o: DecodeOptions): Decoded {
  if (payload.byteLength > o.maxBytes) return reject('too-large', `${payload.byteLength} bytes, more than the limit of ${o.maxBytes}`);
  // one native check, then a plain decode (a fatal TextDecoder was ~3x as slow per message); a BOM is dropped as the TextDecoder did
  if (!isUtf8(payload)) return reject('not-utf8', 'the payload is not valid UTF-8');
  const bom = payload.byteLength >= 3 && payload[0] === 0xef && payload[1] === 0xbb && payload[2] === 0xbf ? 3 : 0;
  const text = Buffer.isBuffer(payload)
    ? payload.toString('utf8', bom)
    : Buffer.from(payload.buffer, payload.byteOffset + bom, payload.byteLength - bom).toString('utf8');
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    return reject('invalid-json', `invalid JSON: ${(e as Error).message}`);
  }
  if (!isObject(obj)) return reject('not-object', `expected a JSON object, got ${typeName(obj)}`);

  // step 2: name must be a string (siteward: non-empty, short, no control characters)
  const name = obj.name;
  if (typeof name !== 'string') return reject('bad-name', `"name" must be a string, got ${typeName(name)}`);
  if (name.length === 0 || name.length > MAX_NAME || CONTROL.test(name)) {
    return reject('bad-name', `"name" must be 1–${MAX_NAME} characters without control characters`);
  }
  // step 4: type (string) and data (a non-empty object)
  if (typeof obj.type !== 'string' || obj.type.length === 0 || obj.type.length > MAX_NAME || CONTROL.test(obj.type)) {
    return reject('malformed', '"type" must be a non-empty string', name);
  }
  const d = obj.data;
  if (!isObject(d) || Object.keys(d).length === 0) return reject('malformed', '"data" must be a non-empty object', name);

  const data = validateData(d, o.zone ?? null);
  if (typeof data === 'string') return reject('invalid-data', data, name);
  const inst = obj.instance;
  const instance = typeof inst === 'string' && inst.length > 0 && inst.length <= MAX_NAME && !/[/+#]/.test(inst) && !CONTROL.test(inst) ? inst : null;
  if (obj.state === 'WARN' && !isFailing(data.failState)) data.warn = true;
  return { ok: true, name, type: obj.type, data, instance };
}

/** An integer field of `data` (spec §7.4): the value, or the problem as text. */
function countField(d: Record<string, unknown>, k: 'threshold' | 'failCount'): number | null | string {
  if (!has(d, k)) return `"${k}" is missing`;
  const v = d[k] === null ? null : pyInt(d[k]);
  if (v === undefined) return `"${k}" must be an integer or null, got ${typeName(d[k])}`;
  return v;
}

/** A string field of `data`: the value, or the problem (an object, so that a string value is never taken for one). */
function textField(d: Record<string, unknown>, k: 'softFail' | 'lastCheck' | 'lastFail' | 'lastPass'): string | null | { problem: string } {
  if (!has(d, k)) return { problem: `"${k}" is missing` };
  const v = d[k];
  if (v !== null && typeof v !== 'string') return { problem: `"${k}" must be a string or null, got ${typeName(v)}` };
  return v;
}

const isProblem = (v: string | null | { problem: string }): v is { problem: string } => v !== null && typeof v === 'object';

/**
 * spec §7.4 "Validation of data"; returns the problem as text, or the typed
 * data with its times parsed (spec §3.8: lenient; an unparseable time becomes
 * null, not a rejection). One pass and one object per message: this runs for
 * every message of a backlog (docs/performance.md).
 */
function validateData(d: Record<string, unknown>, zone: string | null): RemoteData | string {
  const threshold = countField(d, 'threshold');
  if (typeof threshold === 'string') return threshold;
  const failCount = countField(d, 'failCount');
  if (typeof failCount === 'string') return failCount;
  const softFail = textField(d, 'softFail');
  if (isProblem(softFail)) return softFail.problem;
  const lastCheck = textField(d, 'lastCheck');
  if (isProblem(lastCheck)) return lastCheck.problem;
  const lastFail = textField(d, 'lastFail');
  if (isProblem(lastFail)) return lastFail.problem;
  const lastPass = textField(d, 'lastPass');
  if (isProblem(lastPass)) return lastPass.problem;
  // level is optional (senders before 1.0.6 have none); the rest must be present
  const level = has(d, 'level') ? d.level : null;
  if (level !== null && typeof level !== 'string') return `"level" must be a string or null, got ${typeName(level)}`;
  if (!has(d, 'failState')) return '"failState" is missing';
  const fs = d.failState;
  // fletchck accepts any type here; only a bool or a sequence's string has a
  // meaning in the state machine, so siteward refuses the rest
  if (typeof fs !== 'boolean' && typeof fs !== 'string') return `"failState" must be a bool or a string, got ${typeName(fs)}`;
  if (!Array.isArray(d.log)) return `"log" must be a list, got ${typeName(d.log)}`;
  // fletchck compares failCount with threshold for a failing state and crashes
  // on null (spec §7.4 [bug]): refuse such a message instead
  if (isFailing(fs) && (failCount === null || threshold === null)) {
    return 'a failing state needs integer "failCount" and "threshold", got null';
  }
  return {
    failState: fs,
    failCount,
    threshold,
    log: logLines(d.log as unknown[]),
    softFail,
    level,
    lastCheck: parseLenientTime(lastCheck, zone),
    lastFail: parseLenientTime(lastFail, zone),
    lastPass: parseLenientTime(lastPass, zone),
  };
}

/** The log as strings: the parsed list itself when it holds only strings (the usual case), else a copy with each other value as text. */
function logLines(log: unknown[]): string[] {
  for (let i = 0; i < log.length; i++) if (typeof log[i] !== 'string') return log.map(logLine);
  return log as string[];
}

/** Log lines are strings on the wire; anything else is shown as its JSON text. */
function logLine(v: unknown): string {
  if (typeof v === 'string') return v;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}
