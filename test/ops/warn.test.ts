/**
 * The WARN state (issue 19): the pure state machine's table, the level rule,
 * a Nagios plugin exiting 1 through a whole Site (WARN in the API, only
 * notifyWarn actions notified, the decision says why), and the wire: a WARN
 * is a pass to fletchck, and siteward peers read the extra field.
 */
import { describe, it, expect } from 'vitest';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { step, initialState, stateText, type CheckState, type Input, type Rules } from '../../src/engine/state.ts';
import { levelWarns } from '../../src/checks/shared/level.ts';
import { encodePayload, decodeMessage } from '../../src/federation/payload.ts';
import { fletchckAccepts } from '../federation/fletchck-rules.ts';
import { openApiSite } from '../api/helpers.ts';
import { tempDir } from '../servers/common.ts';

const rules = (o: Partial<Rules> = {}): Rules => ({ threshold: 1, failAction: true, passAction: true, paused: false, ...o });
const ok: Input = { kind: 'result', fail: false, log: ['ok'] };
const warn: Input = { kind: 'result', fail: false, log: ['high'], warn: true };
const bad: Input = { kind: 'result', fail: true, log: ['boom'] };
const passing = (o: Partial<CheckState> = {}): CheckState => ({ ...initialState(), failState: false, ...o });

function play(r: Rules, start: CheckState, inputs: Input[]): { state: CheckState; trail: string[] } {
  let s = start;
  const trail: string[] = [];
  inputs.forEach((input, i) => {
    const out = step(r, s, input, 1000 * (i + 1));
    s = out.state;
    trail.push(out.events.map((e) => `${e.fromWarn ? 'W' : ''}${e.notify ? `${e.to}!` : e.to.toLowerCase()}`).join('') || '-');
  });
  return { state: s, trail };
}

describe('WARN in the state machine', () => {
  const cases: { name: string; rules?: Partial<Rules>; start?: CheckState; inputs: Input[]; trail: string[]; end: string }[] = [
    {
      name: 'PASS → WARN at once (no threshold), repeated WARN is quiet',
      rules: { threshold: 3 },
      start: passing(),
      inputs: [warn, warn],
      trail: ['WARN!', '-'],
      end: 'WARN',
    },
    { name: 'WARN → PASS says it came from WARN', start: passing(), inputs: [warn, ok], trail: ['WARN!', 'WPASS!'], end: 'PASS' },
    {
      name: 'WARN → FAIL (threshold applies to FAIL)',
      rules: { threshold: 2 },
      start: passing(),
      inputs: [warn, bad, bad],
      trail: ['WARN!', '-', 'WFAIL!'],
      end: 'FAIL',
    },
    { name: 'FAIL → WARN is a recovery into WARN', start: passing(), inputs: [bad, warn], trail: ['FAIL!', 'WARN!'], end: 'WARN' },
    { name: 'a new check whose first run warns announces WARN', inputs: [warn], trail: ['WARN!'], end: 'WARN' },
    {
      name: 'failAction off: WARN recorded, not notified',
      rules: { failAction: false },
      start: passing(),
      inputs: [warn, ok],
      trail: ['warn', 'WPASS!'],
      end: 'PASS',
    },
    {
      name: 'passAction off: the way back is not notified',
      rules: { passAction: false },
      start: passing(),
      inputs: [warn, ok],
      trail: ['WARN!', 'Wpass'],
      end: 'PASS',
    },
    { name: 'pausing ends WARN without a transition', start: passing({ warn: true }), inputs: [{ kind: 'paused' }], trail: ['-'], end: 'PASS' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const out = play(rules(c.rules), c.start ?? initialState(), c.inputs);
      expect(out.trail).toEqual(c.trail);
      expect(stateText(out.state, false)).toBe(c.end);
    });
  }

  it('remote updates carry WARN from siteward peers', () => {
    const d = { failState: false, failCount: 0, threshold: 1, log: ['x'], softFail: null, level: null, lastCheck: 1, lastFail: null, lastPass: 1 };
    const w = step(rules(), passing(), { kind: 'remote', data: { ...d, warn: true } }, 1);
    expect(w.events.map((e) => e.to)).toEqual(['WARN']);
    expect(step(rules(), w.state, { kind: 'remote', data: d }, 2).events.map((e) => [e.to, e.fromWarn])).toEqual([['PASS', true]]);
  });
});

describe('the warning level', () => {
  it.each([
    [79, 80, false, false],
    [81, 80, false, true],
    [78, 80, true, true],
    [74, 80, true, false],
    [99, undefined, false, false],
  ])('value %s, warnLevel %s, warning %s → %s', (v, w, warning, out) => {
    expect(levelWarns(v, w, 5, warning)).toBe(out);
  });
});

describe('WARN on the wire', () => {
  it('fletchck sees PASS and accepts the message; a siteward peer reads WARN', () => {
    const state = passing({ warn: true, log: ['WARNING: 85%'], lastPass: Date.UTC(2026, 0, 1) });
    const bytes = encodePayload({ name: 'nas', type: 'exec', threshold: 1, state, zone: 'UTC' });
    const obj = JSON.parse(bytes.toString('utf8')) as { data: { failState: unknown }; state?: string };
    expect(fletchckAccepts(bytes)).toBe('accepted');
    expect(obj.data.failState).toBe(false);
    expect(obj.state).toBe('WARN');
    const got = decodeMessage(bytes, { maxBytes: 1 << 20 });
    expect(got.ok && got.data.warn).toBe(true);
    const plain = encodePayload({ name: 'nas', type: 'exec', threshold: 1, state: passing(), zone: 'UTC' });
    expect(JSON.parse(plain.toString('utf8'))).not.toHaveProperty('state');
  });
});

describe('a Nagios plugin exiting 1', () => {
  it('gives WARN (API state "WARN"); only notifyWarn actions hear of it, and the trace says why', async () => {
    const plugins = tempDir('sw-warn-');
    const script = join(plugins.dir, 'check_warn');
    writeFileSync(script, '#!/bin/sh\necho "WARNING - pool 85% | used=85%;80;90"\nexit 1\n');
    chmodSync(script, 0o755);
    const t = await openApiSite({
      plugins: { dirs: [plugins.dir] },
      actions: { loud: { type: 'log', options: { notifyWarn: true } }, quiet: { type: 'log', options: {} } },
      checks: { pool: { type: 'exec', options: { command: [script] }, actions: ['loud', 'quiet'] } },
    });
    try {
      await t.site.runNow('pool');
      const body = (await (await t.call('GET', '/api/v1/checks/pool', { scope: 'read' })).json()) as { state: string; failState: unknown };
      expect(body).toMatchObject({ state: 'WARN', failState: false });
      const [d] = t.site.ops.decisions('pool');
      expect(d).toMatchObject({ to: 'WARN', notified: ['loud'], skipped: [{ action: 'quiet', why: 'the action does not notify on WARN (notifyWarn)' }] });
      expect(t.site.siteLog.all().some((l) => / pool \(exec\) WARN Log: /.test(l) || /pool \(exec\): WARN/.test(l))).toBe(true);
    } finally {
      await t.close();
      plugins.cleanup();
    }
  });
});
