/**
 * The command line as a new user meets it (issue 17): --help answers before
 * the application loads; one rule finds the site file for every command and
 * says so; `siteward passwd`; the first start's words and site; --run prints
 * for people; log levels and fields.
 */
import { describe, it, expect } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import argon2 from 'argon2';
import Database from 'better-sqlite3';
import { tempDir } from '../servers/common.ts';
import { locateSite, searchPlaces } from '../../src/config/locate.ts';
import { SessionStore, WEB_MIGRATIONS } from '../../src/web/sessions.ts';
import { openDatabase, CORE_MIGRATIONS } from '../../src/store/db.ts';
import { PROJECT_ROOT } from '../../src/version.ts';

const CLI = join(PROJECT_ROOT, 'dist/bin/siteward.js');
const TOKEN = join(PROJECT_ROOT, 'dist/src/api/token-cli.js');

function run(
  args: string[],
  cwd: string,
  o: { input?: string; env?: NodeJS.ProcessEnv; node?: string[]; bin?: string } = {},
): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [...(o.node ?? []), o.bin ?? CLI, ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    input: o.input ?? '',
    env: { ...process.env, SITEWARD_CONFIG: '', ...o.env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function until(fn: () => boolean, ms: number, what: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out: ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('--help and --version answer before the application loads', () => {
  it('loads none of the engine, SQLite or the web UI for --help, --version or a bad flag', () => {
    const t = tempDir();
    // a loader hook that refuses the application's modules: tsc's files, and the bundle's chunk of src/cli/main.ts (scripts/bundle.mjs names it main-<hash>.js)
    writeFileSync(
      join(t.dir, 'hooks.mjs'),
      `export async function load(url, context, next) {
  if (/\\/dist\\/src\\/(site|wiring|cli\\/main)\\.js$/.test(url) || /\\/dist\\/bundle\\/chunks\\/main-[A-Z0-9]+\\.js$/.test(url) || url.includes('better-sqlite3')) throw new Error('loaded ' + url);
  return next(url, context);
}\n`,
    );
    writeFileSync(join(t.dir, 'register.mjs'), `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`);
    const node = ['--import', join(t.dir, 'register.mjs')];
    const help = run(['--help'], t.dir, { node });
    expect(help.err).toBe('');
    expect(help.code).toBe(0);
    expect(help.out).toContain('siteward passwd USER');
    expect(help.out).toContain('2 when there is no check of that name');
    expect(run(['--version'], t.dir, { node }).code).toBe(0);
    const bad = run(['--bogus'], t.dir, { node });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--help');
    // the hook does refuse the application: a real command fails under it
    expect(run(['--check-config'], t.dir, { node }).err).toMatch(/loaded .*dist\/(src\/cli\/main|bundle\/chunks\/main-[A-Z0-9]+)\.js/);
    t.cleanup();
  });
});

describe('one rule finds the site file', () => {
  it('takes the flag, then SITEWARD_CONFIG, then the first existing place, else ./site.json', () => {
    const have = new Set<string>();
    const exists = (p: string): boolean => have.has(p);
    const cwd = '/srv/x';
    expect(locateSite({ flag: 'a/b.json', cwd, env: { SITEWARD_CONFIG: '/e.json' }, exists })).toEqual({ path: '/srv/x/a/b.json', how: 'flag' });
    expect(locateSite({ cwd, env: { SITEWARD_CONFIG: 'e.json' }, exists })).toEqual({ path: '/srv/x/e.json', how: 'env' });
    expect(locateSite({ cwd, env: {}, exists })).toEqual({ path: '/srv/x/site.json', how: 'default' });
    have.add('/data/site.json');
    expect(locateSite({ cwd, env: {}, exists })).toEqual({ path: '/data/site.json', how: 'found' });
    have.add('/var/lib/siteward/site.json');
    expect(locateSite({ cwd, env: {}, exists }).path).toBe('/var/lib/siteward/site.json');
    have.add('/run/state/site.json');
    expect(locateSite({ cwd, env: { STATE_DIRECTORY: '/run/state' }, exists }).path).toBe('/run/state/site.json');
    have.add('/srv/x/site/site.json');
    expect(locateSite({ cwd, env: {}, exists }).path).toBe('/srv/x/site/site.json');
    have.add('/srv/x/fletchck.conf');
    expect(locateSite({ cwd, env: {}, exists }).path).toBe('/srv/x/fletchck.conf');
    have.add('/srv/x/site.json');
    expect(locateSite({ cwd, env: {}, exists }).path).toBe('/srv/x/site.json');
    expect(searchPlaces(cwd, {})).toHaveLength(5);
  });

  it("npm start's site/site.json is found by --check-config, --run and siteward-token, each saying where it looked", () => {
    const t = tempDir();
    mkdirSync(join(t.dir, 'site'));
    writeFileSync(join(t.dir, 'site', 'site.json'), JSON.stringify({ checks: { ok: { type: 'memory', options: { level: 100 } } } }));
    const where = `Site file: ${join(t.dir, 'site', 'site.json')} (found`;
    const check = run(['--check-config'], t.dir);
    expect(check.code).toBe(0);
    expect(check.err).toContain(where);
    const once = run(['--run=ok'], t.dir);
    expect(once.out).toMatch(/^ok \(memory\): PASS/);
    expect(once.err).toContain(where);
    const token = run(['create', '--name=ci', '--scope=read'], t.dir, { bin: TOKEN });
    expect(token.code).toBe(0);
    expect(token.err).toContain(where);
    expect(existsSync(join(t.dir, 'site', 'site.db'))).toBe(true);
    // SITEWARD_CONFIG wins over the places
    writeFileSync(join(t.dir, 'other.json'), JSON.stringify({ checks: {} }));
    const env = run(['--check-config'], t.dir, { env: { SITEWARD_CONFIG: 'other.json' } });
    expect(env.err).toContain(`Site file: ${join(t.dir, 'other.json')} (from SITEWARD_CONFIG)`);
    expect(env.out).toContain('0 checks');
    t.cleanup();
  });

  it('with no site anywhere, says where it looked and how to make one', () => {
    const t = tempDir();
    const r = run([], t.dir);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`No site file: ${join(t.dir, 'site.json')} does not exist`);
    expect(r.err).toContain('siteward --create');
    t.cleanup();
  });
});

describe('the first start', () => {
  it('prints the user name and password and explains the certificate warning; the site has a log action, a $schema line and a fixed port', () => {
    const t = tempDir();
    const r = run(['--config=site/site.json', '--init'], t.dir);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Site address: https://localhost:30443\nUser name: admin\nPassword: ');
    expect(r.out).toContain('siteward passwd admin');
    expect(r.out).toMatch(/self-signed[\s\S]*webui\.cert and webui\.key/);
    const doc = JSON.parse(readFileSync(join(t.dir, 'site', 'site.json'), 'utf8')) as Record<string, Record<string, unknown>> & { $schema: string };
    expect(resolve(t.dir, 'site', doc.$schema)).toBe(join(PROJECT_ROOT, 'site.schema.json'));
    expect(Object.keys(doc)[0]).toBe('$schema');
    expect(doc.actions).toEqual({ log: { type: 'log', options: { default: true } } });
    expect((doc.checks['self-check'] as { actions: string[] }).actions).toEqual(['log']);
    expect(run(['--config=site/site.json', '--check-config'], t.dir).out).toMatch(/4 checks, 1 action, 0 errors, 0 warnings/);
    // SITEWARD_WEBUI_PORT is the stored port of a new site
    const e = run(['--config=e.json', '--init'], t.dir, { env: { SITEWARD_WEBUI_PORT: '31999' } });
    expect(e.out).toContain('Site address: https://localhost:31999');
    t.cleanup();
  });
});

describe('siteward passwd', () => {
  it("sets the password (argon2id, atomic write), ends the user's sessions and makes the running siteward re-read the file", { timeout: 90_000 }, async () => {
    const t = tempDir();
    expect(run(['--init'], t.dir).code).toBe(0);
    const path = join(t.dir, 'site.json');
    // a session of admin and one of another user
    const db = openDatabase(join(t.dir, 'site.db'), [CORE_MIGRATIONS, WEB_MIGRATIONS]);
    const store = new SessionStore(db, Buffer.alloc(32, 7), Date.now);
    store.create('admin', 'old-hash', null);
    store.create('vera', 'h', null);
    db.close();
    const daemon = spawn(process.execPath, [CLI, '--webui=false'], {
      cwd: t.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SITEWARD_CONFIG: '' },
    });
    let err = '';
    daemon.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => daemon.on('exit', (c) => r(c)));
    try {
      await until(
        () => existsSync(join(t.dir, 'site.pid')),
        30_000,
        () => err,
      );
      const r = run(['passwd', 'admin'], t.dir, { input: 'correct horse\n' });
      expect(r.err).toContain('(found');
      expect(r.code).toBe(0);
      expect(r.out).toContain('Password of admin changed');
      expect(r.out).toContain(`The running siteward (pid ${daemon.pid}) re-reads the site file now.`);
      const hash = (JSON.parse(readFileSync(path, 'utf8')) as { webui: { users: Record<string, string> } }).webui.users.admin;
      expect(hash).toMatch(/^\$argon2id\$/);
      expect(await argon2.verify(hash, 'correct horse')).toBe(true);
      expect(existsSync(`${path}.bak`)).toBe(true);
      const rows = new Database(join(t.dir, 'site.db'), { readonly: true });
      expect(rows.prepare('SELECT user FROM web_sessions ORDER BY user').all()).toEqual([{ user: 'vera' }]);
      rows.close();
      await until(
        () => err.includes('Site reloaded'),
        20_000,
        () => err,
      );
    } finally {
      daemon.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
    // after the stop's save the new hash is still there (the reload took it in)
    const kept = (JSON.parse(readFileSync(path, 'utf8')) as { webui: { users: Record<string, string> } }).webui.users.admin;
    expect(await argon2.verify(kept, 'correct horse')).toBe(true);
    expect(existsSync(join(t.dir, 'site.pid'))).toBe(false);
    // no input: a random password, printed
    const random = run(['passwd', 'admin'], t.dir);
    const pw = /^New password: (\S+)$/m.exec(random.out)?.[1] ?? '';
    expect(pw).toMatch(/^[0-9a-z+-]{14}$/);
    expect(await argon2.verify((JSON.parse(readFileSync(path, 'utf8')) as { webui: { users: Record<string, string> } }).webui.users.admin, pw)).toBe(true);
    // an unknown user changes nothing
    const none = run(['passwd', 'nobody'], t.dir, { input: 'x\n' });
    expect(none.code).toBe(1);
    expect(none.err).toContain('No user "nobody"');
    expect(run(['passwd'], t.dir).code).toBe(2);
    t.cleanup();
  });
});

describe('--run and the logs', () => {
  it('--run prints only human lines, and exits 2 naming the checks when the check does not exist', () => {
    const t = tempDir();
    writeFileSync(
      join(t.dir, 'site.json'),
      JSON.stringify({ checks: { full: { type: 'disk', options: { level: 0, hysteresis: 0 } }, bad: { type: 'disk', options: { level: 'x' } } } }),
    );
    const r = run(['--run=full'], t.dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^full \(disk\): FAIL/);
    expect(r.out + r.err).not.toContain('{"');
    expect(r.err).toContain('error: checks["bad"].options.level: expected a number');
    const none = run(['--run=nope'], t.dir);
    expect(none.code).toBe(2);
    expect(none.err).toContain('No check named "nope" (checks: full, bad)');
    t.cleanup();
  });

  it('logs a PASS at info and a FAIL at warn, and a config problem with its path and message in their own fields', { timeout: 60_000 }, async () => {
    const t = tempDir();
    writeFileSync(
      join(t.dir, 'site.json'),
      JSON.stringify({
        scheduler: { jitter: 0 },
        checks: {
          up: { type: 'disk', options: { level: 100 }, trigger: { interval: { seconds: 1 } } },
          down: { type: 'disk', threshold: 1, options: { level: 0, hysteresis: 0 }, trigger: { interval: { seconds: 1 } } },
          bad: { type: 'cpu', options: { level: 'high' } },
        },
      }),
    );
    // a check starts in FAIL (spec §3.1): "down" fails once it has passed; make it pass first
    const child = spawn(process.execPath, [CLI, '--webui=false'], {
      cwd: t.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SITEWARD_CONFIG: '' },
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    const lines = (): Record<string, unknown>[] =>
      err
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    try {
      await until(
        () => lines().some((l) => l.msg === 'up (disk) PASS'),
        30_000,
        () => err,
      );
      expect(lines().find((l) => l.msg === 'up (disk) PASS')?.level).toBe('info');
      const problem = lines().find((l) => String(l.msg).startsWith('config problem'));
      expect(problem).toMatchObject({
        level: 'error',
        path: 'checks["bad"].options.level',
        msg: 'config problem: checks["bad"].options.level: expected a number, got the text "high"',
      });
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    // a FAIL transition: a passing check whose level drops to 0
    const doc = JSON.parse(readFileSync(join(t.dir, 'site.json'), 'utf8')) as { checks: Record<string, { options: Record<string, unknown> }> };
    doc.checks.up.options = { level: 0, hysteresis: 0 };
    writeFileSync(join(t.dir, 'site.json'), JSON.stringify(doc));
    err = '';
    const again = spawn(process.execPath, [CLI, '--webui=false'], {
      cwd: t.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SITEWARD_CONFIG: '' },
    });
    again.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const ended = new Promise<number | null>((r) => again.on('exit', (c) => r(c)));
    try {
      await until(
        () => lines().some((l) => l.msg === 'up (disk) FAIL'),
        30_000,
        () => err,
      );
      expect(lines().find((l) => l.msg === 'up (disk) FAIL')?.level).toBe('warn');
    } finally {
      again.kill('SIGTERM');
      await ended;
    }
    t.cleanup();
  });
});

describe('log format', () => {
  it('is human lines on a terminal and JSON otherwise; SITEWARD_LOG_FORMAT chooses', async () => {
    const { createLogger, logFormat } = await import('../../src/log.ts');
    expect(logFormat(true, {})).toBe('pretty');
    expect(logFormat(false, {})).toBe('json');
    expect(logFormat(true, { SITEWARD_LOG_FORMAT: 'json' })).toBe('json');
    expect(logFormat(false, { SITEWARD_LOG_FORMAT: 'pretty' })).toBe('pretty');
    const t = tempDir();
    const { openSync, closeSync } = await import('node:fs');
    const fd = openSync(join(t.dir, 'pretty.log'), 'w');
    createLogger('info', fd, 'pretty').info({ check: 'web' }, 'web (https) PASS');
    closeSync(fd);
    const text = readFileSync(join(t.dir, 'pretty.log'), 'utf8');
    expect(text).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\] INFO: web \(https\) PASS\n {4}check: "web"\n$/);
    t.cleanup();
  });
});
