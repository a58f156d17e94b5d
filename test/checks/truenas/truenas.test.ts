/**
 * `truenas` against a local JSON-RPC 2.0 WebSocket server (ws, over HTTPS with
 * a test certificate and over HTTP) that answers like TrueNAS SCALE 25.04:
 * healthy, degraded mirror, errors on one disk, alerts, pool usage, a bad API
 * key, and a server that never answers.
 */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { once } from 'node:events';
import { join } from 'node:path';
import { truenas } from '../../../src/checks/truenas/index.ts';
import { alertText, assessAlerts } from '../../../src/checks/truenas/assess.ts';
import { freePort, tempDir } from '../../servers/common.ts';
import { alert, disk, group, mirror, pool, startTruenas, type FakeTruenas, type TruenasState } from '../../servers/truenas.ts';
import { runType, passing } from '../hostctx.ts';

const KEY = '1-Xq9cZ2dW8sLrTnVbKpYfGhJmE4uA7oQ3iS6tR0eWzC5vB1nM';
const TIB = 1024 ** 4;

const healthyTank = () =>
  pool({
    name: 'tank',
    size: 4 * TIB,
    allocated: 1.68 * TIB,
    data: [mirror(0, 'ONLINE', [disk('sda'), disk('sdb')]), mirror(1, 'ONLINE', [disk('sdc'), disk('sdd')])],
    spare: [disk('sde', { status: 'AVAIL' })],
  });

let wss: FakeTruenas;
let ws: FakeTruenas;
let dir: string;
let cleanup: () => void;
let caFile: string;

const state = (): TruenasState => ({ apiKey: KEY, pools: [healthyTank()], alerts: [] });

beforeAll(async () => {
  ({ dir, cleanup } = tempDir('sw-truenas-'));
  wss = await startTruenas(state(), { tls: true });
  ws = await startTruenas(state(), { tls: false });
  caFile = join(dir, 'truenas.pem');
  writeFileSync(caFile, wss.cert!);
});
afterAll(async () => {
  await wss.stop();
  await ws.stop();
  cleanup();
});
beforeEach(() => {
  Object.assign(wss.state, state(), { silent: false });
  wss.calls.length = 0;
});

const secure = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ hostname: '127.0.0.1', port: wss.port, ca: caFile, apiKey: KEY, ...extra });

