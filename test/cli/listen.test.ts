/**
 * The built CLI never claims an address it does not serve (issue 16): a web
 * UI or API listener that cannot listen — a port another program holds, a
 * missing or wrong certificate — ends the daemon with exit 1 and one line;
 * `--check-config` finds those files first, and says when fletchck could not
 * load the file.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, tempDir } from '../servers/common.ts';
import { testCert, writeCert } from '../servers/tls-cert.ts';
import { Agent, PASSWORDS, webSite } from '../web/helpers.ts';

const CLI = join(import.meta.dirname, '../../dist/bin/siteward.js');

/** Runs the CLI to its end (a daemon that should exit at once; the limit is generous for a busy machine). */
async function run(args: string[], cwd: string): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, out, err };
}

/** stderr without the structured log lines (pino JSON): what a person reads. */
const plain = (err: string): string[] => err.split('\n').filter((l) => l && !l.startsWith('{'));

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function holdPort(): Promise<{ port: number; server: Server }> {
  const server = createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return { port: (server.address() as { port: number }).port, server };
}

function dir(): string {
  const t = tempDir('sw-listen-');
  cleanups.push(t.cleanup);
  return t.dir;
}

describe('a web UI that cannot listen', () => {
  it('a port another program holds: exit 1 with one clear line, no address printed', async () => {
    expect(existsSync(CLI), 'run `npm run build` first (npm test does)').toBe(true);
    const { port } = await holdPort();
    const d = dir();
    writeFileSync(join(d, 'site.json'), JSON.stringify({ webui: { hostname: '127.0.0.1', port, users: {} }, checks: { ram: { type: 'memory' } } }));
    const r = await run(['--config=site.json'], d);
    expect(r.code).toBe(1);
    expect(plain(r.err)).toEqual([
      `siteward: the web UI cannot start: cannot listen on 127.0.0.1:${port}: the address is already in use by another program (EADDRINUSE)`,
    ]);
    expect(r.out).not.toMatch(/Site address|https?:\/\//);
    // the site log keeps it for the UI of the next start
    expect((JSON.parse(readFileSync(join(d, 'site.json'), 'utf8')) as { log: string[] }).log.at(-1)).toMatch(/the web UI cannot start: cannot listen on/);
  }, 120_000);

  it('--create on a busy port prints the new admin password (the file exists now) but no address, and exits 1', async () => {
    const { port } = await holdPort();
    const d = dir();
    const r = await run(['--config=s/site.json', '--create', `--port=${port}`], d);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^Site file: .*\nUser name: admin\nPassword: [0-9a-z+-]{14}\n$/);
    expect(r.out).not.toContain('Site address');
    expect(plain(r.err).at(-1)).toMatch(new RegExp(`^siteward: the web UI cannot start: cannot listen on localhost:${port}: the address is already in use`));
  }, 120_000);

  it('a missing certificate file: exit 1 naming the file, not a plain-HTTP or headless daemon', async () => {
    const d = dir();
    writeFileSync(
      join(d, 'site.json'),
      JSON.stringify({ webui: { hostname: '127.0.0.1', port: await freePort(), cert: 'gone.cert', key: 'gone.key', users: {} }, checks: {} }),
    );
    const r = await run(['--config=site.json'], d);
    expect(r.code).toBe(1);
    expect(plain(r.err)).toEqual([`siteward: the web UI cannot start: cannot read the certificate file ${join(d, 'gone.cert')}: there is no such file`]);
  }, 120_000);

  it('the API listener on a busy port ends the daemon the same way', async () => {
    const { port } = await holdPort();
    const d = dir();
    writeFileSync(join(d, 'site.json'), JSON.stringify({ api: { hostname: '127.0.0.1', port }, checks: {} }));
    const r = await run(['--config=site.json', '--webui=false'], d);
    expect(r.code).toBe(1);
    expect(plain(r.err)).toEqual([
      `siteward: the API listener cannot start: cannot listen on 127.0.0.1:${port}: the address is already in use by another program (EADDRINUSE)`,
    ]);
  }, 120_000);
});

