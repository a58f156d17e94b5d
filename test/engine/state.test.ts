/**
 * The state machine against every rule of spec §3.2 and §3.3, table-driven.
 */
import { describe, it, expect } from 'vitest';
import { step, initialState, retryLog, finishRetries, type CheckState, type Input, type Rules } from '../../src/engine/state.ts';
import { levelFails } from '../../src/checks/shared/level.ts';

const rules = (o: Partial<Rules> = {}): Rules => ({ threshold: 1, failAction: true, passAction: true, paused: false, ...o });
const pass: Input = { kind: 'result', fail: false, log: ['ok'] };
const fail: Input = { kind: 'result', fail: true, log: ['boom'] };
const passing = (o: Partial<CheckState> = {}): CheckState => ({ ...initialState(), failState: false, ...o });

/** Runs a sequence of inputs and collects each step's notifications as 'FAIL!'/'PASS!' or transitions without notify as 'fail'/'pass'. */
function play(r: Rules, start: CheckState, inputs: Input[]): { state: CheckState; trail: string[] } {
  let s = start;
  const trail: string[] = [];
  inputs.forEach((input, i) => {
    const out = step(r, s, input, 1000 * (i + 1));
    s = out.state;
    trail.push(out.events.map((e) => (e.notify ? `${e.to}!` : e.to.toLowerCase())).join('') || '-');
  });
  return { state: s, trail };
}

describe('state machine (spec §3.2)', () => {
  const cases: { name: string; rules?: Partial<Rules>; start?: CheckState; inputs: Input[]; trail: string[] }[] = [
    { name: 'a new check starts in FAIL and its first pass notifies PASS', inputs: [pass], trail: ['PASS!'] },
    { name: 'a new check whose first run fails notifies nothing', inputs: [fail], trail: ['-'] },
    { name: 'PASS → FAIL notifies once, further failures do not', start: passing(), inputs: [fail, fail, fail], trail: ['FAIL!', '-', '-'] },
    {
      name: 'FAIL is reported only once the threshold is reached',
      rules: { threshold: 3 },
      start: passing(),
      inputs: [fail, fail, fail, fail],
      trail: ['-', '-', 'FAIL!', '-'],
    },
    {
      name: 'a pass below the threshold resets the counter',
      rules: { threshold: 2 },
      start: passing(),
      inputs: [fail, pass, fail, fail],
      trail: ['-', '-', '-', 'FAIL!'],
    },
    { name: 'recovery notifies PASS', start: passing(), inputs: [fail, pass], trail: ['FAIL!', 'PASS!'] },
    {
      name: 'failAction=false records the transition without notifying',
      rules: { failAction: false },
      start: passing(),
      inputs: [fail, pass],
      trail: ['fail', 'PASS!'],
    },
    {
      name: 'passAction=false records recovery without notifying',
      rules: { passAction: false },
      start: passing(),
      inputs: [fail, pass],
      trail: ['FAIL!', 'pass'],
    },
    {
      name: 'a sequence string changing from "a" to "a,b" is a new FAIL',
      start: passing({ failState: '' }),
      inputs: [
        { kind: 'result', fail: 'a', log: [] },
        { kind: 'result', fail: 'a', log: [] },
        { kind: 'result', fail: 'a,b', log: [] },
        { kind: 'result', fail: '', log: [] },
      ],
      trail: ['FAIL!', '-', 'FAIL!', 'PASS!'],
    },
    {
      name: 'a new sequence (failState true) failing with "a" notifies FAIL (compared by value)',
      inputs: [{ kind: 'result', fail: 'a', log: [] }],
      trail: ['FAIL!'],
    },
    {
      name: 'a soft fail from PASS is silent, and so is its recovery (fixes fletchck)',
      start: passing(),
      inputs: [{ kind: 'softfail', dependency: 'db' }, pass],
      trail: ['-', 'pass'],
    },
    {
      name: 'a real failure after a silent soft fail is announced',
      start: passing(),
      inputs: [{ kind: 'softfail', dependency: 'db' }, fail, pass],
      trail: ['-', 'FAIL!', 'PASS!'],
    },
    {
      name: 'a soft fail while FAIL was announced keeps it announced: recovery notifies',
      start: passing(),
      inputs: [fail, { kind: 'softfail', dependency: 'db' }, pass],
      trail: ['FAIL!', '-', 'PASS!'],
    },
    { name: 'a paused check never notifies', rules: { paused: true }, start: passing(), inputs: [fail, fail], trail: ['-', '-'] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(play(rules(c.rules), c.start ?? initialState(), c.inputs).trail).toEqual(c.trail);
    });
  }

  it('failCount keeps growing while failing (not capped at the threshold)', () => {
    expect(play(rules({ threshold: 2 }), passing(), [fail, fail, fail, fail]).state.failCount).toBe(4);
  });

  it('below the threshold the reported state stays PASS while the log shows the failure', () => {
    const { state } = play(rules({ threshold: 2 }), passing(), [fail]);
    expect(state.failState).toBe(false);
    expect(state.log).toEqual(['boom']);
    expect(state.lastFail).toBeNull();
  });

  it('sets lastFail on a FAIL transition and lastPass on a PASS transition', () => {
    const s1 = step(rules(), passing(), fail, 5000).state;
    expect(s1.lastFail).toBe(5000);
    const s2 = step(rules(), s1, pass, 9000).state;
    expect(s2.lastPass).toBe(9000);
    expect(s2.lastFail).toBe(5000);
  });

  it('a first failing run leaves lastFail null (already FAIL)', () => {
    expect(step(rules(), initialState(), fail, 5000).state.lastFail).toBeNull();
  });

  it('paused: log ["PAUSED"], failState false, lastCheck and failCount untouched', () => {
    const start = { ...initialState(), failCount: 3, lastCheck: 42 };
    const s = step(rules({ paused: true }), start, fail, 5000).state;
    expect(s).toMatchObject({ log: ['PAUSED'], failState: false, failCount: 3, lastCheck: 42 });
  });

  it('soft fail: log names the dependency, failState true, counter and lastFail untouched', () => {
    const s = step(rules(), passing({ failCount: 0 }), { kind: 'softfail', dependency: 'db' }, 7000).state;
    expect(s).toMatchObject({ log: ['SOFTFAIL (depends=db)'], softFail: 'db', failState: true, failCount: 0, lastFail: null, lastCheck: 7000 });
  });

  it('a labelled failure (certificate) is an ordinary failure that carries its label', () => {
    const s = step(rules(), passing(), { kind: 'result', fail: true, log: ['x'], softFail: 'certificate' }, 1).state;
    expect(s).toMatchObject({ failState: true, softFail: 'certificate', failCount: 1 });
  });
});

