/**
 * Multi-vantage quorum (issue 23, src/zone/vantage.ts): the pure rules,
 * table-tested — the verdict, silent vantages counting as unknown, the
 * notifying zone, the message lines, the config errors with their JSON path.
 */
import { describe, expect, it } from 'vitest';
import { notifyingZone, quorumLine, quorumState, vantageIssues, vantageOf, viewLines, type VantageView } from '../../src/zone/vantage.ts';
import { decodeView, encodeView, parseStateTopic, publishNow } from '../../src/zone/state.ts';
import { validateSite } from '../../src/config/load.ts';
import { renderText, templateView } from '../../src/actions/template.ts';
import { notificationJson, PLACEHOLDERS } from '../../src/actions/webhook/payload.ts';
import { failNote } from '../actions/helpers.ts';

const spec = { zones: ['hq', 'dc2', 'home'], quorum: 2 };
const v = (failing: boolean, summary = ''): VantageView => ({ state: failing ? 'FAIL' : 'PASS', failing, summary, since: 1, node: 'n1' });
const views = (hq: boolean | null, dc2: boolean | null, home: boolean | null): Map<string, VantageView | null> =>
  new Map([
    ['hq', hq === null ? null : v(hq)],
    ['dc2', dc2 === null ? null : v(dc2)],
    ['home', home === null ? null : v(home)],
  ]);

describe('quorumState', () => {
  // [hq, dc2, home] failing? (null: silent) → verdict
  const table: [boolean | null, boolean | null, boolean | null, string][] = [
    [false, false, false, 'pass'],
    [true, false, false, 'pass'],
    [true, true, false, 'fail'],
    [true, true, true, 'fail'],
    [true, true, null, 'fail'],
    [true, null, null, 'unknown'],
    // a silent vantage is never a PASS: one FAIL, one PASS, one silent cannot decide
    [true, false, null, 'unknown'],
    [false, false, null, 'pass'],
    [false, null, null, 'unknown'],
    [null, null, null, 'unknown'],
  ];
  it.each(table)('hq %s, dc2 %s, home %s → %s', (a, b, c, want) => {
    expect(quorumState(spec, views(a, b, c)).verdict).toBe(want);
  });

  it('counts fails, passes and unknowns; quorum 1 fails on any FAIL, quorum n only on all', () => {
    expect(quorumState(spec, views(true, false, null))).toEqual({ verdict: 'unknown', fails: 1, passes: 1, unknown: 1 });
    expect(quorumState({ ...spec, quorum: 1 }, views(true, false, false)).verdict).toBe('fail');
    expect(quorumState({ ...spec, quorum: 1 }, views(false, false, null)).verdict).toBe('unknown');
    expect(quorumState({ ...spec, quorum: 3 }, views(true, true, false)).verdict).toBe('pass');
    expect(quorumState({ ...spec, quorum: 3 }, views(true, true, null)).verdict).toBe('unknown');
  });
});

describe('vantageOf and the config', () => {
  it('reads the options; the default quorum is a majority; a quorum above the list is capped', () => {
    expect(vantageOf({})).toBeNull();
    expect(vantageOf({ vantage: ['hq'] })).toBeNull();
    expect(vantageOf({ vantage: ['a', 'b', 'c'] })).toEqual({ zones: ['a', 'b', 'c'], quorum: 2 });
    expect(vantageOf({ vantage: ['a', 'b', 'c', 'd'] })?.quorum).toBe(3);
    expect(vantageOf({ vantage: ['a', 'b'], quorum: 1 })?.quorum).toBe(1);
  });

  it('names the JSON path of each mistake', () => {
    expect(vantageIssues({ vantage: ['a', 'b', 'a'], quorum: 4 }, ['checks', 'web', 'options'])).toEqual([
      { path: ['checks', 'web', 'options', 'vantage', 2], message: 'zone "a" is listed twice', severity: 'error' },
      { path: ['checks', 'web', 'options', 'quorum'], message: '4 is more than the 3 vantage zones listed', severity: 'error' },
    ]);
    expect(vantageIssues({ quorum: 2 }, ['o'])).toEqual([{ path: ['o', 'quorum'], message: 'quorum needs a vantage list', severity: 'error' }]);
    const site = validateSite(
      {
        checks: {
          web: { type: 'tcp', options: { hostname: '127.0.0.1', port: 1, vantage: ['hq', 'dc/2'], quorum: 3 } },
          ok: { type: 'tcp', options: { hostname: '127.0.0.1', port: 1, vantage: ['hq', 'dc2'], quorum: 2 } },
        },
      },
      { base: '/tmp' },
    );
    const paths = site.issues.map((i) => i.path.join('.'));
    expect(paths).toContain('checks.web.options.vantage.1');
    expect(paths).toContain('checks.web.options.quorum');
    expect(paths.filter((p) => p.startsWith('checks.ok'))).toEqual([]);
  });
});

