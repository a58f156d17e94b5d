/**
 * The fleet model (issue 23, src/fleet/model.ts): table tests on a fake
 * clock — a silent node's checks and a zone without a live node show as
 * silent (never PASS), filters by state and zone, pages, the cap on checks,
 * and the topics the watcher accepts.
 */
import { describe, expect, it } from 'vitest';
import { FleetModel, type FleetState } from '../../src/fleet/model.ts';
import { parseFleetTopic } from '../../src/fleet/service.ts';
import { normalizeFleet } from '../../src/fleet/config.ts';
import { validateSite } from '../../src/config/load.ts';
import type { VantageView } from '../../src/zone/vantage.ts';

const view = (state: string, node: string): VantageView => ({ state, failing: state === 'FAIL', summary: `${state} summary`, since: 0, node });
const up = (node: string, checks = 0) => ({ node, state: 'up' as const, heartbeat: 10, version: '0.1.0', checks });

function fleet(): FleetModel {
  const m = new FleetModel(3, 1000);
  m.onStatus('hq', up('hq-1', 2), 0);
  m.onStatus('hq', up('hq-2', 1), 0);
  m.onStatus('dc2', up('dc2-1', 2), 0);
  m.onView('hq', 'web', view('PASS', 'hq-1'), 0);
  m.onView('hq', 'mail', view('FAIL', 'hq-2'), 0);
  m.onView('hq', 'dns', view('PENDING', 'hq-1'), 0);
  m.onView('dc2', 'web', view('PASS', 'dc2-1'), 0);
  m.onView('dc2', 'vpn', view('PASS', 'dc2-1'), 0);
  return m;
}
const states = (m: FleetModel, now: number, q: { state?: FleetState; zone?: string } = {}): string[] =>
  m.query({ ...q, page: 1, perPage: 100 }, now).rows.map((r) => `${r.zone}/${r.check}=${r.shown}`);

