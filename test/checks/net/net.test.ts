/**
 * `net`: rates between runs from fixture /proc/net/dev files with an injected
 * clock, link state from fixture sysfs trees, and one run on this machine's
 * real loopback.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { net } from '../../../src/checks/net/index.ts';
import { parseNetDev } from '../../../src/checks/net/procnet.ts';
import { tempDir } from '../../servers/common.ts';
import { runType, passing, type RunOpts } from '../hostctx.ts';

const HEADER =
  'Inter-|   Receive                                                |  Transmit\n' +
  ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n';
const line = (name: string, rx: number, tx: number, rxErr = 0, txErr = 0): string =>
  `${name.padStart(6)}: ${rx} 100 ${rxErr} 0 0 0 0 0 ${tx} 90 ${txErr} 0 0 0 0 0\n`;

describe('net: interface rates and link state (fixture trees)', () => {
  let root: string;
  let cleanup: () => void;
  let clock: number;
  let scratch: Record<string, unknown>;
  const setDev = (...lines: string[]): void => writeFileSync(join(root, 'proc', 'net', 'dev'), HEADER + lines.join(''));
  const setState = (iface: string, s: string): void => {
    mkdirSync(join(root, 'sys', 'class', 'net', iface), { recursive: true });
    writeFileSync(join(root, 'sys', 'class', 'net', iface, 'operstate'), `${s}\n`);
  };
  const run = (opts: Record<string, unknown>, o: RunOpts = {}) =>
    runType(
      net,
      { sample: 0, ...opts },
      {
        env: { procRoot: join(root, 'proc'), sysRoot: join(root, 'sys') },
        scratch,
        now: () => clock,
        ...o,
      },
    );

  beforeEach(() => {
    ({ dir: root, cleanup } = tempDir('sw-net-'));
    mkdirSync(join(root, 'proc', 'net'), { recursive: true });
    clock = 1_000_000;
    scratch = {};
    setState('eth0', 'up');
    setDev(line('lo', 5000, 5000), line('eth0', 1_000_000, 2_000_000));
  });
  afterEach(() => cleanup());

  it('first run keeps the counters; the next one reports the rates since then', async () => {
    const first = await run({ interface: 'eth0' });
    expect(first.fail).toBe(false);
    expect(first.log).toEqual(['eth0: link up, rates from the next run']);
    clock += 10_000;
    // 12.5 MB received and 1.25 MB sent in 10 s = 10 and 1 Mbit/s
    setDev(line('lo', 5000, 5000), line('eth0', 13_500_000, 3_250_000, 3, 0));
    const r = await run({ interface: 'eth0' });
    expect(r.fail).toBe(false);
    expect(r.log).toEqual(['eth0: link up, rx 10.0 Mbit/s, tx 1.0 Mbit/s']);
    expect(r.level).toBe('10.0 Mbit/s');
    expect(r.metrics).toEqual([
      { name: 'rx_rate', value: 10, unit: 'Mbit/s', min: 0 },
      { name: 'tx_rate', value: 1, unit: 'Mbit/s', min: 0 },
      { name: 'rx_errors', value: 3, min: 0 },
      { name: 'tx_errors', value: 0, min: 0 },
    ]);
  });

  /** Two runs 1 s apart with the given byte deltas; returns the second outcome. */
  const rateRun = async (opts: Record<string, unknown>, rxDelta: number, txDelta: number, o: RunOpts = {}) => {
    scratch = {};
    setDev(line('eth0', 1_000_000, 2_000_000));
    await run(opts);
    clock += 1000;
    setDev(line('eth0', 1_000_000 + rxDelta, 2_000_000 + txDelta));
    return run(opts, o);
  };

  it('fails above the level and applies hysteresis once failing (§3.3)', async () => {
    const o = { interface: 'eth0', level: 50, hysteresis: 10 };
    const over = await rateRun(o, 7_500_000, 0, { state: passing }); // 60 Mbit/s
    expect(over.fail).toBe(true);
    expect(over.log).toEqual(['eth0: link up, rx 60.0 Mbit/s, tx 0.0 Mbit/s, Target: 50.0 Mbit/s']);
    expect(over.metrics?.[0]).toEqual({ name: 'rx_rate', value: 60, unit: 'Mbit/s', min: 0, crit: 50 });
    const between = await rateRun(o, 5_625_000, 0); // 45 Mbit/s while failing: not below 40
    expect(between.fail).toBe(true);
    expect((await rateRun(o, 5_625_000, 0, { state: passing })).fail).toBe(false);
  });

  it.each([
    ['rx', false],
    ['tx', true],
    ['sum', true],
    ['max', true],
  ])('direction %s compares the right rate', async (direction, fails) => {
    // rx 8 Mbit/s, tx 16 Mbit/s, level 12
    const r = await rateRun({ interface: 'eth0', level: 12, direction }, 1_000_000, 2_000_000, { state: passing });
    expect(r.fail).toBe(fails);
  });

  it('a link that is down fails, whatever the traffic', async () => {
    setState('eth0', 'down');
    const r = await run({ interface: 'eth0', level: 100 }, { state: passing });
    expect(r.fail).toBe(true);
    expect(r.log).toEqual(['eth0: link down']);
    setState('eth0', 'lowerlayerdown');
    expect((await run({ interface: 'eth0' }, { state: passing })).log).toEqual(['eth0: link lowerlayerdown']);
  });

  it('"unknown" (loopback, tunnels) and a missing operstate count as usable', async () => {
    setState('lo', 'unknown');
    expect((await run({ interface: 'lo' }, { state: passing })).fail).toBe(false);
    setDev(line('tun0', 1, 1));
    expect((await run({ interface: 'tun0' }, { state: passing })).fail).toBe(false);
  });

  it('a missing interface fails', async () => {
    const r = await run({ interface: 'eth9' }, { state: passing });
    expect(r.fail).toBe(true);
    expect(r.log).toEqual(['eth9: no such interface']);
  });

  it('counters going backwards (interface re-created) restart the measurement', async () => {
    await run({ interface: 'eth0' });
    clock += 1000;
    setDev(line('eth0', 10, 10));
    const r = await run({ interface: 'eth0', level: 1 }, { state: passing });
    expect(r.fail).toBe(false);
    expect(r.log).toEqual(['eth0: link up, rates from the next run']);
  });

  it('a missing /proc/net/dev gives a clear failure line', async () => {
    const r = await run({ interface: 'eth0' }, { env: { procRoot: join(root, 'nope'), sysRoot: join(root, 'sys') } });
    expect(r.fail).toBe(true);
    expect(r.log[0]).toMatch(/^eth0 FileNotFoundError: no such file or directory/);
  });

  it("parses old kernels' lines with no space after the colon", () => {
    const m = parseNetDev(`${HEADER}  eth0:4294967295 10 0 0 0 0 0 0 77 5 0 0 0 0 0 0\n`);
    expect(m.get('eth0')).toEqual({ rxBytes: 4294967295, rxErrors: 0, txBytes: 77, txErrors: 0 });
  });

  it('rejects interface names that are not names', () => {
    expect(net.options.safeParse({ interface: '../../etc' }).success).toBe(false);
    expect(net.options.safeParse({ interface: 'eth0:1' }).success).toBe(false);
  });
});

describe("net: this machine's loopback", () => {
  it('the first run measures over its own short window', async () => {
    const r = await runType(net, { interface: 'lo', sample: 0.2 });
    expect(r.fail).toBe(false);
    expect(r.log[0]).toMatch(/^lo: link unknown, rx \d+\.\d Mbit\/s, tx \d+\.\d Mbit\/s$/);
    for (const m of r.metrics ?? []) expect(m.value).toBeGreaterThanOrEqual(0);
  });
});
