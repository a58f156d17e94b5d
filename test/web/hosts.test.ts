/**
 * The hosts view (issue 22 "Hosts"): the pure parts (sparkline geometry,
 * 5-minute slots, TrueNAS pool reading, grouping by host and the index that
 * moves one check at a time) and the page against a real site: local checks
 * that really run, a TrueNAS check against the JSON-RPC stand-in
 * (test/servers/truenas.ts), tile history read from the 5-minute tier and the
 * raw runs, and federated hosts over a real MQTT broker (aedes) — a card per
 * instance, silent when it goes offline, and a live batch that carries only
 * the changed card.
 */
import { describe, it, expect } from 'vitest';
import { sparkGeometry, slotAverages } from '../../src/web/hosts/spark.ts';
import { poolsOf } from '../../src/web/hosts/pools.ts';
import type { NasSummary } from '../../src/checks/truenas/topology.ts';
import { buildHost, HostIndex, keyOf, MAX_TILES, SILENT_MS, sortHosts, type HostSource } from '../../src/web/hosts/model.ts';
import type { CheckConfig } from '../../src/config/model.ts';
import { initialState, type CheckState } from '../../src/engine/state.ts';
import type { DisplayState } from '../../src/web/model.ts';
import type { MemberView } from '../../src/zone/members.ts';

describe('sparkline geometry', () => {
  const box = { width: 100, height: 22, from: 0, to: 1000, gapMs: 200 };
  it('scales time to x and value to y (upwards, 1 unit of padding), on the samples own range', () => {
    const g = sparkGeometry(
      [
        { t: 0, v: 10 },
        { t: 500, v: 20 },
        { t: 1000, v: 30 },
      ],
      { ...box, gapMs: 600 },
    );
    expect(g.lines).toEqual(['0,21 50,11 100,1']);
    expect(g.dots).toEqual([]);
    expect([g.min, g.max, g.low, g.high]).toEqual([10, 30, 10, 30]);
    expect(g.last).toEqual({ t: 1000, v: 30 });
  });

  it('a fixed scale (a percentage: 0–100) clamps what lies outside it; a flat series sits in the middle', () => {
    const g = sparkGeometry(
      [
        { t: 0, v: 50 },
        { t: 100, v: 150 },
      ],
      { ...box, scale: { min: 0, max: 100 } },
    );
    expect(g.lines).toEqual(['0,11 10,1']);
    expect([g.min, g.max, g.low, g.high]).toEqual([0, 100, 50, 150]);
    const flat = sparkGeometry(
      [
        { t: 0, v: 7 },
        { t: 100, v: 7 },
      ],
      box,
    );
    expect(flat.lines).toEqual(['0,11 10,11']);
  });

  it('a gap longer than gapMs breaks the line: no data is never drawn across; a lone sample is a dot', () => {
    const g = sparkGeometry(
      [
        { t: 0, v: 1 },
        { t: 100, v: 2 },
        { t: 600, v: 3 },
        { t: 900, v: 1 },
        { t: 1000, v: 2 },
      ],
      box,
    );
    expect(g.lines).toEqual(['0,21 10,11', '90,21 100,11']);
    expect(g.dots).toEqual([{ x: 60, y: 1 }]);
  });

  it('nothing in the span: no lines, no last sample', () => {
    const g = sparkGeometry([{ t: 5000, v: 1 }], box);
    expect(g).toMatchObject({ lines: [], dots: [], last: null });
  });

  it('values average into 5-minute slots, oldest first, empty slots absent', () => {
    const m = 60_000;
    expect(
      slotAverages(
        [
          { t: 11 * m, v: 4 },
          { t: 1 * m, v: 1 },
          { t: 2 * m, v: 3 },
          { t: 12 * m, v: NaN },
        ],
        5 * m,
      ),
    ).toEqual([
      { t: 0, v: 2 },
      { t: 10 * m, v: 4 },
    ]);
  });
});