describe('FleetModel', () => {
  it('lists every check in zone then name order with its published state', () => {
    expect(states(fleet(), 1000)).toEqual(['dc2/vpn=PASS', 'dc2/web=PASS', 'hq/dns=PENDING', 'hq/mail=FAIL', 'hq/web=PASS']);
  });

  it("shows a silent node's checks as silent, never as their last PASS; other nodes' checks keep their state", () => {
    const m = fleet();
    // hq-2 and dc2-1 keep sending heartbeats; hq-1 stops (dead after 3 × 10 s)
    m.onStatus('hq', up('hq-2', 1), 25_000);
    m.onStatus('dc2', up('dc2-1', 2), 25_000);
    expect(states(m, 31_000)).toEqual(['dc2/vpn=PASS', 'dc2/web=PASS', 'hq/dns=silent', 'hq/mail=FAIL', 'hq/web=silent']);
    expect(m.nodeRows(31_000).map((n) => `${n.zone}/${n.name} ${n.status} ${n.checks} ${n.version}`)).toEqual([
      'dc2/dc2-1 up 2 0.1.0',
      'hq/hq-1 down 2 0.1.0',
      'hq/hq-2 up 1 0.1.0',
    ]);
    // a "down" status (its last will) ends a node at once; it keeps the version and checks of its last "up"
    m.onStatus('hq', { node: 'hq-2', state: 'down', heartbeat: 10 }, 31_000);
    expect(states(m, 31_000, { zone: 'hq' })).toEqual(['hq/dns=silent', 'hq/mail=silent', 'hq/web=silent']);
    expect(m.nodeRows(31_000).find((n) => n.name === 'hq-2')).toMatchObject({ status: 'down', version: '0.1.0', checks: 1 });
  });

  it('marks a zone with no live node silent, and counts nodes, checks and failing checks', () => {
    const m = fleet();
    expect(m.zoneRows(1000)).toEqual([
      { name: 'dc2', up: 1, nodes: 1, checks: 2, failing: 0, silent: false },
      { name: 'hq', up: 2, nodes: 2, checks: 3, failing: 1, silent: false },
    ]);
    m.onStatus('hq', up('hq-1'), 20_000);
    m.onStatus('hq', up('hq-2'), 20_000);
    expect(m.zoneRows(40_000)).toEqual([
      { name: 'dc2', up: 0, nodes: 1, checks: 2, failing: 0, silent: true },
      { name: 'hq', up: 2, nodes: 2, checks: 3, failing: 1, silent: false },
    ]);
  });

  // filter → the checks shown
  const filters: [{ state?: FleetState; zone?: string }, string[]][] = [
    [{ state: 'fail' }, ['hq/mail=FAIL']],
    [{ state: 'pass' }, ['dc2/vpn=PASS', 'dc2/web=PASS', 'hq/web=PASS']],
    [{ state: 'other' }, ['hq/dns=PENDING']],
    [{ state: 'silent' }, []],
    [{ zone: 'dc2' }, ['dc2/vpn=PASS', 'dc2/web=PASS']],
    [{ zone: 'hq', state: 'pass' }, ['hq/web=PASS']],
    [{ zone: 'nowhere' }, []],
  ];
  it.each(filters)('filters %o', (q, want) => {
    expect(states(fleet(), 1000, q)).toEqual(want);
  });

  it('pages: the total counts every match, a page holds perPage rows, a page past the end is empty', () => {
    const m = new FleetModel(3, 10_000);
    m.onStatus('z', up('n'), 0);
    for (let i = 0; i < 250; i++) m.onView('z', `c${String(i).padStart(3, '0')}`, view(i % 5 === 0 ? 'FAIL' : 'PASS', 'n'), 0);
    const p2 = m.query({ page: 2, perPage: 100 }, 0);
    expect([p2.total, p2.pages, p2.rows.length, p2.rows[0]!.check]).toEqual([250, 3, 100, 'c100']);
    expect(m.query({ page: 3, perPage: 100 }, 0).rows.length).toBe(50);
    expect(m.query({ page: 9, perPage: 100 }, 0).rows).toEqual([]);
    const f = m.query({ state: 'fail', page: 1, perPage: 20 }, 0);
    expect([f.total, f.pages, f.rows.length]).toEqual([50, 3, 20]);
    // a cleared state removes the check; a new one after it keeps the order
    m.onView('z', 'c000', null, 0);
    m.onView('z', 'a-new', view('PASS', 'n'), 0);
    expect(m.query({ page: 1, perPage: 2 }, 0).rows.map((r) => r.check)).toEqual(['a-new', 'c001']);
  });

  it('keeps at most maxChecks and counts what it dropped', () => {
    const m = new FleetModel(3, 2);
    for (const c of ['a', 'b', 'c']) m.onView('z', c, view('PASS', 'n'), 0);
    m.onView('z', 'a', view('FAIL', 'n'), 0); // an update of a kept check is not a new one
    expect([m.checkCount, m.dropped]).toEqual([2, 1]);
  });
});

describe('the fleet topics and config', () => {
  it('accepts node and state topics under the prefix only', () => {
    expect(parseFleetTopic('siteward/zone', 'siteward/zone/hq/node/hq-1')).toEqual({ zone: 'hq', kind: 'node', name: 'hq-1' });
    expect(parseFleetTopic('siteward/zone', 'siteward/zone/hq/view/a%2Fb')).toEqual({ zone: 'hq', kind: 'state', name: 'a/b' });
    expect(parseFleetTopic('siteward/zone', 'siteward/zone/hq/notified/web')).toBeNull();
    expect(parseFleetTopic('siteward/zone', 'siteward/zone/_vantage/notified/web')).toBeNull();
    expect(parseFleetTopic('siteward/zone', 'other/hq/node/x')).toBeNull();
    expect(parseFleetTopic('siteward/zone', 'siteward/zone/hq/view/%E0%A4%A')).toBeNull();
  });

  it('reads the fleet key and names the JSON path of a mistake', () => {
    expect(normalizeFleet(true)).toEqual({ topic: 'siteward/zone', misses: 3, maxChecks: 200_000 });
    expect(normalizeFleet(false)).toBeNull();
    const site = validateSite({ fleet: { zones: ['hq', 'a/b'], misses: 0 } }, { base: '/tmp' });
    expect(site.issues.map((i) => i.path.join('.'))).toEqual(expect.arrayContaining(['fleet.zones.1', 'fleet.misses']));
    expect(validateSite({ fleet: { zones: ['hq'] } }, { base: '/tmp' }).settings.fleet?.zones).toEqual(['hq']);
  });
});
