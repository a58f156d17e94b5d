/**
 * The fleet's live changes (issue 22/23, src/fleet/changes.ts and
 * src/web/fleet-live.ts): what the model says it did with a message, the gate
 * that batches changes per window (fake timers) and turns a flood into
 * "everything", and which changes redraw an open page's checks list.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FleetModel } from '../../src/fleet/model.ts';
import { ChangeGate, emptyChange, fleetKey, MAX_CHANGED_CHECKS, type FleetChange } from '../../src/fleet/changes.ts';
import { listTouched } from '../../src/web/fleet-live.ts';
import type { VantageView } from '../../src/zone/vantage.ts';

const view = (state: string, summary = ''): VantageView => ({ state, failing: state === 'FAIL', summary, since: 0, node: 'hq-1' });

afterEach(() => {
  vi.useRealTimers();
});

describe('FleetModel.onView says what it did', () => {
  it('added, same (a re-publish), changed, removed, dropped beyond the cap', () => {
    const m = new FleetModel(3, 1);
    expect(m.onView('hq', 'web', view('PASS'), 0)).toBe('added');
    expect(m.onView('hq', 'web', view('PASS'), 1000)).toBe('same');
    expect(m.onView('hq', 'web', view('PASS', 'slow'), 2000)).toBe('changed');
    expect(m.onView('hq', 'web', view('FAIL', 'slow'), 3000)).toBe('changed');
    expect(m.onView('hq', 'mail', view('PASS'), 0)).toBe('dropped');
    expect(m.onView('hq', 'web', null, 0)).toBe('removed');
    expect(m.onView('hq', 'web', null, 0)).toBe('same');
  });
});

describe('ChangeGate', () => {
  it('hands the listeners one merged change per window, and nothing to keep without listeners', () => {
    vi.useFakeTimers();
    const g = new ChangeGate(100);
    g.mark((c) => c.checks.add('lost'));
    const got: FleetChange[] = [];
    const off = g.on((c) => got.push(c));
    g.mark((c) => c.checks.add(fleetKey('hq', 'web')));
    g.mark((c) => c.added.add('dc2'));
    g.mark((c) => c.nodes.add('hq'));
    expect(got).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(got).toHaveLength(1);
    expect([...got[0]!.checks]).toEqual([fleetKey('hq', 'web')]);
    expect([...got[0]!.added]).toEqual(['dc2']);
    expect([...got[0]!.nodes]).toEqual(['hq']);
    off();
    g.mark((c) => c.checks.add('x'));
    vi.advanceTimersByTime(1000);
    expect(got).toHaveLength(1);
    g.close();
  });

  it('a flood of changed checks becomes one "everything" change', () => {
    vi.useFakeTimers();
    const g = new ChangeGate(100);
    const got: FleetChange[] = [];
    g.on((c) => got.push(c));
    for (let i = 0; i <= MAX_CHANGED_CHECKS + 5; i++) g.mark((c) => c.checks.add(fleetKey('hq', `c${i}`)));
    vi.advanceTimersByTime(100);
    expect(got).toHaveLength(1);
    expect(got[0]!.all).toBe(true);
    expect(got[0]!.checks.size).toBe(0);
    g.close();
  });
});

describe('listTouched: which changes redraw an open page’s checks list', () => {
  const m = new FleetModel(3, 1000);
  m.onStatus('hq', { node: 'hq-1', state: 'up', heartbeat: 10, version: '0.1.0', checks: 2 }, 0);
  m.onView('hq', 'web', view('PASS'), 0);
  m.onView('hq', 'mail', view('PASS'), 0);
  m.onView('dc2', 'vpn', view('PASS'), 0);
  const page = m.query({ zone: 'hq', page: 1, perPage: 100 }, 0);
  const ch = (f: (c: FleetChange) => void): FleetChange => {
    const c = emptyChange();
    f(c);
    return c;
  };
  const hq = { state: null, zone: 'hq', page: 1 };
  it.each([
    ['a check on the page changed', hq, ch((c) => c.checks.add(fleetKey('hq', 'web'))), true],
    ['a check in another zone changed', hq, ch((c) => c.checks.add(fleetKey('dc2', 'vpn'))), false],
    ['a check came in another zone', hq, ch((c) => c.added.add('dc2')), false],
    ['a check came in this zone', hq, ch((c) => c.added.add('hq')), true],
    ['this zone’s nodes changed', hq, ch((c) => c.nodes.add('hq')), true],
    ['only a heartbeat', hq, ch((c) => (c.heard = true)), false],
    ['everything', hq, ch((c) => (c.all = true)), true],
    [
      'a failing filter: a check off the page may join it',
      { state: 'fail' as const, zone: 'hq', page: 1 },
      ch((c) => c.checks.add(fleetKey('hq', 'zzz'))),
      true,
    ],
  ])('%s', (_name, q, c, want) => {
    expect(listTouched(q, page, c)).toBe(want);
  });
});