describe('TrueNAS pools from a check result', () => {
  const state = (log: string[], metrics: { name: string; value: number; unit?: string }[]): Pick<CheckState, 'log' | 'metrics'> => ({ log, metrics });

  it('one pool per pool line and metric, capacity band against warnLevel and level, problems that name the pool or its disks', () => {
    const pools = poolsOf(
      'nas',
      state(
        [
          'tank: DEGRADED (unhealthy), 86.0% used 3.4/4.0T, Target: 90%',
          'fast pool: ONLINE, 12.5% used 0.1/1.0T, Target: 90%',
          'cold: ONLINE, Target: 90%',
          'Pool tank DEGRADED: One or more devices has been removed',
          'tank/sdb: REMOVED',
          'Alert CRITICAL: something else',
        ],
        [
          { name: 'tank_used_percent', value: 86, unit: '%' },
          { name: 'fast pool_used_percent', value: 12.5, unit: '%' },
          { name: 'alerts', value: 1 },
        ],
      ),
      { level: 90, warnLevel: 80 },
    );
    expect(pools.map((p) => [p.pool, p.status, p.healthy, p.used, p.band])).toEqual([
      ['tank', 'DEGRADED', false, 86, 'warn'],
      ['fast pool', 'ONLINE', true, 12.5, 'ok'],
      ['cold', 'ONLINE', true, null, 'unknown'],
    ]);
    expect(pools[0]).toMatchObject({ warn: 80, crit: 90, problems: ['Pool tank DEGRADED: One or more devices has been removed', 'tank/sdb: REMOVED'] });
    expect(pools[1].problems).toEqual([]);
  });

  it("above level is the critical band; without the check's warnLevel / level the marks are TrueMonitor's 70 % / 85 %", () => {
    const tank = (pct: number) => state([`tank: ONLINE, ${pct}% used, Target: 90%`], [{ name: 'tank_used_percent', value: pct }]);
    const [p] = poolsOf('nas', tank(95), { level: 90 });
    expect(p).toMatchObject({ band: 'crit', warn: 70, crit: 90, marks: { warn: 'default', crit: 'check' }, healthy: true });
    expect(poolsOf('nas', tank(86), {})[0]).toMatchObject({ band: 'crit', warn: 70, crit: 85, marks: { warn: 'default', crit: 'default' } });
    expect(poolsOf('nas', tank(71), {})[0].band).toBe('warn');
    expect(poolsOf('nas', tank(69), {})[0].band).toBe('ok');
  });

  it("with the last run's layout: vdev groups labelled by layout or role, a square per disk coloured by its state and titled with its counts", () => {
    const nas: NasSummary = {
      pools: [
        {
          name: 'tank',
          omitted: 2,
          vdevs: [
            {
              category: 'data',
              type: 'RAIDZ2',
              name: 'raidz2-0',
              status: 'DEGRADED',
              disks: [
                { name: 'sda', status: 'ONLINE', read: 0, write: 0, checksum: 0 },
                { name: 'sdb', status: 'ONLINE', read: 2, write: 0, checksum: 5 },
                { name: 'sdc', status: 'FAULTED', read: 0, write: 0, checksum: 0 },
              ],
            },
            { category: 'data', type: 'MIRROR', name: 'mirror-1', status: 'ONLINE', disks: [] },
            { category: 'log', type: 'MIRROR', name: 'mirror-2', status: 'ONLINE', disks: [] },
            { category: 'cache', type: 'STRIPE', name: 'nvme0n1p1', status: 'ONLINE', disks: [] },
            { category: 'spare', type: 'STRIPE', name: 'sdd1', status: 'AVAIL', disks: [] },
          ],
        },
        { name: 'gone', omitted: 0, vdevs: [] },
      ],
      alerts: [],
      moreAlerts: 0,
    };
    const [p] = poolsOf('nas', state(['tank: DEGRADED (unhealthy), Target: 90%'], []), { level: 90 }, nas);
    expect(p.vdevs!.map((v) => v.label)).toEqual(['raidz2', 'mirror', 'log mirror', 'cache', 'spare']);
    expect(p.vdevs![0].disks).toEqual([
      { name: 'sda', status: 'ONLINE', state: 'ok', label: 'sda: ONLINE, 0 read, 0 write, 0 checksum errors' },
      { name: 'sdb', status: 'ONLINE', state: 'warn', label: 'sdb: ONLINE, 2 read, 0 write, 5 checksum errors' },
      { name: 'sdc', status: 'FAULTED', state: 'fail', label: 'sdc: FAULTED, 0 read, 0 write, 0 checksum errors' },
    ]);
    expect(p.omitted).toBe(2);
    // no layout known (no run since start): null, and the card says so
    expect(poolsOf('nas', state(['tank: ONLINE, Target: 90%'], []), {})[0].vdevs).toBeNull();
  });

  it('a result without pools (the NAS did not answer) has no pool cards', () => {
    expect(poolsOf('nas', state(['nas.lan: connection refused'], []), { level: 90 })).toEqual([]);
  });
});

