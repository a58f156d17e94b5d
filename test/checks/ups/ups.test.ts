/**
 * `ups` against the real upsd with dummy-ups drivers (spec §4.8): the
 * fletchck decision and log lines for OL, OB, "OB LB", RB, an unknown state,
 * the NUT error mapping (stale data, unknown UPS, no driver, refused), the
 * siteward additions (login, minCharge, minRuntime, metrics) and five checks
 * running at once.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { ups, judgeUps, UpsOptions } from '../../../src/checks/ups/index.ts';
import { describeDaemon, freePort } from '../../servers/common.ts';
import { startNut, UPSD, DUMMY_UPS, type NutServer, type UpsVars } from '../../servers/nut.ts';
import { runType, passing } from '../hostctx.ts';

const base = (status: string, charge: string, voltage = '13.5'): UpsVars => ({
  'ups.status': status,
  'battery.charge': charge,
  'battery.voltage': voltage,
  'battery.runtime': '3600',
  'ups.load': '23',
});

const UPSES: Record<string, UpsVars> = {
  ol: base('OL', '100'),
  ob: base('OB', '50', '12.1'),
  oblb: base('OB LB', '8', '11.2'),
  rb: base('OL RB', '97'),
  off: base('OFF', '100'),
  low: base('OL CHRG', '40'),
  novolt: { 'ups.status': 'OL', 'battery.charge': '100' },
  stale: base('OL', '100'),
  gone: base('OL', '100'),
  flip: base('OL', '100'),
};

describeDaemon('ups check against upsd + dummy-ups', [UPSD, DUMMY_UPS], () => {
  let nut: NutServer;
  const opts = (name: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    upsName: name,
    hostname: nut.host,
    port: nut.port,
    ...extra,
  });
  const head = (name: string): string => `Connecting to UPS via NUT: ${name}@${nut.host}:${nut.port}`;

  beforeAll(async () => {
    nut = await startNut(UPSES, { maxAge: 2 });
  });
  afterAll(async () => {
    await nut?.stop();
  });

  it("OL passes with fletchck's lines, the charge as level, and metrics", async () => {
    const r = await runType(ups, opts('ol'));
    expect(r.fail).toBe(false);
    expect(r.log).toEqual([head('ol'), 'Status: Online', 'Battery: 13.5V/100% Flags: OL']);
    expect(r.level).toBe('100%');
    expect(r.metrics).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'battery_charge', value: 100, unit: '%' }),
        expect.objectContaining({ name: 'battery_voltage', value: 13.5, unit: 'V' }),
        expect.objectContaining({ name: 'battery_runtime', value: 3600, unit: 's' }),
        expect.objectContaining({ name: 'ups_load', value: 23, unit: '%' }),
      ]),
    );
  });

  it('OB fails "Status: On Battery"', async () => {
    const r = await runType(ups, opts('ob'), { state: passing });
    expect(r.fail).toBe(true);
    expect(r.log).toEqual([head('ob'), 'Status: On Battery', 'Battery: 12.1V/50% Flags: OB']);
    expect(r.level).toBe('50%');
  });

  it('"OB LB" fails with both flags listed and a padded level', async () => {
    const r = await runType(ups, opts('oblb'));
    expect(r.fail).toBe(true);
    expect(r.log).toEqual([head('oblb'), 'Status: On Battery', 'Battery: 11.2V/8% Flags: OB, LB']);
    expect(r.level).toBe(' 8%');
  });

  it('RB wins over OL: "Warning: Replace battery"', async () => {
    const r = await runType(ups, opts('rb'), { state: passing });
    expect(r.fail).toBe(true);
    expect(r.log).toEqual([head('rb'), 'Warning: Replace battery', 'Battery: 13.5V/97% Flags: OL, RB']);
  });

  it('a state without OL, OB or RB fails "Unknown UPS state"', async () => {
    const r = await runType(ups, opts('off'), { state: passing });
    expect(r.fail).toBe(true);
    expect(r.log).toEqual([head('off'), 'Unknown UPS state', 'Battery: 13.5V/100% Flags: OFF']);
  });

  it('follows the UPS from OL to "OB LB" when the driver reports it', async () => {
    expect((await runType(ups, opts('flip'))).fail).toBe(false);
    nut.setVars('flip', base('OB LB', '8', '11.2'));
    await nut.waitFor('flip', (r) => typeof r !== 'string' && r['ups.status'] === 'OB LB');
    const r = await runType(ups, opts('flip'), { state: passing });
    expect(r.fail).toBe(true);
    expect(r.log.slice(1)).toEqual(['Status: On Battery', 'Battery: 11.2V/8% Flags: OB, LB']);
  });

  it("a missing variable gives fletchck's KeyError line", async () => {
    const r = await runType(ups, opts('novolt'), { state: passing });
    expect(r.fail).toBe(true);
    expect(r.log).toEqual([head('novolt'), "novolt KeyError: 'battery.voltage'"]);
    expect(r.level).toBeNull();
  });

  it('an unknown UPS name: "Connect Error: ERR UNKNOWN-UPS"', async () => {
    const r = await runType(ups, opts('nosuch'), { state: passing });
    expect(r.fail).toBe(true);
    expect(r.log).toEqual([head('nosuch'), 'nosuch Connect Error: ERR UNKNOWN-UPS']);
  });

  it('a frozen driver goes stale: "Not Connected: DATA-STALE", and recovers', async () => {
    nut.pauseDriver('stale');
    try {
      await nut.waitFor('stale', (r) => r === 'ERR DATA-STALE');
      const r = await runType(ups, opts('stale'), { state: passing });
      expect(r.fail).toBe(true);
      expect(r.log).toEqual([head('stale'), 'stale Not Connected: DATA-STALE']);
    } finally {
      nut.resumeDriver('stale');
    }
    await nut.waitFor('stale', (r) => typeof r !== 'string');
    expect((await runType(ups, opts('stale'))).fail).toBe(false);
  });

  it('a dead driver: "Connect Error: ERR DRIVER-NOT-CONNECTED"', async () => {
    await nut.killDriver('gone');
    await nut.waitFor('gone', (r) => r === 'ERR DRIVER-NOT-CONNECTED');
    const r = await runType(ups, opts('gone'), { state: passing });
    expect(r.fail).toBe(true);
    expect(r.log).toEqual([head('gone'), 'gone Connect Error: ERR DRIVER-NOT-CONNECTED']);
  });

  it('no upsd listening: "Connect Error" naming the refusal', async () => {
    const port = await freePort();
    const r = await runType(ups, { upsName: 'ol', hostname: '127.0.0.1', port });
    expect(r.fail).toBe(true);
    expect(r.log).toEqual([`Connecting to UPS via NUT: ol@127.0.0.1:${port}`, `ol Connect Error: connect ECONNREFUSED 127.0.0.1:${port}`]);
  });

  it('logs in with username and password (also from the environment, also with spaces)', async () => {
    process.env.SW_TEST_NUT_PASSWORD = 's3cret';
    try {
      const a = await runType(ups, opts('ol', { username: 'monitor', password: { env: 'SW_TEST_NUT_PASSWORD' } }));
      expect(a.fail).toBe(false);
      const b = await runType(ups, opts('ol', { username: 'monitor', password: 'two words "quoted" \\ too' }));
      expect(b.fail).toBe(false);
      const c = await runType(ups, opts('ol', { username: 'monitor', password: { env: 'SW_TEST_NUT_UNSET' } }));
      expect(c.fail).toBe(true);
      expect(c.log[1]).toBe('ol SecretError: environment variable SW_TEST_NUT_UNSET is not set');
    } finally {
      delete process.env.SW_TEST_NUT_PASSWORD;
    }
  });

  it("minCharge fails an online UPS whose charge is below it; fletchck's rule alone passes it", async () => {
    expect((await runType(ups, opts('low'))).fail).toBe(false);
    const r = await runType(ups, opts('low', { minCharge: 50 }), { state: passing });
    expect(r.fail).toBe(true);
    expect(r.log).toEqual([head('low'), 'Status: Online', 'Battery: 13.5V/40% Flags: OL, CHRG', 'Battery charge 40% below minimum 50%']);
    expect(r.metrics).toContainEqual(expect.objectContaining({ name: 'battery_charge', value: 40, critLow: 50 }));
  });

  it('minRuntime fails when battery.runtime is below it or not reported', async () => {
    expect((await runType(ups, opts('ol', { minRuntime: 600 }))).fail).toBe(false);
    const r = await runType(ups, opts('ol', { minRuntime: 7200 }), { state: passing });
    expect(r.fail).toBe(true);
    expect(r.log.at(-1)).toBe('Battery runtime 3600 s below minimum 7200 s');
  });

  it("five UPS checks at once, ten rounds: each gets its own UPS's data", async () => {
    const names = ['ol', 'ob', 'oblb', 'rb', 'low'];
    const want = new Map(names.map((n) => [n, UPSES[n]['ups.status'].split(' ').join(', ')]));
    for (let round = 0; round < 10; round++) {
      const results = await Promise.all(names.map((n) => runType(ups, opts(n))));
      results.forEach((r, i) => {
        const n = names[i];
        expect(r.log[0]).toBe(head(n));
        expect(r.log.at(-1)).toMatch(new RegExp(`Flags: ${want.get(n)}$`));
        expect(r.level).toBe(`${UPSES[n]['battery.charge'].padStart(2)}%`);
      });
    }
  });
});

describe('ups decision (pure)', () => {
  const o = UpsOptions.parse({});

  it("upsd's startup WAIT is an unknown state, not a missing variable", () => {
    const r = judgeUps(o, { 'ups.status': 'WAIT' });
    expect(r.fail).toBe(true);
    expect(r.lines[0]).toBe('Unknown UPS state');
  });

  it("a non-numeric charge gives Python's ValueError text", () => {
    expect(() => judgeUps(o, { 'ups.status': 'OL', 'battery.charge': 'n/a', 'battery.voltage': '13' })).toThrow("could not convert string to float: 'n/a'");
  });

  it('rejects a UPS name that would break the protocol line', () => {
    expect(UpsOptions.safeParse({ upsName: 'a b' }).success).toBe(false);
    expect(UpsOptions.safeParse({ username: 'x\nLIST UPS' }).success).toBe(false);
  });
});

describe('ups client framing and login refusal (a scripted server: upsd never refuses at PASSWORD)', () => {
  it('reads replies delivered one byte at a time and maps a refused password', async () => {
    const seen: string[] = [];
    const srv = createServer((s) => {
      let buf = '';
      s.setEncoding('utf8');
      // replies go out in order, one byte per event-loop turn
      let queue = Promise.resolve();
      const send = (text: string): Promise<void> =>
        (queue = queue.then(async () => {
          for (const ch of text) {
            if (s.destroyed) return;
            s.write(ch);
            await new Promise((r) => setImmediate(r));
          }
        }));
      s.on('data', (d: string) => {
        buf += d;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          seen.push(line);
          if (line.startsWith('USERNAME')) void send('OK\n');
          else if (line === 'PASSWORD good') void send('OK\n');
          else if (line.startsWith('PASSWORD')) void send('ERR ACCESS-DENIED\n');
          else if (line === 'LIST VAR u')
            void send('BEGIN LIST VAR u\nVAR u battery.charge "77"\nVAR u battery.voltage "13.0"\nVAR u ups.status "OL"\nEND LIST VAR u\n');
        }
      });
      s.on('error', () => undefined);
    });
    srv.listen(0, '127.0.0.1');
    await once(srv, 'listening');
    const port = (srv.address() as AddressInfo).port;
    try {
      const ok = await runType(ups, { upsName: 'u', hostname: '127.0.0.1', port, username: 'mon', password: 'good' });
      expect(ok.fail).toBe(false);
      expect(ok.log.at(-1)).toBe('Battery: 13.0V/77% Flags: OL');
      const bad = await runType(ups, { upsName: 'u', hostname: '127.0.0.1', port, username: 'mon', password: 'bad' });
      expect(bad.fail).toBe(true);
      expect(bad.log.at(-1)).toBe('u Connect Error: ERR ACCESS-DENIED');
      expect(seen).toContain('USERNAME mon');
    } finally {
      srv.close();
    }
  });
});
