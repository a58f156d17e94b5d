/**
 * Loading and saving the site file: fletchck's shape (spec §2), lossless
 * round trips, path-precise problems, one bad check never stops the rest.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSiteText } from '../../src/config/parse.ts';
import { validateSite } from '../../src/config/load.ts';
import { serializeSite, dataToState } from '../../src/config/serialize.ts';
import { formatIssue } from '../../src/config/issues.ts';
import { initialState } from '../../src/engine/state.ts';

const FIXTURE = readFileSync(join(import.meta.dirname, '../fixtures/fletchck.conf'), 'utf8');

function load(text: string) {
  const p = parseSiteText(text);
  return validateSite(p.doc, { base: '/site' }, p.issues);
}
const messages = (text: string): string[] => load(text).issues.map(formatIssue);
const site = (checks: Record<string, unknown>, extra: Record<string, unknown> = {}): string => JSON.stringify({ checks, ...extra });

describe('site file loading', () => {
  it('reads a fletchck-shaped file with every key (legacy cksms action, legacy display times)', () => {
    const s = load(FIXTURE);
    expect(s.fatal).toBe(false);
    expect(s.issues.map(formatIssue)).toEqual([]);
    expect(s.settings.timezone).toBe('Australia/Adelaide');
    expect(s.settings.name).toBe('HQ');
    expect(s.actions.get('sms')?.config.type).toBe('sms');
    const peer = s.checks.get('peer')!;
    expect(peer.config).toMatchObject({
      type: 'remote',
      subType: 'https',
      paused: true,
      failAction: false,
      remoteId: 'web',
      depends: ['root'],
      actions: ['sms'],
    });
    expect(peer.schedule?.kind).toBe('cron');
    expect(s.checks.get('self-check')!.zone).toBe('UTC');
    const root = dataToState(s.checks.get('root')!.fileData, 'Australia/Adelaide', initialState())!;
    expect(root).toMatchObject({ failState: true, failCount: 3, level: '91%' });
    expect(new Date(root.lastFail!).toISOString()).toBe('2026-11-20T21:30:00.000Z');
  });

  it('load → save → load is lossless, unknown keys included', () => {
    const withExtras = JSON.parse(FIXTURE) as { checks: Record<string, Record<string, unknown> & { options: Record<string, unknown> }> };
    withExtras.checks.ram.options.futureOption = { nested: [1, 2] };
    withExtras.checks.ram.someSitewardKey = 'kept';
    (withExtras as Record<string, unknown>).history = { days: 7 };
    (withExtras as Record<string, unknown>).unknownTop = 1;
    const first = load(JSON.stringify(withExtras));
    const saved = serializeSite({ doc: first.doc, base: '/home/fletch/site', data: () => undefined, log: first.doc.log as string[] });
    const second = load(saved);
    expect(second.doc).toEqual(first.doc);
    expect(JSON.parse(saved)).toEqual(withExtras);
  });

  it("saves checks in fletchck's flattened form, every key present, in its order", () => {
    const s = load(site({ a: { type: 'disk' } }));
    const out = JSON.parse(serializeSite({ doc: s.doc, base: '/x', data: () => undefined, log: [] })) as Record<
      string,
      Record<string, Record<string, unknown>>
    >;
    expect(Object.keys(out)).toEqual(['base', 'timezone', 'webui', 'actions', 'checks', 'log']);
    expect(Object.keys(out.checks.a)).toEqual([
      'type',
      'subType',
      'trigger',
      'threshold',
      'retries',
      'priority',
      'paused',
      'failAction',
      'passAction',
      'publish',
      'remoteId',
      'options',
      'actions',
      'depends',
      'data',
    ]);
  });

  it('reports every problem with its JSON path; bad checks are inactive, good ones run', () => {
    const text = site({
      web: { type: 'disk', trigger: { cron: { hour: '25' } } },
      typo: { type: 'dsik' },
      num: { type: 'disk', threshold: 0, options: { level: 'high' } },
      deps: { type: 'cpu', depends: ['nope'], actions: ['pager'] },
      good: { type: 'memory', trigger: { interval: { minutes: 1 } } },
    });
    expect(messages(text)).toEqual([
      'checks["web"].trigger.cron.hour: "25" is out of range 0-23',
      'checks["typo"].type: unknown check type "dsik"; did you mean "disk"?',
      'checks["num"].threshold: 0 is too small (minimum 1)',
      'checks["num"].options.level: expected a number, got the text "high"',
      'checks["deps"].actions[0]: unknown action "pager"',
      'checks["deps"].depends[0]: unknown check "nope"',
    ]);
    const s = load(text);
    expect([...s.checks.values()].filter((c) => c.active).map((c) => c.config.name)).toEqual(['good']);
  });

  it('reports a sequence containing itself, directly and through another sequence', () => {
    const text = site({
      a: { type: 'sequence', options: { checks: ['a'] } },
      b: { type: 'sequence', options: { checks: ['c'] } },
      c: { type: 'sequence', options: { checks: ['b'] } },
      d: { type: 'sequence', options: { checks: ['e'] } },
      e: { type: 'disk' },
    });
    const m = messages(text);
    expect(m).toContain('checks["a"].options.checks[0]: a sequence cannot contain itself');
    expect(m).toContain('checks["b"].options.checks: sequences contain each other: b → c → b');
    expect(m).toContain('checks["c"].options.checks: sequences contain each other: b → c → b');
    expect(load(text).checks.get('d')!.active).toBe(true);
  });

  it('reports dependency cycles', () => {
    const m = messages(
      site({
        a: { type: 'disk', depends: ['b'] },
        b: { type: 'disk', depends: ['c'] },
        c: { type: 'disk', depends: ['a'] },
        s: { type: 'disk', depends: ['s'] },
      }),
    );
    expect(m).toContain('checks["a"].depends: dependency cycle: a → b → c → a');
    expect(m).toContain('checks["s"].depends[0]: a check cannot depend on itself');
  });

  it('sees cycles that mix sequence members and dependencies: each check is an error at the edges it adds, and inactive', () => {
    // s runs m, and m waits on s: s would soft-fail forever (issue 16)
    const direct = load(site({ s: { type: 'sequence', options: { checks: ['m'] } }, m: { type: 'disk', depends: ['s'] }, free: { type: 'disk' } }));
    expect(direct.issues.map(formatIssue)).toEqual([
      'checks["s"].options.checks: sequences and dependencies form a cycle: s → m → s',
      'checks["m"].depends: sequences and dependencies form a cycle: s → m → s',
    ]);
    expect([direct.checks.get('s')!.active, direct.checks.get('m')!.active, direct.checks.get('free')!.active]).toEqual([false, false, true]);
    // longer, through a check that is both: a member of outer, and a sequence whose member depends on outer
    const long = messages(
      site({
        outer: { type: 'sequence', options: { checks: ['inner'] } },
        inner: { type: 'sequence', options: { checks: ['leaf'] } },
        leaf: { type: 'disk', depends: ['peer'] },
        peer: { type: 'disk', depends: ['outer'] },
      }),
    );
    expect(long.filter((l) => l.includes('sequences and dependencies form a cycle'))).toHaveLength(4);
    expect(long.some((l) => l.startsWith('checks["outer"].options.checks: '))).toBe(true);
    expect(long.some((l) => l.startsWith('checks["peer"].depends: '))).toBe(true);
    // a sequence that also depends on its member is no cycle: the member runs first either way
    expect(messages(site({ s: { type: 'sequence', depends: ['m'], options: { checks: ['m'] } }, m: { type: 'disk' } }))).toEqual([]);
  });

  it('reports duplicate names with both places and leaves the check inactive', () => {
    const text = '{"checks": {\n "a": {"type": "disk"},\n "a": {"type": "cpu"}\n}}';
    const s = load(text);
    expect(s.issues.map(formatIssue)).toEqual(['checks["a"]: duplicate name: defined twice (again at line 3, column 2); only the last definition is used']);
    expect(s.checks.get('a')!.active).toBe(false);
  });

  it('finds a duplicate spelled with an escape, or deep inside, and passes keys that only look alike', () => {
    // the fast reader compares keys as written: an escape must still be seen through
    expect(messages('{"checks": {\n "a": {"type": "disk"},\n "\\u0061": {"type": "cpu"}\n}}')).toEqual([
      'checks["a"]: duplicate name: defined twice (again at line 3, column 2); only the last definition is used',
    ]);
    expect(messages('{"checks": {"a": {"type": "disk", "options": {"volume": "/", "volume": "/home"}}}}')[0]).toMatch(
      /^checks\["a"\]\.options\.volume: duplicate name/,
    );
    // the same text as a value, in another object, or in a list is no duplicate
    expect(messages('{"checks": {"a": {"type": "disk", "options": {"volume": "type"}}, "b": {"type": "disk", "depends": ["a", "a:"]}}}')).toEqual([
      'checks["b"].depends[1]: unknown check "a:"',
    ]);
  });

  it('an unknown action type is reported and only that action is inactive', () => {
    const s = load(JSON.stringify({ actions: { x: { type: 'carrier-pigeon' }, l: { type: 'log' } }, checks: {} }));
    expect(s.issues.map(formatIssue)).toEqual(['actions["x"].type: unknown action type "carrier-pigeon"']);
    expect(s.actions.get('x')!.active).toBe(false);
    expect(s.actions.get('l')!.active).toBe(true);
  });

  it('an invalid site timezone is a warning and falls back to host local time', () => {
    const s = load(JSON.stringify({ timezone: 'Mars/Base', checks: {} }));
    expect(s.settings.timezone).toBeNull();
    expect(s.issues.map((i) => `${i.severity} ${formatIssue(i)}`)).toEqual(['warning timezone: "Mars/Base" is not a known time zone; using host local time']);
  });

  const fatal: [string, string, RegExp][] = [
    ['truncated JSON', '{"checks": {"a": {"type": "disk"', /invalid JSON at line 1, column \d+/],
    ['a list at the top', '[1, 2]', /must hold a JSON object, got a list/],
    ['checks as a list', '{"checks": []}', /^checks: expected an object of name → check, got a list/],
    ['comments', '{"checks": {} // no\n}', /invalid JSON/],
  ];
  for (const [name, text, msg] of fatal) {
    it(`refuses ${name} with a clear message`, () => {
      const s = load(text);
      expect(s.fatal).toBe(true);
      expect(s.issues.map(formatIssue).join('\n')).toMatch(msg);
    });
  }
});
