/**
 * Issue 15, "argon2 starves the monitor": the built daemon (dist/) runs a
 * healthy `disk` check and an `https` check on `localhost` (statfs and
 * getaddrinfo both run on libuv's thread pool, as argon2 does) every two
 * seconds, while 40 anonymous clients post wrong passwords to /login at
 * once, with the real argon2id cost of `siteward --init`. The checks stay
 * PASS through the flood (runs that overlapped it included), and the
 * sign-ins beyond the cap are answered 503 at once.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { hashPassword, randomPassword } from '../../src/config/init.ts';
import { freePort, tempDir, waitPort } from '../servers/common.ts';
import { loopbackCert } from '../servers/loopback-cert.ts';
import { writeSite } from '../helpers/site.ts';
import { startCli, transitions, type Cli } from '../faults/cli-process.ts';

const dir = tempDir('sw-flood-');
let cli: Cli | undefined;
let web: Server | undefined;
afterAll(async () => {
  await cli?.kill('SIGTERM');
  await new Promise<void>((r) => (web ? web.close(() => r()) : r()));
  dir.cleanup();
});

/** The value of a metric line `name{check="x"} value`, or null. */
function metric(text: string, name: string, check: string): number | null {
  const m = new RegExp(`^${name}\\{[^}]*check="${check}"[^}]*\\} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}

describe('a login flood does not starve the checks', () => {
  it('40 parallel wrong passwords: disk and https checks stay PASS, the excess is answered 503 at once', { timeout: 240_000 }, async () => {
    const { cert, key } = await loopbackCert();
    web = createServer({ cert, key }, (_req, res) => res.end('ok'));
    await new Promise<void>((r) => web!.listen(0, '127.0.0.1', () => r()));
    const httpsPort = (web.address() as AddressInfo).port;
    const port = await freePort();
    const config = writeSite(dir.dir, {
      webui: {
        name: 'Flood',
        hostname: '127.0.0.1',
        port,
        cert: null,
        key: null,
        users: { admin: await hashPassword('flood-admin-pw'), '': await hashPassword(randomPassword()) },
      },
      checks: {
        disk: { type: 'disk', trigger: { interval: { seconds: 2 } }, options: { volume: dir.dir, level: 100 } },
        web: { type: 'https', trigger: { interval: { seconds: 2 } }, options: { hostname: 'localhost', port: httpsPort, selfsigned: true } },
      },
    });
    cli = startCli(config, ['--logging=warning']);
    await waitPort(port, 30_000);
    const base = `http://127.0.0.1:${port}`;
    const metrics = async (): Promise<string> => (await fetch(`${base}/metrics`)).text();
    const lastRun = async (check: string): Promise<number> => metric(await metrics(), 'siteward_check_last_run_timestamp_seconds', check) ?? 0;
    const until = async (what: string, ok: () => Promise<boolean>, ms = 60_000): Promise<void> => {
      for (const end = Date.now() + ms; !(await ok()); ) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await until('both checks to pass', async () => {
      const m = await metrics();
      return metric(m, 'siteward_check_up', 'disk') === 1 && metric(m, 'siteward_check_up', 'web') === 1;
    });

    const login = await fetch(`${base}/login`);
    const token = /name="_login" value="([^"]+)"/.exec(await login.text())![1];
    const cookie = login.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const floodStart = Date.now() / 1000;
    const answers = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const t0 = Date.now();
        const res = await fetch(`${base}/login`, {
          method: 'POST',
          redirect: 'manual',
          headers: { Cookie: cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ _login: token, username: 'admin', password: `wrong-${i}` }),
        });
        await res.arrayBuffer();
        return { status: res.status, ms: Date.now() - t0 };
      }),
    );
    const floodEnd = Date.now() / 1000;
    // a run that started after the flood ended has finished: every run that overlapped it is in
    await until('a run after the flood', async () => (await lastRun('disk')) > floodEnd + 1 && (await lastRun('web')) > floodEnd + 1);

    const m = await metrics();
    expect(metric(m, 'siteward_check_fail_count', 'disk')).toBe(0);
    expect(metric(m, 'siteward_check_fail_count', 'web')).toBe(0);
    const db = join(dir.dir, 'site.db');
    expect(
      transitions(db).filter((x) => x.to === 'FAIL'),
      'no check failed during the flood',
    ).toEqual([]);
    expect(floodEnd - floodStart).toBeGreaterThan(0);

    const statuses = answers.map((a) => a.status);
    expect(
      statuses.every((s) => s === 401 || s === 429 || s === 503),
      statuses.join(','),
    ).toBe(true);
    const busy = answers.filter((a) => a.status === 503);
    expect(busy.length).toBeGreaterThan(30);
  });
});
