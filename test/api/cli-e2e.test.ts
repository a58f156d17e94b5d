/**
 * As a user runs it (built dist/): `siteward --webui=false` with an `api`
 * section serves /healthz and push heartbeats; `siteward-token` mints a
 * token the running site accepts; SIGTERM stops it cleanly.
 */
import { describe, it, expect } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { get } from 'node:http';
import { join } from 'node:path';
import { freePort, tempDir, waitPort } from '../servers/common.ts';
import { writeSite } from '../helpers/site.ts';

const DIST = join(import.meta.dirname, '../../dist/src');
const TOKEN = 'cron-job-token-0123456789';

/** A GET on a connection of its own (no keep-alive agent). */
const fresh = (url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    get(url, { headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });

describe('siteward with the API listener', () => {
  it('runs headless: healthz, push, a token from siteward-token, clean stop', async () => {
    const t = tempDir('sw-e2e-');
    const port = await freePort();
    const config = writeSite(t.dir, {
      webui: null,
      api: { hostname: '127.0.0.1', port },
      checks: { nightly: { type: 'push', trigger: { interval: { minutes: 1 } }, options: { token: TOKEN, timeout: 86400 } } },
    });
    const child = spawn(process.execPath, [join(DIST, 'cli.js'), `--config=${config}`, '--webui=false', '--logging=error'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    try {
      await waitPort(port, 60_000);
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect(await (await fetch(`${base}/push/${TOKEN}`, { method: 'POST', body: 'backup done' })).text()).toBe('OK\n');

      const made = spawnSync(process.execPath, [join(DIST, 'api', 'token-cli.js'), `--config=${config}`, 'create', '--name=e2e', '--scope=read'], {
        encoding: 'utf8',
      });
      expect(made.status, made.stderr).toBe(0);
      const secret = made.stdout.trim();
      // a new connection: siteward-token can take longer than the server's keep-alive (5 s) on a loaded
      // machine, and a request on the kept socket then meets its close ("other side closed")
      const r = await fresh(`${base}/api/v1/checks/nightly`, { authorization: `Bearer ${secret}` });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toMatchObject({ state: 'PASS', log: [expect.stringMatching(/: backup done$/)] });
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, err).toBe(0);
    t.cleanup();
  });
});
