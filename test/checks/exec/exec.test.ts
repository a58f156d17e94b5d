/**
 * `exec`: the real Debian monitoring-plugins (check_dummy, check_load,
 * check_disk, check_tcp, check_ftp) and fixture scripts for the exit-code
 * mapping, timeouts (the whole process group is killed), huge output, the
 * environment, and garbage perfdata.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exec } from '../../../src/checks/exec/index.ts';
import { describeDaemon, freePort, tempDir } from '../../servers/common.ts';
import { runType, passing } from '../hostctx.ts';

const NAGIOS = '/usr/lib/nagios/plugins';
const P = (name: string): string => join(NAGIOS, name);

describeDaemon('exec with the Debian monitoring-plugins', [P('check_dummy'), P('check_load'), P('check_disk'), P('check_tcp'), P('check_ftp')], () => {
  const env = { env: { pluginDirs: [NAGIOS] } };
  const run = (command: string[], state = passing) => runType(exec, { command }, { ...env, state });

  it.each([
    ['0', false, null, false, 'OK: all good'],
    // issue 19: Nagios WARNING is siteward's WARN state (a pass on the wire)
    ['1', false, null, true, 'WARNING: all good'],
    ['2', true, null, false, 'CRITICAL: all good'],
    ['3', true, 'unknown', false, 'UNKNOWN: all good'],
  ])('check_dummy %s → fail %s, label %s, warn %s', async (code, fail, softFail, warn, line) => {
    const r = await run([P('check_dummy'), code, 'all good'], {});
    expect(r.fail).toBe(fail);
    expect(r.softFail).toBe(softFail);
    expect(r.warn === true).toBe(warn);
    expect(r.log).toEqual([line]);
  });

  it('a bare plugin name is found in the plugin folders', async () => {
    const r = await run(['check_dummy', '0', 'by name']);
    expect(r.log).toEqual(['OK: by name']);
  });

  it('check_load: summary line and load1/5/15 perfdata with thresholds', async () => {
    const r = await run([P('check_load'), '-w', '1000,1000,1000', '-c', '2000,2000,2000']);
    expect(r.fail).toBe(false);
    expect(r.log[0]).toMatch(/^LOAD OK - total load average: /);
    expect(r.metrics?.map((m) => m.name)).toEqual(['load1', 'load5', 'load15']);
    expect(r.metrics?.[0]).toMatchObject({ warn: 1000, crit: 2000, min: 0 });
  });

  it('check_disk: OK with generous thresholds, CRITICAL (status 2) with impossible ones; bytes as a metric', async () => {
    const ok = await run([P('check_disk'), '-w', '0%', '-c', '0%', '-p', '/']);
    expect(ok.fail).toBe(false);
    expect(ok.log[0]).toMatch(/^DISK OK/);
    expect(ok.metrics?.[0]).toMatchObject({ name: '/', unit: 'B' });
    const bad = await run([P('check_disk'), '-w', '100%', '-c', '100%', '-p', '/']);
    expect(bad.fail).toBe(true);
    expect(bad.softFail).toBeNull();
    expect(bad.log[0]).toMatch(/^DISK CRITICAL/);
  });

  describe('check_tcp and check_ftp against a local port', () => {
    let server: Server;
    let port: number;
    beforeAll(async () => {
      server = createServer((s) => {
        s.on('error', () => undefined);
        s.end('220 test FTP server ready\r\n');
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => server.close());

    it('check_tcp connects: OK with a response-time metric', async () => {
      const r = await run([P('check_tcp'), '-H', '127.0.0.1', '-p', String(port)]);
      expect(r.fail).toBe(false);
      expect(r.log[0]).toMatch(new RegExp(`^TCP OK - [0-9.]+ second response time on 127\\.0\\.0\\.1 port ${port}$`));
      expect(r.metrics?.[0]).toMatchObject({ name: 'time', unit: 's' });
    });

    it('check_ftp (a symlink to check_tcp) keeps its own name as argv[0], so it speaks FTP', async () => {
      const r = await run([P('check_ftp'), '-H', '127.0.0.1', '-p', String(port)]);
      expect(r.fail).toBe(false);
      expect(r.log[0]).toMatch(/^FTP OK/);
    });

    it('check_tcp on a closed port: CRITICAL', async () => {
      const closed = await freePort();
      const r = await run([P('check_tcp'), '-H', '127.0.0.1', '-p', String(closed)]);
      expect(r.fail).toBe(true);
      expect(r.softFail).toBeNull();
      expect(r.log[0]).toBe(`connect to address 127.0.0.1 and port ${closed}: Connection refused`);
    });
  });
});

describe('exec with fixture plugins', () => {
  let dir: string;
  let cleanup: () => void;
  const script = (name: string, body: string): string => {
    const p = join(dir, name);
    writeFileSync(p, `#!/bin/sh\n${body}\n`);
    chmodSync(p, 0o755);
    return p;
  };
  const run = (command: string[], timeout?: number) =>
    runType(exec, { command, ...(timeout ? { timeout } : {}) }, { env: { pluginDirs: [dir] }, state: passing });

  beforeAll(() => {
    ({ dir, cleanup } = tempDir('sw-exec-'));
  });
  afterAll(() => cleanup());

  /** Alive and not a zombie (a killed process reparented to a PID 1 that does not reap stays a zombie). */
  const alive = (pid: number): boolean => {
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };

  it('at the timeout the plugin and its children are killed', async () => {
    const p = script('slow', 'sleep 30 &\necho $! > "$1/grandchild.pid"\necho $$ > "$1/child.pid"\nsleep 30');
    const r = await run([p, dir], 0.5);
    expect(r.fail).toBe(true);
    expect(r.log).toEqual(['slow TimeoutError: no result within 0.5 s']);
    const pids = ['child.pid', 'grandchild.pid'].map((f) => Number(readFileSync(join(dir, f), 'utf8')));
    expect(pids.every((x) => x > 1)).toBe(true);
    // SIGKILL is delivered at once, but /proc may lag a moment behind
    for (let i = 0; i < 50 && pids.some(alive); i++) await new Promise((res) => setTimeout(res, 20));
    expect(pids.filter(alive)).toEqual([]);
  });

  it('a child left running after the plugin exits does not hold the run, and is cleaned up', async () => {
    const p = script('leaver', 'sleep 30 &\necho $! > "$1/left.pid"\necho "OK - done"\nexit 0');
    const r = await run([p, dir]);
    expect(r.fail).toBe(false);
    expect(r.log).toEqual(['OK - done']);
    const pid = Number(readFileSync(join(dir, 'left.pid'), 'utf8'));
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((res) => setTimeout(res, 20));
    expect(alive(pid)).toBe(false);
  });

  it('huge output is capped in memory and drained, so the plugin finishes', async () => {
    const p = script('huge', 'echo "OK - lots|size=1B"\nhead -c 30000000 /dev/zero | tr "\\000" x\necho\necho "| extra=2"\nexit 0');
    const r = await run([p]);
    expect(r.fail).toBe(false);
    expect(r.log[0]).toBe('OK - lots');
    expect(r.log.at(-1)).toBe('(output truncated)');
    expect(r.log.every((l) => l.length <= 1001)).toBe(true);
    expect(r.metrics).toEqual([{ name: 'size', value: 1, unit: 'B' }]);
  });

  it('long text lines go to the log; perfdata after the first "|" line is read', async () => {
    const p = script('multi', "echo 'WARNING - two disks | a=1'\necho 'disk sda: 91%'\necho 'disk sdb: 40% | b=2;3;4'\necho \"'c d'=5\"\nexit 1");
    const r = await run([p]);
    expect(r.warn).toBe(true);
    expect(r.log).toEqual(['WARNING - two disks', 'disk sda: 91%', 'disk sdb: 40%']);
    expect(r.metrics).toEqual([
      { name: 'a', value: 1 },
      { name: 'b', value: 2, warn: 3, crit: 4 },
      { name: 'c d', value: 5 },
    ]);
  });

  // perfdata warn/crit ranges (Nagios range syntax) make the outcome worse, never better
  it.each([
    // exit, perfdata, fail, warn, the extra log line
    [0, 'load=0.5;1;2', false, false, null],
    [0, 'load=1.5;1;2', false, true, 'load = 1.5 crosses the warning threshold 1'],
    [0, 'load=2.5;1;2', true, false, 'load = 2.5 crosses the critical threshold 2'],
    [0, 'free=5%;10:;5:', false, true, 'free = 5% crosses the warning threshold 10:'],
    [0, 'free=4%;10:;5:', true, false, 'free = 4% crosses the critical threshold 5:'],
    [0, 'temp=15;@10:20;', false, true, 'temp = 15 crosses the warning threshold @10:20'],
    [0, 'temp=25;@10:20;', false, false, null],
    [0, 'a=1;2;3 b=9;2;3 c=2.5;2;3', true, false, 'b = 9 crosses the critical threshold 3'],
    [1, 'load=1.5;1;2', false, true, null],
    [1, 'load=2.5;1;2', true, false, 'load = 2.5 crosses the critical threshold 2'],
    [2, 'load=0.1;1;2', true, false, null],
    [0, 'load=9;junk;20:10', false, false, null],
  ] as const)('exit %s with perfdata %s → fail %s, warn %s', async (code, perf, fail, warn, line) => {
    const p = script(`perf-${code}-${perf.replace(/[^a-z0-9]/gi, '_')}`, `echo 'STATUS - text | ${perf}'\nexit ${code}`);
    const r = await run([p]);
    expect(r.fail).toBe(fail);
    expect(r.warn === true).toBe(warn);
    expect(r.softFail ?? null).toBeNull();
    expect(r.log).toEqual(line ? ['STATUS - text', line] : ['STATUS - text']);
  });

  it('garbage perfdata is skipped, what can be read is kept', async () => {
    const p = script(
      'garbage',
      `echo "OK - fine | 'quoted ''label'''=5ms;10;20;0;100 junk =3 x= load1=0.5;0:2;@3:4;; u=U time=,5s size=1.2.3 dec=1,5% 'open=3"`,
    );
    const r = await run([p]);
    expect(r.fail).toBe(false);
    expect(r.warn).toBeUndefined(); // load1 0.5 is inside 0:2 and outside @3:4: no alert
    expect(r.metrics).toEqual([
      { name: "quoted 'label'", value: 5, unit: 'ms', warn: 10, crit: 20, min: 0, max: 100 },
      { name: 'load1', value: 0.5 },
      { name: 'time', value: 0.5, unit: 's' },
      { name: 'dec', value: 1.5, unit: '%' },
    ]);
  });

  it('other exit statuses are UNKNOWN; no output is described; stderr is used when stdout is empty', async () => {
    const seven = await run([script('seven', 'echo "odd"; exit 7')]);
    expect(seven).toMatchObject({ fail: true, softFail: 'unknown', log: ['odd'] });
    const silent = await run([script('silent', 'exit 2')]);
    expect(silent.log).toEqual(['silent exited with status 2 and no output']);
    const stderr = await run([script('stderr', 'echo "cannot open device" >&2; exit 3')]);
    expect(stderr.log).toEqual(['cannot open device']);
  });

  it('a plugin killed by a signal fails UNKNOWN', async () => {
    const r = await run([script('suicide', 'echo "half"; kill -9 $$')]);
    expect(r).toMatchObject({ fail: true, softFail: 'unknown' });
    expect(r.log[0]).toBe('suicide killed by SIGKILL: half');
  });

  it("the plugin does not see siteward's environment; `env` adds variables (secrets by reference too)", async () => {
    process.env.SW_TEST_LEAK = 'leaked-secret';
    process.env.SW_TEST_GIVEN = 'given-secret';
    try {
      const p = script('env', 'echo "OK leak=[$SW_TEST_LEAK] token=[$TOKEN] plain=[$PLAIN] lc=[$LC_ALL]"');
      const r = await runType(exec, { command: [p], env: { TOKEN: { env: 'SW_TEST_GIVEN' }, PLAIN: 'x y' } }, { env: { pluginDirs: [dir] } });
      expect(r.log).toEqual(['OK leak=[] token=[given-secret] plain=[x y] lc=[C]']);
    } finally {
      delete process.env.SW_TEST_LEAK;
      delete process.env.SW_TEST_GIVEN;
    }
  });
});