/** A hand-built source: the pure model's input, nothing faked about a server. */
function source(o: {
  checks: Partial<CheckConfig>[];
  states?: Record<string, Partial<CheckState>>;
  display?: Record<string, DisplayState>;
  origin?: Record<string, { instance: string | null; offline?: string | null; topic?: string | null }>;
  members?: MemberView[];
  now?: number;
}): HostSource & { gen: number; list: CheckConfig[] } {
  const list = o.checks.map((c) => ({ subType: null, options: {}, paused: false, ...c }) as CheckConfig);
  const src = {
    gen: 1,
    list,
    self: () => 'here',
    generation: () => src.gen,
    checks: () => src.list,
    config: (n: string) => src.list.find((c) => c.name === n),
    options: (n: string) => src.list.find((c) => c.name === n)?.options ?? null,
    state: (n: string) => ({ ...initialState(), ...o.states?.[n] }),
    display: (n: string) => o.display?.[n] ?? 'PASS',
    origin: (n: string) => ({ instance: null, offline: null, topic: null, ...o.origin?.[n] }),
    members: () => o.members ?? [],
    now: () => o.now ?? 1_000_000_000,
  };
  return src;
}
const noSpark = (): { samples: []; unit: string } => ({ samples: [], unit: '' });

describe('grouping by host', () => {
  it('local checks go to this instance; remote ones to the instance their messages name, or to their topic (a fletchck peer)', () => {
    const src = source({
      checks: [
        { name: 'cpu', type: 'cpu' },
        { name: 'b-cpu', type: 'remote', subType: 'cpu' },
        { name: 'old', type: 'remote', subType: 'disk' },
        { name: 'echo', type: 'remote', subType: 'disk' },
      ],
      origin: { 'b-cpu': { instance: 'b' }, old: { instance: null, topic: 'fl/box' }, echo: { instance: 'here' } },
    });
    expect(src.list.map((c) => keyOf(src, c))).toEqual(['self', 'h:b', 't:fl/box', 'self']);
    const idx = new HostIndex(src);
    expect([...idx.hosts()].map(([k, v]) => [k, [...v]])).toEqual([
      ['self', ['cpu', 'echo']],
      ['h:b', ['b-cpu']],
      ['t:fl/box', ['old']],
    ]);
  });

  it('the index moves only the checks named; a check whose instance changed touches both cards; new hosts and config changes say so', () => {
    const origin: Record<string, { instance: string | null }> = { r1: { instance: 'a' }, r2: { instance: 'a' } };
    const src = source({
      checks: [
        { name: 'r1', type: 'remote', subType: 'cpu' },
        { name: 'r2', type: 'remote', subType: 'memory' },
        { name: 'mem', type: 'memory' },
      ],
      origin,
    });
    const idx = new HostIndex(src);
    expect(idx.hosts().size).toBe(2);
    expect(idx.touched(['r1'])).toEqual({ keys: new Set(['h:a']), hostsChanged: false });
    origin.r2.instance = 'b';
    expect(idx.touched(['r2'])).toEqual({ keys: new Set(['h:a', 'h:b']), hostsChanged: true });
    expect([...idx.hosts().get('h:b')!]).toEqual(['r2']);
    origin.r1.instance = 'b';
    // the last check of a leaves it: the card goes
    expect(idx.touched(['r1'])).toEqual({ keys: new Set(['h:a', 'h:b']), hostsChanged: true });
    expect(idx.hosts().has('h:a')).toBe(false);
    // a configuration change rebuilds the index
    src.list = src.list.filter((c) => c.name !== 'r2');
    src.gen++;
    expect(idx.touched(['mem']).hostsChanged).toBe(true);
    expect([...idx.hosts().get('h:b')!]).toEqual(['r1']);
  });

  it("a card: tiles in type order with the check's level, counts, the worst state; a failing one before its kind's others; the rest of the host checks counted", () => {
    const checks: Partial<CheckConfig>[] = [
      { name: 'web', type: 'https' },
      { name: 'root', type: 'disk', options: { volume: '/' } },
      { name: 'load', type: 'cpu' },
      { name: 'ram', type: 'memory' },
    ];
    for (let i = 0; i < MAX_TILES; i++) checks.push({ name: `d${i}`, type: 'disk', options: { volume: `/v${i}` } });
    const src = source({ checks, states: { load: { level: ' 42%' }, root: { level: '91%' } }, display: { root: 'FAIL', web: 'WARN' } });
    const h = buildHost(src, 'self', new Set(checks.map((c) => c.name!)), noSpark);
    expect(h).toMatchObject({ name: 'here', role: 'this instance', state: 'FAIL', silent: null, total: 4 + MAX_TILES, moreTiles: 3 });
    expect(h.counts).toEqual({ PASS: 2 + MAX_TILES, FAIL: 1, WARN: 1 });
    expect(h.tiles.slice(0, 3).map((t) => [t.label, t.value, t.state])).toEqual([
      ['CPU', '42%', 'PASS'],
      ['Memory', null, 'PASS'],
      ['Disk /', '91%', 'FAIL'],
    ]);
    expect(h.tiles).toHaveLength(MAX_TILES);
  });

  it('a federated host is silent (never PASS) when announced offline, never heard from, or quiet longer than SILENT_MS or its timeout', () => {
    const now = 10 * SILENT_MS;
    const mk = (o: { lastUpdate: number | null; offline?: string | null; timeout?: number }) => {
      const src = source({
        checks: [{ name: 'r', type: 'remote', subType: 'cpu', options: o.timeout ? { timeout: o.timeout } : {} }],
        states: { r: { lastUpdate: o.lastUpdate, failState: false } },
        origin: { r: { instance: 'b', offline: o.offline ?? null } },
        now,
      });
      return buildHost(src, 'h:b', new Set(['r']), noSpark);
    };
    expect(mk({ lastUpdate: now - 1000 })).toMatchObject({ state: 'PASS', silent: null, lastSeen: now - 1000, role: 'federated instance' });
    expect(mk({ lastUpdate: now - 1000, offline: 'connection lost' })).toMatchObject({ state: 'SILENT', silent: 'offline (connection lost)' });
    expect(mk({ lastUpdate: null })).toMatchObject({ state: 'SILENT', silent: 'never heard from' });
    expect(mk({ lastUpdate: now - SILENT_MS - 1 })).toMatchObject({ state: 'SILENT', silent: 'no update recently' });
    expect(mk({ lastUpdate: now - 61_000, timeout: 60 })).toMatchObject({ state: 'SILENT' });
    expect(mk({ lastUpdate: now - 59_000, timeout: 60 })).toMatchObject({ state: 'PASS' });
  });

  it('zone nodes have a card each (this node is this instance), with their status; a node that is down is silent', () => {
    const now = 5_000_000;
    const src = source({
      checks: [{ name: 'ram', type: 'memory' }],
      members: [
        { name: 'here', status: 'up', heardAt: now, checks: 3, version: '1.0.0' },
        { name: 'node-b', status: 'up', heardAt: now - 5000, checks: 2, version: '1.0.0' },
        { name: 'node-c', status: 'down', heardAt: now - 90_000, checks: 0, version: null },
      ],
      now,
    });
    const idx = new HostIndex(src);
    const hosts = idx.hosts();
    expect([...hosts.keys()]).toEqual(['self', 'h:node-b', 'h:node-c']);
    const b = buildHost(src, 'h:node-b', hosts.get('h:node-b')!, noSpark);
    expect(b).toMatchObject({
      role: 'zone node',
      state: 'PASS',
      silent: null,
      lastSeen: now - 5000,
      total: 0,
      zone: { status: 'up', checks: 2 },
      filter: null,
    });
    expect(buildHost(src, 'h:node-c', hosts.get('h:node-c')!, noSpark)).toMatchObject({ state: 'SILENT', silent: 'the zone node is down' });
    expect(buildHost(src, 'self', hosts.get('self')!, noSpark)).toMatchObject({ role: 'this instance', filter: 'instance=local', total: 1 });
  });

  it('cards in order: this instance, then failing and silent hosts, then by name', () => {
    const h = (key: string, name: string, state: DisplayState | 'SILENT') => ({ key, name, state }) as Parameters<typeof sortHosts>[0][number];
    const sorted = sortHosts([h('h:z', 'z', 'PASS'), h('h:a', 'a', 'PASS'), h('h:q', 'q', 'SILENT'), h('self', 'me', 'PASS'), h('h:f', 'f', 'FAIL')]);
    expect(sorted.map((x) => x.name)).toEqual(['me', 'f', 'q', 'a', 'z']);
  });
});
