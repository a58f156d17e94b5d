/** Building notifications and action entries for action tests. */
import { actionType } from '../../src/actions/registry.ts';
import { sendOnce, type NotifierHost } from '../../src/actions/dispatch.ts';
import type { Notification } from '../../src/actions/types.ts';
import type { ActionEntry } from '../../src/config/model.ts';
import { silentLogger } from '../../src/log.ts';

/** 14 Jan 2026 05:04:00 UTC */
export const T_FAIL = Date.UTC(2026, 0, 14, 5, 4);
/** 14 Jan 2026 05:10:00 UTC */
export const T_PASS = Date.UTC(2026, 0, 14, 5, 10);

export function entry(type: string, options: Record<string, unknown>, name = `${type}-action`): ActionEntry {
  const t = actionType(type);
  if (!t) throw new Error(`no action type ${type}`);
  const r = t.options.safeParse(options);
  if (!r.success) throw new Error(`bad options for ${type}: ${JSON.stringify(r.error.issues)}`);
  return { config: { name, type, options }, opts: r.data as Record<string, unknown>, active: true };
}

export interface TestHost extends NotifierHost {
  warnings: string[];
  entries: Map<string, ActionEntry>;
}

export function host(entries: ActionEntry[] = [], now: () => number = Date.now): TestHost {
  const map = new Map(entries.map((e) => [e.config.name, e]));
  const warnings: string[] = [];
  return { entries: map, warnings, action: (n) => map.get(n), log: silentLogger(), warn: (m) => warnings.push(m), now };
}

/** Sends through the same path as the outbox (timeout, error wrapping). */
export async function send(e: ActionEntry, n: Notification, h: NotifierHost = host([e])): Promise<void> {
  await sendOnce(e, n, h);
}

/** `web (https)` failing with a connection error. */
export function failNote(over: Partial<Notification['check']> = {}): Notification {
  return {
    site: 'HQ',
    kind: 'transition',
    at: T_FAIL,
    id: 'n-fail-1',
    check: {
      name: 'web',
      type: 'https',
      state: 'FAIL',
      failState: true,
      softFail: null,
      level: null,
      log: ['web.example.com ConnectionRefusedError: [Errno 111] Connection refused'],
      summary: 'web.example.com ConnectionRefusedError: [Errno 111] Connection refused',
      lastFail: T_FAIL,
      lastPass: Date.UTC(2026, 0, 13, 22, 0),
      lastCheck: T_FAIL,
      zone: 'UTC',
      ...over,
    },
  };
}

/** `web (https)` back to PASS. */
export function passNote(over: Partial<Notification['check']> = {}): Notification {
  return {
    site: 'HQ',
    kind: 'transition',
    at: T_PASS,
    id: 'n-pass-1',
    check: {
      name: 'web',
      type: 'https',
      state: 'PASS',
      failState: false,
      softFail: null,
      level: null,
      log: ['HTTP/1.1 200 OK'],
      summary: '',
      lastFail: T_FAIL,
      lastPass: T_PASS,
      lastCheck: T_PASS,
      zone: 'UTC',
      ...over,
    },
  };
}

/** A sequence with two failing members (spec §4.13 log and summary). */
export function sequenceNote(): Notification {
  return {
    site: 'HQ',
    kind: 'transition',
    at: T_FAIL,
    id: 'n-seq-1',
    check: {
      name: 'self-check',
      type: 'sequence',
      state: 'FAIL',
      failState: 'disk,cpu',
      softFail: null,
      level: null,
      log: ['memory (memory): PASS 42%', 'disk (disk): FAIL', 'Volume / 95% full', '', 'cpu (cpu): FAIL', 'Load 99%', ''],
      summary: ' disk \u26a0\ufe0f95%\n cpu \u26a0\ufe0f99%',
      lastFail: T_FAIL,
      lastPass: null,
      lastCheck: T_FAIL,
      zone: 'UTC',
    },
  };
}
