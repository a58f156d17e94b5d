/**
 * A real NUT server for tests: one `dummy-ups` driver per UPS and `upsd` on
 * 127.0.0.1 with an OS-chosen port, all in a private temp folder, without
 * systemd (toolchain.md §3.4). `/usr/sbin/upsd` is a wrapper that ignores
 * NUT_CONFPATH, so the binaries in /lib/nut are run directly.
 */
import { writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { HOST, freePort, spawnDaemon, tempDir, waitPort, type Daemon } from './common.ts';

export const UPSD = '/lib/nut/upsd';
export const DUMMY_UPS = '/lib/nut/dummy-ups';

export type UpsVars = Record<string, string>;

export interface NutServer {
  host: string;
  port: number;
  dir: string;
  /** Rewrites a UPS's .dev file; the driver re-reads it when its mtime changes. */
  setVars(ups: string, vars: UpsVars): void;
  /** Freezes a driver (SIGSTOP): upsd keeps the socket but hears nothing, so the data goes stale after MAXAGE. */
  pauseDriver(ups: string): void;
  resumeDriver(ups: string): void;
  /** Kills a driver: upsd loses its socket (ERR DRIVER-NOT-CONNECTED). */
  killDriver(ups: string): Promise<void>;
  /** One raw `LIST VAR` (independent of the product's client): the variables, or the ERR line. */
  query(ups: string): Promise<UpsVars | string>;
  /** Polls until `ok` holds for the UPS's reply. */
  waitFor(ups: string, ok: (r: UpsVars | string) => boolean, timeoutMs?: number): Promise<void>;
  log(): string;
  stop(): Promise<void>;
}

function devText(vars: UpsVars): string {
  return Object.entries(vars)
    .map(([k, v]) => `${k}: ${v}\n`)
    .join('');
}

function rawQuery(port: number, ups: string): Promise<UpsVars | string> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: HOST, port });
    s.setEncoding('utf8');
    let text = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error('raw NUT query timed out'));
    }, 3000);
    s.on('connect', () => s.write(`LIST VAR ${ups}\nLOGOUT\n`));
    s.on('data', (d: string) => (text += d));
    s.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    s.on('close', () => {
      clearTimeout(timer);
      const lines = text.split('\n');
      if (lines[0].startsWith('ERR')) return resolve(lines[0]);
      const vars: UpsVars = {};
      for (const l of lines) {
        const m = /^VAR \S+ (\S+) "(.*)"$/.exec(l);
        if (m) vars[m[1]] = m[2];
      }
      return resolve(vars);
    });
  });
}

/**
 * Starts one driver per UPS and upsd, and waits until every UPS has left
 * upsd's startup `WAIT` state.
 */
export async function startNut(upses: Record<string, UpsVars>, opts: { maxAge?: number } = {}): Promise<NutServer> {
  const t = tempDir('sw-nut-');
  const dir = t.dir;
  const state = join(dir, 'state');
  mkdirSync(state);
  chmodSync(state, 0o770);
  const port = await freePort();
  const devFile = (ups: string): string => join(dir, `${ups}.dev`);
  writeFileSync(join(dir, 'nut.conf'), 'MODE=standalone\n');
  writeFileSync(
    join(dir, 'ups.conf'),
    Object.keys(upses)
      .map((u) => `[${u}]\n  driver = dummy-ups\n  port = ${devFile(u)}\n  pollinterval = 1\n  desc = "test ${u}"\n`)
      .join(''),
  );
  writeFileSync(join(dir, 'upsd.conf'), `LISTEN ${HOST} ${port}\nMAXAGE ${opts.maxAge ?? 15}\n`);
  writeFileSync(join(dir, 'upsd.users'), '[monitor]\n  password = s3cret\n  upsmon secondary\n', { mode: 0o640 });
  for (const [u, vars] of Object.entries(upses)) writeFileSync(devFile(u), devText(vars));
  const env = { NUT_CONFPATH: dir, NUT_STATEPATH: state, NUT_ALTPIDPATH: state };

  const drivers = new Map<string, Daemon>();
  for (const u of Object.keys(upses)) drivers.set(u, spawnDaemon(`driver-${u}`, dir, DUMMY_UPS, ['-a', u, '-u', 'root', '-F'], env));
  // the driver sockets first, or upsd starts by logging "Can't connect to UPS" and retries later
  await new Promise((r) => setTimeout(r, 300));
  const upsd = spawnDaemon('upsd', dir, UPSD, ['-u', 'root', '-F'], env);

  const server: NutServer = {
    host: HOST,
    port,
    dir,
    setVars: (ups, vars) => writeFileSync(devFile(ups), devText(vars)),
    pauseDriver: (ups) => void drivers.get(ups)?.proc.kill('SIGSTOP'),
    resumeDriver: (ups) => void drivers.get(ups)?.proc.kill('SIGCONT'),
    killDriver: async (ups) => {
      const d = drivers.get(ups);
      d?.proc.kill('SIGCONT');
      await d?.stop();
    },
    query: (ups) => rawQuery(port, ups),
    waitFor: async (ups, ok, timeoutMs = 15_000) => {
      const end = Date.now() + timeoutMs;
      let last: UpsVars | string = '';
      for (;;) {
        last = await rawQuery(port, ups).catch((e: Error) => e.message);
        if (ok(last)) return;
        if (Date.now() > end) throw new Error(`NUT ${ups}: condition not reached within ${timeoutMs} ms; last reply ${JSON.stringify(last)}\n${server.log()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    log: () => [upsd, ...drivers.values()].map((d) => `--- ${d.name}\n${d.log()}`).join('\n'),
    stop: async () => {
      for (const d of drivers.values()) d.proc.kill('SIGCONT');
      await Promise.all([upsd, ...drivers.values()].map((d) => d.stop()));
      t.cleanup();
    },
  };
  try {
    await waitPort(port);
    // upsd answers ups.status "WAIT" until the driver's first dump (toolchain.md §3.4)
    for (const [u, vars] of Object.entries(upses)) {
      await server.waitFor(u, (r) => typeof r !== 'string' && r['ups.status'] === vars['ups.status']);
    }
  } catch (e) {
    await server.stop();
    throw e;
  }
  return server;
}
