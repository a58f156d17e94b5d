/**
 * The web service on real sockets: HTTPS with the site's certificate
 * (spec §8.1), plain HTTP with a warning, certificate files re-read on a
 * config change without a restart, a port change moving the listener, and
 * the built CLI serving the UI of an `--init` site on `--port`.
 */
import { openSite, webSiteView } from '../../src/wiring.ts';
import { describe, it, expect, afterEach } from 'vitest';
import { request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:tls';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { Site } from '../../src/site.ts';
import { WebService } from '../../src/web/server.ts';
import { WEB_MIGRATIONS } from '../../src/web/sessions.ts';
import { loadAssets } from '../../src/web/assets.ts';
import { freePort, tempDir, waitPort } from '../servers/common.ts';
import { testCert, writeCert } from '../servers/tls-cert.ts';
import { fastHash } from './helpers.ts';

interface Got {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function get(url: string, ca?: string): Promise<Got> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, { ca, method: 'GET', headers: { Accept: 'text/html' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The certificate a TLS server presents (which one, not whether it is trusted). */
async function peerFingerprint(port: number): Promise<string> {
  const s = connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false });
  await once(s, 'secureConnect');
  const fp = new X509Certificate(s.getPeerX509Certificate()!.raw).fingerprint;
  s.end();
  return fp;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function siteWith(webui: Record<string, unknown>): Promise<{ site: Site; web: WebService; dir: string }> {
  const t = tempDir('sw-srv-');
  const path = join(t.dir, 'site.json');
  writeFileSync(
    path,
    JSON.stringify({ webui: { name: 'S', hostname: '127.0.0.1', port: null, users: { admin: await fastHash('admin-pass-1') }, ...webui }, checks: {} }),
  );
  const site = await openSite({ configPath: path, migrations: [WEB_MIGRATIONS] });
  const web = new WebService(webSiteView(site), { port: webui.port === undefined ? 0 : undefined });
  site.use(web);
  await site.start();
  cleanups.push(
    () => t.cleanup(),
    () => site.stop(),
  );
  return { site, web, dir: t.dir };
}

describe('web service', () => {
  it('serves HTTPS with the site certificate and the security headers', async () => {
    const t = tempDir('sw-cert-');
    cleanups.push(() => t.cleanup());
    const c1 = await testCert();
    const files = writeCert(t.dir, 'site', c1);
    const { web } = await siteWith(files);
    const addr = web.address()!;
    expect(addr.secure).toBe(true);
    const res = await get(`${addr.url}/login`, c1.cert);
    expect(res.status).toBe(200);
    expect(res.body).toContain('Sign in');
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000');
    expect(String(res.headers['set-cookie'])).toMatch(/^__Host-siteward-login=.*; Secure/);
    expect(res.headers.server).toBeUndefined();
  });

  it('falls back to plain HTTP with a warning when no certificate is set', async () => {
    const { site, web } = await siteWith({});
    expect(web.address()!.url).toMatch(/^http:\/\//);
    expect((await get(`${web.address()!.url}/login`)).status).toBe(200);
    expect(site.siteLog.all().some((l) => l.includes('Web UI without TLS'))).toBe(true);
  });

  it('re-reads the certificate files when they change in the config, without dropping the port', async () => {
    const t = tempDir('sw-cert-');
    cleanups.push(() => t.cleanup());
    const c1 = await testCert();
    const c2 = await testCert();
    const f1 = writeCert(t.dir, 'one', c1);
    const f2 = writeCert(t.dir, 'two', c2);
    const { site, web } = await siteWith(f1);
    const port = web.address()!.port;
    const fp1 = await peerFingerprint(port);
    expect(fp1).toBe(new X509Certificate(c1.cert).fingerprint);
    await site.mutate((doc) => ({ ...doc, webui: { ...(doc.webui as object), ...f2 } }));
    const want = new X509Certificate(c2.cert).fingerprint;
    for (let i = 0; i < 100 && (await peerFingerprint(port)) !== want; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await peerFingerprint(port)).toBe(want);
    expect(web.address()!.port).toBe(port);
  });

  it('moves to a new port set in the config', async () => {
    const first = await freePort();
    const { site, web } = await siteWith({ port: first });
    expect(web.address()!.port).toBe(first);
    const second = await freePort();
    await site.mutate((doc) => ({ ...doc, webui: { ...(doc.webui as object), port: second } }));
    await waitPort(second);
    expect((await get(`http://127.0.0.1:${second}/login`)).status).toBe(200);
    expect(web.address()!.port).toBe(second);
  });
});

describe('the built CLI', () => {
  const cli = join(process.cwd(), 'dist', 'bin', 'siteward.js');

  it('runs an --init site with its web UI over HTTPS on --port and stops cleanly on SIGTERM', async () => {
    expect(existsSync(cli), 'run `npm run build` first (npm test does)').toBe(true);
    const t = tempDir('sw-cli-');
    cleanups.push(() => t.cleanup());
    const config = join(t.dir, 'site.json');
    const init = spawn(process.execPath, [cli, '--init', `--config=${config}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    init.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const [code] = (await once(init, 'exit')) as [number];
    expect(code, out).toBe(0);
    const password = /^Password: (\S+)$/m.exec(out)![1];
    const port = await freePort();
    const proc = spawn(process.execPath, [cli, `--config=${config}`, `--port=${port}`, '--logging=warning'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    proc.stderr.on('data', (d: Buffer) => (log += d.toString()));
    cleanups.push(() => {
      if (proc.exitCode === null) proc.kill('SIGKILL');
    });
    await waitPort(port, 60_000);
    const ca = readFileSync(join(t.dir, 'site.cert'), 'utf8');
    const res = await get(`https://127.0.0.1:${port}/login`, ca);
    expect(res.status, log).toBe(200);
    expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    // the built program serves the UI's static files (style sheet, icons, htmx, its SSE extension, app.js) at their hashed URLs
    const assets = loadAssets();
    expect(res.body).toContain(`href="${assets.css.url}"`);
    for (const [path, asset] of assets.byUrl) {
      const a = await get(`https://127.0.0.1:${port}${path}`, ca);
      expect(a.status, path).toBe(200);
      expect(a.headers['content-type'], path).toBe(asset.type);
      expect(a.body, path).toBe(asset.body.toString('utf8'));
    }
    expect(password).toMatch(/^[0-9a-z+-]{14}$/);
    // the port given on the command line is not saved (spec §1.2)
    proc.kill('SIGTERM');
    const [exit] = (await once(proc, 'exit')) as [number];
    expect(exit, log).toBe(0);
    const saved = JSON.parse(readFileSync(config, 'utf8')) as { webui: { port: number } };
    expect(saved.webui.port).not.toBe(port);
    expect(existsSync(join(t.dir, 'site.session-key'))).toBe(true);
  });
});
