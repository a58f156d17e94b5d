/**
 * The receiving side without a broker (spec §7.4, §4.14, plus siteward's
 * liveness and staleness): messages are fed to the Receiver directly, time is
 * a FakeClock.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { FakeClock } from '../../src/engine/clock.ts';
import { Receiver } from '../../src/federation/receiver.ts';
import { StaleWatch } from '../../src/federation/staleness.ts';
import { resolveSettings } from '../../src/federation/options.ts';
import { emptyStats, type FederationStats } from '../../src/federation/stats.ts';
import { encodeStatus } from '../../src/federation/liveness.ts';
import { silentLogger } from '../../src/log.ts';
import type { StateEvent } from '../../src/engine/state.ts';
import { openSite, fletchckPayload, type TestSite } from './helpers.ts';

const T0 = Date.UTC(2026, 10, 22, 9, 0);
const open: TestSite[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.stop();
});

interface Rig {
  t: TestSite;
  clock: FakeClock;
  rx: Receiver;
  stale: StaleWatch;
  stats: FederationStats;
  transitions: { name: string; event: StateEvent }[];
  send(topic: string, payload: string | Buffer, retained?: boolean): Promise<void>;
}

async function rig(checks: Record<string, unknown>, mqtt: Record<string, unknown> = {}): Promise<Rig> {
  const clock = new FakeClock(T0);
  // the site is not started (no service): the receiver is driven by hand
  const t = await openSite(
    { timezone: 'UTC', mqtt: { hostname: '', basetopic: 'fl/#', instance: 'me', offlinegrace: 0, ...mqtt }, checks },
    { clock, start: false },
  );
  open.push(t);
  const stats = emptyStats();
  const stale = new StaleWatch(t.site);
  stale.start();
  const settings = resolveSettings(t.site.settings.mqtt!, t.site);
  const rx = new Receiver({ site: t.site, log: silentLogger(), settings: () => settings, stats, stale });
  const transitions: Rig['transitions'] = [];
  t.site.bus.on('transition', (e) => transitions.push({ name: e.name, event: e.event }));
  t.site.bus.on('config', () => {
    rx.refresh();
    stale.sync();
  });
  return {
    t,
    clock,
    rx,
    stale,
    stats,
    transitions,
    send: async (topic, payload, retained = false) => rx.handle(topic, Buffer.isBuffer(payload) ? payload : Buffer.from(payload), retained),
  };
}

const remote = (o: Record<string, unknown> = {}): Record<string, unknown> => ({ type: 'remote', subType: 'disk', ...o });
const failing = (name: string, extra: Record<string, unknown> = {}, type = 'disk'): string =>
  fletchckPayload(name, type, { failState: true, failCount: 1, threshold: 1, log: ['/: 95% full'], lastFail: '2026-11-22T09:28:17+00:00', ...extra });
const status = (state: string, reason?: string): Buffer => encodeStatus({ siteward: 't', instance: 'x', site: 's', state: state as 'online', reason });

describe('receiving remote check updates (spec §7.4, §4.14)', () => {
  it('copies the payload into the remote check and records its topic', async () => {
    const r = await rig({ far: remote() });
    await r.send('fl/a/far', failing('far', { level: ' 95%', softFail: null }));
    const s = r.t.site.state('far');
    expect(s).toMatchObject({
      failState: true,
      failCount: 1,
      threshold: 1,
      log: ['/: 95% full'],
      level: ' 95%',
      lastCheck: Date.parse('2026-11-22T09:28:17.895594Z'),
    });
    expect(s.lastUpdate).toBe(s.lastCheck);
    expect(r.rx.remoteTopics.get('far')).toBe('fl/a/far');
    expect(r.stats).toMatchObject({ received: 1, applied: 1, rejectedTotal: 0 });
  });

  it('lastUpdate is the local time when the remote lastCheck is unusable', async () => {
    const r = await rig({ far: remote() });
    await r.send('fl/a/far', fletchckPayload('far', 'disk', { lastCheck: 'yesterday-ish' }));
    expect(r.t.site.state('far')).toMatchObject({ lastCheck: null, lastUpdate: T0 });
  });

  it.each([
    { name: 'PASS → FAIL notifies FAIL', start: false, payload: { failState: true, failCount: 2, threshold: 2 }, trail: ['FAIL!'] },
    { name: 'below the remote threshold no FAIL is reported', start: false, payload: { failState: true, failCount: 1, threshold: 2 }, trail: [] },
    { name: 'FAIL → PASS notifies PASS', start: true, payload: { failState: false }, trail: ['PASS!'] },
    { name: 'FAIL stays FAIL: nothing', start: true, payload: { failState: true, failCount: 3 }, trail: [] },
    { name: 'a sequence string changing is a new FAIL', start: 'a', payload: { failState: 'a,b', failCount: 2 }, trail: ['FAIL!'] },
  ])('$name', async ({ start, payload, trail }) => {
    const r = await rig({ far: remote() });
    await r.send('fl/far', fletchckPayload('far', 'disk', { failState: start, failCount: start === false ? 0 : 1 }));
    r.transitions.length = 0;
    await r.send('fl/far', fletchckPayload('far', 'disk', payload));
    expect(r.transitions.map((x) => `${x.event.to}${x.event.notify ? '!' : ''}`)).toEqual(trail);
  });

  it('failAction/passAction of the local check decide whether to notify', async () => {
    const r = await rig({ far: remote({ failAction: false }) });
    await r.send('fl/far', fletchckPayload('far', 'disk'));
    await r.send('fl/far', failing('far'));
    expect(r.transitions.map((x) => `${x.event.to}${x.event.notify ? '!' : ''}`)).toEqual(['PASS!', 'FAIL']);
  });

  it('a paused remote check stays PASS and never notifies', async () => {
    const r = await rig({ far: remote({ paused: true }) });
    await r.send('fl/far', failing('far'));
    expect(r.t.site.state('far').failState).toBe(false);
    expect(r.transitions).toEqual([]);
  });

  it('maps a remoteId to the local name (spec §7.4 step 2)', async () => {
    const r = await rig({ 'site-b disk': remote({ remoteId: 'disk' }) });
    await r.send('fl/b/disk', failing('disk'));
    expect(r.t.site.state('site-b disk').failState).toBe(true);
    expect(r.t.site.entry('disk')).toBeUndefined();
    expect(r.rx.remoteTopics.get('site-b disk')).toBe('fl/b/disk');
  });

  it('autoadd creates a remote check and saves the site file at once (spec §7.4 step 5)', async () => {
    const r = await rig({});
    await r.send('fl/b/new-one', failing('new-one', {}, 'cpu'));
    const saved = (r.t.file().checks as Record<string, Record<string, unknown>>)['new-one'];
    expect(saved).toMatchObject({ type: 'remote', subType: 'cpu', trigger: null, remoteId: null, actions: [] });
    expect(r.t.site.state('new-one').failState).toBe(true);
    expect(r.stats.autoadded).toBe(1);
  });

  it('records a changed remote type as subType in the site file', async () => {
    const r = await rig({ far: remote({ subType: 'disk' }) });
    await r.send('fl/far', fletchckPayload('far', 'sequence', { failState: '' }));
    expect((r.t.file().checks as Record<string, Record<string, unknown>>).far.subType).toBe('sequence');
    expect(r.t.site.runtime.displayType(r.t.site.entry('far')!)).toBe('remote.sequence');
  });

  it.each([
    { name: 'unknown name without autoadd', checks: {}, mqtt: { autoadd: false }, reason: 'unknown-check' },
    { name: 'a local check that is not remote', checks: { far: { type: 'disk' } }, mqtt: {}, reason: 'not-remote' },
  ])('rejects $name', async ({ checks, mqtt, reason }) => {
    const r = await rig(checks, mqtt);
    await r.send('fl/far', failing('far'));
    expect(r.stats.rejected).toEqual({ [reason]: 1 });
    expect(r.t.site.entry('far')?.config.type ?? 'none').not.toBe('remote');
  });

  it('ignores its own echo and cleared retained messages without counting them as rejected', async () => {
    const r = await rig({});
    await r.send('fl/me/x', JSON.stringify({ ...JSON.parse(failing('x')), instance: 'me' }));
    await r.send('fl/gone', '');
    expect(r.stats).toMatchObject({ received: 2, applied: 0, rejectedTotal: 0, ignored: { own: 1, cleared: 1 } });
    expect(r.t.site.entry('x')).toBeUndefined();
  });

  it('a bad message is rejected with its reason and the next one is still applied', async () => {
    const r = await rig({ far: remote() });
    await r.send('fl/far', failing('far', { failCount: null }));
    await r.send('fl/far', '{"name": "far"');
    await r.send('fl/far', fletchckPayload('far', 'disk'));
    expect(r.stats.rejected).toEqual({ 'invalid-data': 1, 'invalid-json': 1 });
    expect(r.t.site.state('far').failState).toBe(false);
  });
});

describe('instance liveness (siteward)', () => {
  const fromX = (name: string, extra: Record<string, unknown> = {}): string =>
    JSON.stringify({ ...JSON.parse(fletchckPayload(name, 'disk', extra)), instance: 'x' });

  it('the will fails every remote check of that instance at once, and only those', async () => {
    const r = await rig({ a: remote(), b: remote(), other: remote() });
    await r.send('fl/x/a', fromX('a'));
    await r.send('fl/x/b', fromX('b'));
    await r.send('fl/other', fletchckPayload('other', 'disk'));
    r.transitions.length = 0;
    await r.send('siteward/status/x', status('offline', 'connection lost'));
    expect(r.t.site.state('a')).toMatchObject({ failState: true, log: ['instance offline: x (connection lost)'] });
    expect(r.t.site.state('b').failState).toBe(true);
    expect(r.t.site.state('other').failState).toBe(false);
    expect(r.transitions.map((x) => `${x.name} ${x.event.to}${x.event.notify ? '!' : ''}`)).toEqual(['a FAIL!', 'b FAIL!']);
    expect(r.stats.offline).toBe(2);
  });

  it('a live update after the instance is back replaces the offline FAIL', async () => {
    const r = await rig({ a: remote() });
    await r.send('fl/x/a', fromX('a'));
    await r.send('siteward/status/x', status('offline', 'connection lost'));
    await r.send('siteward/status/x', status('online'));
    expect(r.t.site.state('a').failState).toBe(true);
    await r.send('fl/x/a', fromX('a'));
    expect(r.t.site.state('a')).toMatchObject({ failState: false, log: [] });
  });

  it('a retained state of an instance already known offline is applied, then failed', async () => {
    const r = await rig({ a: remote() });
    await r.send('siteward/status/x', status('offline', 'connection lost'), true);
    await r.send('fl/x/a', fromX('a', { log: ['fine'] }), true);
    expect(r.t.site.state('a')).toMatchObject({ failState: true, log: ['instance offline: x (connection lost)'], lastCheck: T0 });
  });

  it('a live message from an instance marked offline brings it back', async () => {
    const r = await rig({ a: remote() });
    await r.send('siteward/status/x', status('offline', 'shutdown'), true);
    await r.send('fl/x/a', fromX('a'), false);
    expect(r.t.site.state('a').failState).toBe(false);
    expect(r.rx.instances.offlineReason('x')).toBeNull();
  });

  it('a cleared status and an online status change nothing; a bad status is rejected', async () => {
    const r = await rig({ a: remote() });
    await r.send('fl/x/a', fromX('a'));
    await r.send('siteward/status/x', '', true);
    await r.send('siteward/status/x', status('online'));
    await r.send('siteward/status/x', '{"state":"sleepy"}');
    expect(r.t.site.state('a').failState).toBe(false);
    expect(r.stats).toMatchObject({ statuses: 2, rejected: { 'status-invalid': 1 } });
  });

  it('with a grace period, an offline status fails the checks only when it still holds afterwards', async () => {
    const r = await rig({ a: remote() }, { offlinegrace: 5 });
    await r.send('fl/x/a', fromX('a'));
    await r.send('siteward/status/x', status('offline', 'connection lost'));
    await r.clock.advance(4900);
    expect(r.t.site.state('a').failState).toBe(false);
    expect(r.rx.pendingOffline()).toEqual(['x']);
    await r.clock.advance(200);
    expect(r.t.site.state('a')).toMatchObject({ failState: true, log: ['instance offline: x (connection lost)'] });
  });

  it.each([
    { name: 'the instance comes back online', then: (r: Rig) => r.send('siteward/status/x', status('online')) },
    { name: 'a live message from the instance arrives', then: (r: Rig) => r.send('fl/x/a', fromX('a')) },
    { name: 'our own connection drops (the broker went down and sent every will)', then: async (r: Rig) => r.rx.connectionLost() },
  ])('a pending offline status is dropped when $name', async ({ then }) => {
    const r = await rig({ a: remote() }, { offlinegrace: 5 });
    await r.send('fl/x/a', fromX('a'));
    await r.send('siteward/status/x', status('offline', 'connection lost'));
    await r.clock.advance(1000);
    await then(r);
    await r.clock.advance(60_000);
    expect(r.t.site.state('a').failState).toBe(false);
    expect(r.rx.pendingOffline()).toEqual([]);
  });

  it('a paused remote check is not failed by its instance going away', async () => {
    const r = await rig({ a: remote({ paused: true }) });
    await r.send('fl/x/a', fromX('a'));
    await r.send('siteward/status/x', status('offline'));
    expect(r.t.site.state('a').failState).toBe(false);
  });
});

describe('staleness without a trigger (siteward)', () => {
  it('fails a remote with a timeout when no update arrives in time, at once', async () => {
    const r = await rig({ far: remote({ options: { timeout: 60 } }) });
    await r.send('fl/far', fletchckPayload('far', 'disk', { lastCheck: '2026-11-22T08:59:30+00:00' }));
    await r.clock.advance(59_000);
    expect(r.t.site.state('far').failState).toBe(false);
    await r.clock.advance(2000);
    expect(r.t.site.state('far')).toMatchObject({ failState: true, log: ['Update timeout 60 sec (22 Nov 2026 08:59 UTC)'] });
    expect(r.transitions.map((x) => `${x.event.to}${x.event.notify ? '!' : ''}`)).toEqual(['PASS!', 'FAIL!']);
  });

  it('each update starts the deadline again', async () => {
    const r = await rig({ far: remote({ options: { timeout: 60 } }) });
    for (let i = 0; i < 5; i++) {
      await r.send('fl/far', fletchckPayload('far', 'disk'));
      await r.clock.advance(50_000);
    }
    expect(r.t.site.state('far').failState).toBe(false);
    await r.clock.advance(11_000);
    expect(r.t.site.state('far').failState).toBe(true);
  });

  it('a remote never heard from times out too (fletchck never does)', async () => {
    const r = await rig({ far: remote({ options: { timeout: 30 } }) });
    expect(r.t.site.state('far').log).toEqual([]);
    await r.clock.advance(31_000);
    expect(r.t.site.state('far')).toMatchObject({ failState: true, log: ['Update timeout 30 sec (never)'] });
  });

  it('no timeout, or paused: never stale', async () => {
    const r = await rig({ a: remote(), b: remote({ paused: true, options: { timeout: 10 } }) });
    await r.send('fl/a', fletchckPayload('a', 'disk'));
    await r.clock.advance(3_600_000);
    expect(r.t.site.state('a').failState).toBe(false);
    expect(r.t.site.state('b').log).toEqual([]);
  });

  it('the scheduled run applies the same rule: "Update timeout" line, and never heard from counts from the first run', async () => {
    const r = await rig({ far: remote({ options: { timeout: 60 } }) });
    await r.send('fl/far', fletchckPayload('far', 'disk', { lastCheck: '2026-11-22T09:00:00+00:00', log: ['remote log'] }));
    await r.clock.advance(30_000);
    await r.t.site.runNow('far');
    expect(r.t.site.state('far')).toMatchObject({ failState: false, log: ['remote log'] });
    await r.clock.advance(31_000);
    r.stale.stop();
    await r.t.site.runNow('far');
    expect(r.t.site.state('far')).toMatchObject({ failState: true, log: ['Update timeout 60 sec (22 Nov 2026 09:00 UTC)'] });
  });

  it('scheduled runs of a remote never heard from: the first run starts the wait, a run after the timeout fails with "(never)"', async () => {
    const r = await rig({ far: remote({ options: { timeout: 60 } }) });
    r.stale.stop();
    await r.clock.advance(3_600_000);
    await r.t.site.runNow('far');
    expect(r.t.site.state('far').log).toEqual([]);
    await r.clock.advance(59_000);
    await r.t.site.runNow('far');
    expect(r.t.site.state('far').log).toEqual([]);
    await r.clock.advance(2000);
    await r.t.site.runNow('far');
    expect(r.t.site.state('far')).toMatchObject({ failState: true, log: ['Update timeout 60 sec (never)'] });
  });
});