describe('retries (spec §3.2 step 4)', () => {
  it('attempts after the first start with "Retry k/N"', () => {
    expect(retryLog(['x'], 1, 3)).toEqual(['x']);
    expect(retryLog(['x'], 2, 3)).toEqual(['Retry 2/3', 'x']);
  });
  it('"Failed after N tries" only when more than one attempt was made and the last failed', () => {
    expect(finishRetries(['a'], 3, true)).toEqual(['a', 'Failed after 3 tries']);
    expect(finishRetries(['a'], 1, true)).toEqual(['a']);
    expect(finishRetries(['a'], 2, false)).toEqual(['a']);
  });
});

describe('remote updates (spec §4.14)', () => {
  const data = (failState: boolean | string, failCount: number | null = 1, threshold: number | null = 1) => ({
    kind: 'remote' as const,
    data: { failState, failCount, threshold, log: ['l'], softFail: null, level: null, lastCheck: 500, lastFail: null, lastPass: null },
  });
  it('notifies FAIL when the remote fails at its threshold and differs from the local state', () => {
    expect(play(rules(), passing(), [data(true)]).trail).toEqual(['FAIL!']);
  });
  it('does not notify FAIL below the remote threshold (a new remote check starting in FAIL)', () => {
    expect(play(rules(), passing(), [data(true, 0, 1)]).trail).toEqual(['-']);
  });
  it('notifies PASS when the remote passes and the local state was failing', () => {
    expect(play(rules(), initialState(), [data(false, 0)]).trail).toEqual(['PASS!']);
  });
  it('a null counter with a failing state does not crash and counts as reached (fletchck bug §7.4)', () => {
    expect(play(rules(), passing(), [data(true, null, null)]).trail).toEqual(['FAIL!']);
  });
  it('copies the payload and takes lastUpdate from the remote lastCheck', () => {
    const s = step(rules(), passing(), data('a,b'), 9999).state;
    expect(s).toMatchObject({ failState: 'a,b', log: ['l'], lastUpdate: 500, lastCheck: 500 });
  });
  it('a paused remote check is forced to PASS and never notifies', () => {
    const out = step(rules({ paused: true }), passing(), data(true), 1);
    expect(out.state.failState).toBe(false);
    expect(out.events).toEqual([]);
  });
});

describe('a local verdict on a remote check (stale, or its instance offline)', () => {
  const verdict: Input = { kind: 'verdict', log: ['No update for 600 s'] };
  it('fails at once whatever the threshold, and notifies FAIL', () => {
    const out = step(rules({ threshold: 3 }), passing({ lastPass: 5 }), verdict, 7);
    expect(out.state.failState).toBe(true);
    expect(out.state.log).toEqual(['No update for 600 s']);
    expect(out.state.lastFail).toBe(7);
    expect(out.events).toEqual([{ kind: 'transition', to: 'FAIL', from: false, notify: true }]);
  });
  it("follows the check's failAction", () => {
    expect(step(rules({ threshold: 3, failAction: false }), passing(), verdict, 7).events.map((e) => e.notify)).toEqual([false]);
  });
});

describe('hysteresis (spec §3.3)', () => {
  const cases: [string, number, boolean, boolean][] = [
    ['passing: at the level passes', 90, false, false],
    ['passing: above the level fails', 90.1, false, true],
    ['failing: between level−H and level still fails', 89, true, true],
    ['failing: exactly level−H still fails', 88, true, true],
    ['failing: below level−H passes', 87.9, true, false],
  ];
  for (const [name, value, failing, expected] of cases) {
    it(name, () => expect(levelFails(value, 90, 2, failing)).toBe(expected));
  }
});