describe('the notifying zone and the message', () => {
  it('is one of the live vantage zones, the same on every node, and only moves when its zone dies', () => {
    const all = new Set(spec.zones);
    const z = notifyingZone('web', spec, all)!;
    expect(spec.zones).toContain(z);
    const others = new Set(spec.zones.filter((x) => x !== z));
    const z2 = notifyingZone('web', spec, others)!;
    expect(z2).not.toBe(z);
    // a zone that is not a vantage never notifies, and no live vantage means no notifier
    expect(notifyingZone('web', spec, new Set(['elsewhere']))).toBeNull();
    // a dead non-notifying zone does not move it
    expect(notifyingZone('web', spec, new Set([z, [...others][0]!]))).toBe(z);
  });

  it("lists each vantage's view, silent ones as unknown", () => {
    const m = new Map<string, VantageView | null>([
      ['hq', v(true, 'connection refused')],
      ['dc2', v(false)],
      ['home', null],
    ]);
    expect(viewLines(spec, m)).toEqual(['hq: FAIL — connection refused (node n1)', 'dc2: PASS (node n1)', 'home: no answer (unknown)']);
    expect(quorumLine(spec, { verdict: 'fail', fails: 2, passes: 1, unknown: 0 })).toBe('FAIL in 2 of 3 vantage zones (quorum 2)');
  });
});

describe("each vantage's view in the message", () => {
  it('is the {{vantages}} template field, the webhook payload field and placeholder; absent for other checks', () => {
    const n = failNote({ vantages: 'hq: FAIL — refused (node a)\ndc2: FAIL (node b)\nhome: PASS (node c)' });
    expect(renderText('{{vantages}}', templateView(n, null), (s) => s)).toBe('hq: FAIL — refused (node a)\ndc2: FAIL (node b)\nhome: PASS (node c)');
    expect((notificationJson(n).check as Record<string, unknown>).vantages).toEqual([
      'hq: FAIL — refused (node a)',
      'dc2: FAIL (node b)',
      'home: PASS (node c)',
    ]);
    expect(PLACEHOLDERS.vantages!(n)).toContain('dc2: FAIL');
    const plain = failNote();
    expect(renderText('[{{vantages}}]', templateView(plain, null), (s) => s)).toBe('[]');
    expect(notificationJson(plain).check).not.toHaveProperty('vantages');
  });
});

describe('the published state', () => {
  it('round-trips, drops what is not a view, and parses its topic', () => {
    expect(decodeView(encodeView(v(true, 'x')))).toEqual(v(true, 'x'));
    expect(decodeView(Buffer.from('{"state":1}'))).toBeNull();
    expect(decodeView(Buffer.from('not json'))).toBeNull();
    expect(decodeView(Buffer.alloc(5000, 32))).toBeNull();
    expect(parseStateTopic('siteward/zone', 'siteward/zone/hq/view/a%2Fb')).toEqual({ zone: 'hq', check: 'a/b' });
    expect(parseStateTopic('siteward/zone', 'siteward/zone/hq/node/a')).toBeNull();
    expect(parseStateTopic('siteward/zone', 'siteward/zone/hq/view/%E0%A4%A')).toBeNull();
  });

  it('is published on a change, the first time, and after the refresh time', () => {
    expect(publishNow(undefined, 'PASS|false', 0, 1000)).toBe(true);
    expect(publishNow({ key: 'PASS|false', at: 0 }, 'PASS|false', 999, 1000)).toBe(false);
    expect(publishNow({ key: 'PASS|false', at: 0 }, 'FAIL|true', 1, 1000)).toBe(true);
    expect(publishNow({ key: 'PASS|false', at: 0 }, 'PASS|false', 1000, 1000)).toBe(true);
  });
});