describe('truenas over wss:// with a test certificate', () => {
  it('a healthy system passes: logs in, reads pools and alerts, reports usage', async () => {
    const r = await runType(truenas, secure());
    expect(wss.calls).toEqual(['auth.login_with_api_key(good key)', 'pool.query', 'alert.list']);
    expect(r.fail).toBe(false);
    expect(r.log).toEqual(['tank: ONLINE, 42% used 1.68/4.00TiB, Target: 90%']);
    expect(r.level).toBe('42%');
    expect(r.metrics).toEqual([
      { name: 'tank_used_percent', value: 42, unit: '%', crit: 90, min: 0, max: 100 },
      { name: 'alerts', value: 0, min: 0 },
    ]);
  });

  it('the API key may come from a file', async () => {
    const f = join(dir, 'key');
    writeFileSync(f, `${KEY}\n`);
    expect((await runType(truenas, secure({ apiKey: { file: f } }))).fail).toBe(false);
  });

  it('a degraded mirror fails and names the pool and the missing disk', async () => {
    wss.state.pools = [
      pool({
        name: 'tank',
        status: 'DEGRADED',
        statusDetail: 'One or more devices has been removed by the administrator.',
        size: 4 * TIB,
        allocated: TIB,
        data: [mirror(0, 'DEGRADED', [disk('sda'), disk('sdb', { status: 'REMOVED' })])],
      }),
    ];
    const r = await runType(truenas, secure(), { state: passing });
    expect(r.fail).toBe(true);
    expect(r.log).toEqual([
      'tank: DEGRADED (unhealthy), 25% used 1.00/4.00TiB, Target: 90%',
      'Pool tank DEGRADED: One or more devices has been removed by the administrator.',
      'tank/sdb: REMOVED',
    ]);
  });

  it("records each pool's vdev layout, its disks' status and error counts, and the active alerts (Outcome.nas)", async () => {
    wss.state.pools = [
      pool({
        name: 'tank',
        status: 'DEGRADED',
        size: 8 * TIB,
        allocated: TIB,
        data: [group('RAIDZ2', 0, 'DEGRADED', [disk('sda'), disk('sdb', { status: 'FAULTED' }), disk('sdc', { read: 3, checksum: 1 }), disk('sdd')])],
        log: [mirror(1, 'ONLINE', [disk('nvme0n1'), disk('nvme1n1')])],
        cache: [disk('nvme2n1')],
        spare: [disk('sde', { status: 'AVAIL' })],
      }),
      pool({ name: 'scratch', data: [disk('sdf')] }),
    ];
    wss.state.alerts = [
      alert('INFO', 'Scrub of pool <i>tank</i> finished.'),
      alert('CRITICAL', 'Pool tank state is DEGRADED: <br>One or more devices are faulted.'),
      alert('WARNING', 'Old news', { dismissed: true }),
    ];
    const r = await runType(truenas, secure(), { state: passing });
    expect(r.fail).toBe(true);
    expect(r.nas!.pools.map((p) => [p.name, p.vdevs.map((v) => [v.category, v.type, v.status, v.disks.map((d) => d.name).join(' ')])])).toEqual([
      [
        'tank',
        [
          ['data', 'RAIDZ2', 'DEGRADED', 'sda sdb sdc sdd'],
          ['log', 'MIRROR', 'ONLINE', 'nvme0n1 nvme1n1'],
          ['cache', 'STRIPE', 'ONLINE', 'nvme2n1'],
          ['spare', 'STRIPE', 'AVAIL', 'sde'],
        ],
      ],
      ['scratch', [['data', 'STRIPE', 'ONLINE', 'sdf']]],
    ]);
    expect(r.nas!.pools[0].vdevs[0].disks[1]).toEqual({ name: 'sdb', status: 'FAULTED', read: 0, write: 0, checksum: 0 });
    expect(r.nas!.pools[0].vdevs[0].disks[2]).toEqual({ name: 'sdc', status: 'ONLINE', read: 3, write: 0, checksum: 1 });
    // every level that is not dismissed, most severe first, without markup
    expect(r.nas!.alerts).toEqual([
      { level: 'CRITICAL', text: 'Pool tank state is DEGRADED: One or more devices are faulted.' },
      { level: 'INFO', text: 'Scrub of pool tank finished.' },
    ]);
    expect(r.nas!.moreAlerts).toBe(0);
  });

  it('errors on one disk fail even while the pool is ONLINE', async () => {
    wss.state.pools = [
      pool({
        name: 'tank',
        size: 4 * TIB,
        allocated: TIB,
        data: [mirror(0, 'ONLINE', [disk('sda'), disk('sdb', { read: 2, checksum: 12 })])],
      }),
    ];
    const r = await runType(truenas, secure(), { state: passing });
    expect(r.fail).toBe(true);
    expect(r.log.at(-1)).toBe('tank/sdb: 2 read, 0 write, 12 checksum errors');
  });

  it('an active CRITICAL alert fails; dismissed ones and ones below alertLevel do not', async () => {
    wss.state.alerts = [alert('INFO', 'Scrub of pool <i>tank</i> finished.'), alert('CRITICAL', 'Old news', { dismissed: true })];
    expect((await runType(truenas, secure(), { state: passing })).fail).toBe(false);
    expect((await runType(truenas, secure({ alertLevel: 'INFO' }), { state: passing })).log.at(-1)).toBe('Alert INFO: Scrub of pool tank finished.');
    wss.state.alerts.push(
      alert(
        'CRITICAL',
        'Pool tank state is DEGRADED: One or more devices are faulted.<br>The following devices are not healthy:<ul><li>Disk ST4000 ZDH1 is FAULTED</li></ul>',
      ),
    );
    const r = await runType(truenas, secure(), { state: passing });
    expect(r.fail).toBe(true);
    expect(r.log.at(-1)).toBe(
      'Alert CRITICAL: Pool tank state is DEGRADED: One or more devices are faulted. The following devices are not healthy:Disk ST4000 ZDH1 is FAULTED',
    );
    expect(r.metrics).toContainEqual({ name: 'alerts', value: 1, min: 0 });
  });

  it('pool usage above level fails, with hysteresis once failing (§3.3)', async () => {
    const at = async (fraction: number, failing: boolean) => {
      wss.state.pools = [pool({ name: 'tank', size: 4 * TIB, allocated: fraction * 4 * TIB, data: [mirror(0, 'ONLINE', [disk('sda'), disk('sdb')])] })];
      return runType(truenas, secure({ level: 90, hysteresis: 2 }), { state: failing ? {} : passing });
    };
    const full = await at(0.95, false);
    expect(full.fail).toBe(true);
    expect(full.level).toBe('95%');
    expect(full.log.at(-1)).toBe('Pool usage 95%, Target: 90%');
    expect((await at(0.89, true)).fail).toBe(true);
    expect((await at(0.87, true)).fail).toBe(false);
    expect((await at(0.89, false)).fail).toBe(false);
  });

  it('`pool` limits the check to one pool; an unknown name fails', async () => {
    wss.state.pools = [healthyTank(), pool({ name: 'backup', status: 'FAULTED', data: [disk('sdx', { status: 'FAULTED' })] })];
    expect((await runType(truenas, secure())).fail).toBe(true);
    expect((await runType(truenas, secure({ pool: 'tank' }))).fail).toBe(false);
    const r = await runType(truenas, secure({ pool: 'nope' }), { state: passing });
    expect(r.fail).toBe(true);
    expect(r.log).toEqual(['No pools', 'Pool nope not found (pools: tank, backup)']);
  });

  it('a bad API key fails with AuthError and nothing else is asked', async () => {
    const r = await runType(truenas, secure({ apiKey: 'wrong' }), { state: passing });
    expect(r.fail).toBe(true);
    expect(r.log).toEqual(['127.0.0.1 AuthError: the API key was not accepted']);
    expect(wss.calls).toEqual(['auth.login_with_api_key(bad key)']);
    expect(r.log.join('\n')).not.toContain('wrong');
  });

  it('a server that never answers fails at the timeout', async () => {
    wss.state.silent = true;
    const r = await runType(truenas, secure({ timeout: 0.5 }), { state: passing });
    expect(r.fail).toBe(true);
    expect(r.log).toEqual(['127.0.0.1 TimeoutError: no result within 0.5 s']);
  });

  it('an untrusted certificate is a labelled certificate failure; `selfsigned` accepts it', async () => {
    const r = await runType(truenas, secure({ ca: undefined }), { state: passing });
    expect(r.fail).toBe(true);
    expect(r.softFail).toBe('certificate');
    expect(r.log).toEqual(['127.0.0.1 SSLCertVerificationError: self-signed certificate']);
    expect((await runType(truenas, secure({ ca: undefined, selfsigned: true }))).fail).toBe(false);
  });

  it('the certificate must name the host unless `selfsigned`', async () => {
    const other = await startTruenas(state(), { tls: true, dnsNames: ['truenas.example'] });
    try {
      const ca = join(dir, 'other.pem');
      writeFileSync(ca, other.cert!);
      const r = await runType(truenas, { hostname: '127.0.0.1', port: other.port, ca, apiKey: KEY }, { state: passing });
      expect(r.softFail).toBe('certificate');
      expect(r.log[0]).toMatch(/^127\.0\.0\.1 SSLCertVerificationError: .*127\.0\.0\.1 is not in the cert's list/);
      expect((await runType(truenas, { hostname: '127.0.0.1', port: other.port, selfsigned: true, apiKey: KEY })).fail).toBe(false);
    } finally {
      await other.stop();
    }
  });
});

describe('truenas over plain ws://', () => {
  it('works with tls: false', async () => {
    const r = await runType(truenas, { hostname: '127.0.0.1', port: ws.port, tls: false, apiKey: KEY });
    expect(r.fail).toBe(false);
  });

  it('a server that accepts but never answers the WebSocket upgrade fails at the timeout', async () => {
    const sockets: Socket[] = [];
    const mute = createServer((s) => sockets.push(s.on('error', () => undefined)));
    mute.listen(0, '127.0.0.1');
    await once(mute, 'listening');
    try {
      const port = (mute.address() as AddressInfo).port;
      const r = await runType(truenas, { hostname: '127.0.0.1', port, tls: false, apiKey: KEY, timeout: 0.3 }, { state: passing });
      expect(r.log).toEqual(['127.0.0.1 TimeoutError: no result within 0.3 s']);
      // the aborted handshake reports itself later: give it the chance to go unhandled
      await new Promise((res) => setTimeout(res, 50));
    } finally {
      for (const s of sockets) s.destroy();
      mute.close();
    }
  });

  it('nothing listening: the connection error', async () => {
    const port = await freePort();
    const r = await runType(truenas, { hostname: '127.0.0.1', port, tls: false, apiKey: KEY }, { state: passing });
    expect(r.log).toEqual([`127.0.0.1 ConnectionRefusedError: connect ECONNREFUSED 127.0.0.1:${port}`]);
  });
});

describe('truenas alert rules (pure)', () => {
  it('orders alerts by severity, most severe last, and strips markup and entities', () => {
    const lines = assessAlerts(
      [alert('ERROR', 'b') as never, alert('EMERGENCY', 'c') as never, alert('WARNING', 'a &amp; <b>x</b>') as never, alert('NOTICE', 'n') as never],
      'WARNING',
    );
    expect(lines).toEqual(['Alert WARNING: a & x', 'Alert ERROR: b', 'Alert EMERGENCY: c']);
    expect(alertText({ formatted: null, text: 'plain %(x)s' })).toBe('plain %(x)s');
  });
});
