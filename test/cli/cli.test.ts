/**
 * The `siteward` command as a user runs it (built dist/), spec §1 plus
 * siteward's --create, --check-config and --run. Each spawns real processes:
 * it waits on conditions with generous limits, so a loaded machine is slow,
 * not a failure (docs/faults.md).
 */
import { describe, it, expect } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { tempDir, freePort } from '../servers/common.ts';

const CLI = join(import.meta.dirname, '../../dist/bin/siteward.js');

function cli(args: string[], cwd: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', 'pipe', 'pipe'] });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function until<T>(fn: () => T | undefined, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('siteward CLI', () => {
  it('--version and --help', () => {
    const t = tempDir();
    expect(cli(['--version'], t.dir).out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(cli(['--help'], t.dir).out).toContain('--check-config');
    t.cleanup();
  }, 120_000);

  it('--create on a fresh folder prints the address and password, runs the self-check, and stops cleanly on SIGTERM', async () => {
    const t = tempDir();
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, '--config', 'site/site.json', '--create', `--port=${port}`, '--webui=false'], {
      cwd: t.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    const db = join(t.dir, 'site', 'site.db');
    // the file appears before its tables do (the daemon is still migrating): a read that fails is "not yet"
    const state = await until(() => {
      if (!existsSync(db)) return undefined;
      let d: Database.Database | null = null;
      try {
        d = new Database(db, { readonly: true, fileMustExist: true });
        // the file exists a moment before its tables do (a busy machine widens the moment)
        if (!d.prepare("SELECT 1 FROM sqlite_master WHERE name = 'check_state'").get()) return undefined;
        const row = d.prepare("SELECT state FROM check_state WHERE name = 'self-check'").get() as { state: string } | undefined;
        return row ? (JSON.parse(row.state) as { log: string[]; lastCheck: number }) : undefined;
      } catch {
        return undefined;
      } finally {
        d?.close();
      }
    }, 90_000);
    expect(state.log.join('\n')).toMatch(/^ram \(memory\): (PASS|FAIL)/m);
    expect(state.log.join('\n')).toMatch(/root \(disk\): (PASS|FAIL)/);
    // the child's stdout is a pipe (written asynchronously): wait for it rather than race it
    await until(() => (out.includes('Configured without web interface.') ? true : undefined), 60_000);
    expect(out).toContain(`Site file: ${join(t.dir, 'site', 'site.json')}`);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const saved = JSON.parse(readFileSync(join(t.dir, 'site', 'site.json'), 'utf8')) as {
      checks: Record<string, { data: { lastCheck: string | null } }>;
      log: string[];
    };
    expect(saved.checks['self-check'].data.lastCheck).not.toBeNull();
    expect(saved.log.some((l) => l.endsWith('Site terminated by SIGTERM'))).toBe(true);
    expect(statSync(join(t.dir, 'site', 'site.json')).mode & 0o777).toBe(0o600);
    t.cleanup();
  }, 180_000);

  it('--init creates a site with an admin password and a certificate, never prompts without a terminal, and refuses to overwrite', () => {
    const t = tempDir();
    const r = cli(['--config=a/b/site.json', '--init', '--port=40000'], t.dir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Site address: https:\/\/localhost:40000\nUser name: admin\nPassword: [0-9a-hjkp-tv-z+-]{14}\n/);
    const doc = JSON.parse(readFileSync(join(t.dir, 'a/b/site.json'), 'utf8')) as { webui: { users: Record<string, string>; cert: string } };
    expect(doc.webui.users.admin).toMatch(/^\$argon2id\$/);
    expect(Object.keys(doc.webui.users)).toEqual(['admin', '']);
    // made in Node (no openssl program in slim images): two years, for localhost and the loopback addresses
    const cert = new X509Certificate(readFileSync(doc.webui.cert));
    const days = (Date.parse(cert.validTo) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(365);
    expect(cert.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(statSync(doc.webui.cert).mode & 0o777).toBe(0o600);
    const again = cli(['--config=a/b/site.json', '--init'], t.dir);
    expect(again.code).toBe(1);
    expect(again.err).toContain('Existing site not overwritten');
    t.cleanup();
  }, 120_000);

  it('--check-config prints every problem with its path and exits 1', () => {
    const t = tempDir();
    writeFileSync(
      join(t.dir, 'site.json'),
      JSON.stringify({
        checks: {
          web: { type: 'disk', trigger: { cron: { hour: '25' } } },
          x: { type: 'nosuch' },
          y: { type: 'cpu', depends: ['ghost'], options: { level: 'high' } },
          ok: { type: 'memory' },
        },
      }),
    );
    const r = cli(['--check-config'], t.dir);
    expect(r.code).toBe(1);
    expect(r.out).toContain('error: checks["web"].trigger.cron.hour: "25" is out of range 0-23');
    expect(r.out).toContain('error: checks["x"].type: unknown check type "nosuch"');
    expect(r.out).toContain('error: checks["y"].options.level: expected a number, got the text "high"');
    expect(r.out).toContain('error: checks["y"].depends[0]: unknown check "ghost"');
    expect(r.out).toMatch(/4 checks, 0 actions, 4 errors/);
    writeFileSync(join(t.dir, 'site.json'), JSON.stringify({ checks: { ok: { type: 'memory' } } }));
    expect(cli(['--check-config'], t.dir).code).toBe(0);
    t.cleanup();
  }, 120_000);

  it('--run self-check prints the member results and exits by the result', () => {
    const t = tempDir();
    expect(cli(['--init', '--webui=false'], t.dir).code).toBe(0);
    const r = cli(['--run=self-check'], t.dir);
    expect(r.out).toMatch(/^self-check \(sequence\): (PASS|FAIL)/);
    expect(r.out).toMatch(/^ {2}ram \(memory\): (PASS|FAIL)/m);
    expect(r.out).toMatch(/^ {2}load \(cpu\): (PASS|FAIL)/m);
    expect(r.out).toMatch(/^ {2}root \(disk\): (PASS|FAIL)/m);
    expect(r.code).toBe(r.out.startsWith('self-check (sequence): PASS') ? 0 : 1);
    const doc = JSON.parse(JSON.stringify({ checks: { full: { type: 'disk', options: { level: 0, hysteresis: 0 } } } }));
    writeFileSync(join(t.dir, 'site.json'), JSON.stringify(doc));
    const f = cli(['--run=full'], t.dir);
    expect(f.code).toBe(1);
    expect(f.out).toMatch(/^full \(disk\): FAIL/);
    expect(cli(['--run=nope'], t.dir).code).toBe(2);
    t.cleanup();
  }, 120_000);

  it('--merge folds a JSON site and a CSV check list into the site file', () => {
    const t = tempDir();
    writeFileSync(join(t.dir, 'site.json'), JSON.stringify({ checks: { seq: { type: 'sequence', options: { checks: [] } } } }));
    writeFileSync(join(t.dir, 'add.json'), JSON.stringify({ timezone: 'UTC', checks: { root: { type: 'disk', inseq: ['seq'], data: { ignored: true } } } }));
    expect(cli(['--merge=add.json', '--check-config'], t.dir).code).toBe(0);
    writeFileSync(
      join(t.dir, 'more.csv'),
      'name,checkType,trigger,level,inseq,timezone,hostname\nram,memory,5 min,80,seq,Australia/Adelaide,\nbad,nosuch,,,,,\nmac,disk,,,,,00:11:22:33:44:55\n',
    );
    const r = cli(['--merge=more.csv', '--check-config'], t.dir);
    expect(r.code).toBe(0);
    expect(r.err).toContain('line 3: skipped (unknown check type "nosuch")');
    const doc = JSON.parse(readFileSync(join(t.dir, 'site.json'), 'utf8')) as {
      timezone: string;
      checks: Record<string, { trigger?: unknown; options: Record<string, unknown>; data?: unknown }>;
    };
    expect(doc.timezone).toBe('UTC');
    expect(doc.checks.seq.options.checks).toEqual(['root', 'ram']);
    expect(doc.checks.root.data).toBeUndefined();
    expect(doc.checks.ram).toMatchObject({ trigger: { interval: { minutes: 5 } }, options: { level: 80, timezone: 'Australia/Adelaide' } });
    expect(doc.checks.mac.options.hostname).toBe('fe80::211:22ff:fe33:4455%2');
    t.cleanup();
  }, 120_000);

  it('SIGINT also stops cleanly and saves; SIGHUP reloads the file', async () => {
    const t = tempDir();
    mkdirSync(join(t.dir, 's'));
    writeFileSync(join(t.dir, 's', 'site.json'), JSON.stringify({ scheduler: { jitter: 0 }, checks: { a: { type: 'disk' } } }));
    const child = spawn(process.execPath, [CLI, '--config=s/site.json'], { cwd: t.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    await until(() => (err.includes('siteward running') ? true : undefined), 60_000);
    const doc = JSON.parse(readFileSync(join(t.dir, 's', 'site.json'), 'utf8')) as { checks: Record<string, unknown> };
    // a disk check, not cpu: on a busy machine a cpu check stays FAIL and logs no transition
    doc.checks.b = { type: 'disk', options: { level: 100 }, trigger: { interval: { seconds: 1 } } };
    writeFileSync(join(t.dir, 's', 'site.json'), JSON.stringify(doc));
    child.kill('SIGHUP');
    await until(() => (err.includes('Site reloaded') ? true : undefined), 60_000);
    await until(() => (err.includes('b (disk) PASS') ? true : undefined), 60_000);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    const saved = JSON.parse(readFileSync(join(t.dir, 's', 'site.json'), 'utf8')) as { log: string[] };
    expect(saved.log.some((l) => l.endsWith('Site terminated by SIGINT'))).toBe(true);
    t.cleanup();
  }, 180_000);
});