describe('--check-config', () => {
  it('reports missing, unreadable, wrong and mismatched certificate and key files at their paths', async () => {
    const d = dir();
    const a = writeCert(d, 'a', await testCert());
    const b = writeCert(d, 'b', await testCert());
    mkdirSync(join(d, 'folder.key'));
    writeFileSync(join(d, 'text.cert'), 'not a certificate\n');
    const check = (webui: Record<string, unknown>, api: Record<string, unknown> | null = null) => {
      writeFileSync(
        join(d, 'site.json'),
        JSON.stringify({ webui: { port: 1, users: {}, ...webui }, ...(api ? { api: { port: 2, ...api } } : {}), checks: {} }),
      );
      return spawnSync(process.execPath, [CLI, '--check-config', '--config=site.json'], { cwd: d, encoding: 'utf8', timeout: 60_000 });
    };
    let r = check({ cert: 'missing.cert', key: a.key });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain(`error: webui.cert: cannot read the certificate file ${join(d, 'missing.cert')}: there is no such file`);
    r = check({ cert: a.cert, key: 'folder.key' });
    expect(r.stdout).toContain(`error: webui.key: cannot read the key file ${join(d, 'folder.key')}: it is a folder, not a file`);
    r = check({ cert: 'text.cert', key: a.key });
    expect(r.stdout).toContain(`error: webui.cert: ${join(d, 'text.cert')} is not a PEM certificate`);
    r = check({ cert: a.cert, key: b.key }, { cert: 'nope.cert', key: 'nope.key' });
    expect(r.stdout).toContain(`error: webui.key: the key ${b.key} does not belong to the certificate ${a.cert}`);
    expect(r.stdout).toContain(`error: api.cert: cannot read the certificate file ${join(d, 'nope.cert')}: there is no such file`);
    expect(r.stdout).toMatch(/0 checks, 0 actions, 2 errors/);
    r = check({ cert: a.cert, key: null });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('warning: webui.key: webui.cert is set but webui.key is not: the listener uses plain HTTP');
    r = check({ cert: a.cert, key: a.key });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/0 errors, 0 warnings/);
  }, 120_000);

  it('warns, naming them, about checks and actions that keep fletchck from loading the file', () => {
    const d = dir();
    writeFileSync(
      join(d, 'site.json'),
      JSON.stringify({
        actions: { mail: { type: 'email' }, hook: { type: 'webhook', options: { url: 'http://127.0.0.1:1/' } } },
        checks: { ram: { type: 'memory' }, port: { type: 'tcp', options: { hostname: '127.0.0.1', port: 1 } }, beat: { type: 'push' } },
      }),
    );
    const r = spawnSync(process.execPath, [CLI, '--check-config', '--config=site.json'], { cwd: d, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(
      'warning: (site): fletchck cannot load this file: it refuses the whole site because of the siteward-only checks port (tcp), beat (push); fletchck would skip the siteward-only action hook (webhook) (and drop it when it saves)',
    );
    writeFileSync(join(d, 'site.json'), JSON.stringify({ actions: { mail: { type: 'email' } }, checks: { ram: { type: 'memory' } } }));
    expect(spawnSync(process.execPath, [CLI, '--check-config', '--config=site.json'], { cwd: d, encoding: 'utf8', timeout: 60_000 }).stdout).not.toContain(
      'fletchck',
    );
  }, 120_000);
});

describe('the Config page', () => {
  it('warns when fletchck could not load the site file, naming the checks', async () => {
    const t = await webSite({ checks: { ram: { type: 'memory' }, svc: { type: 'tcp', options: { hostname: '127.0.0.1', port: 1 } } } });
    cleanups.push(() => t.close());
    const a = new Agent(t.web);
    await a.login('admin', PASSWORDS.admin);
    const html = await a.page('/config');
    expect(html).toMatch(
      /<div class="notice" role="note" id="fletchck-compat"><strong>Not for fletchck.<\/strong> fletchck cannot load this file: it refuses the whole site because of the siteward-only check svc \(tcp\)\.<\/div>/,
    );
    await t.site.mutate((doc) => ({ ...doc, checks: { ram: { type: 'memory' } } }));
    expect(await a.page('/config')).not.toContain('fletchck-compat');
  }, 120_000);
});
