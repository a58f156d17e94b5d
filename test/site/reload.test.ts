/**
 * Reload hides nothing (issue 16): after SIGHUP and after the raw editor
 * saves, every config problem is logged with its path, as at start, and the
 * site log names them and the checks that stop running.
 */
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { openTestSite } from '../helpers/site.ts';
import { tempDir } from '../servers/common.ts';
import { Agent, PASSWORDS, webSite } from '../web/helpers.ts';

function capture(): { log: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return { log: pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) }), lines };
}

const problems = (lines: Record<string, unknown>[]): string[] =>
  lines.filter((l) => String(l.msg).startsWith('config problem: ')).map((l) => `${String(l.level)} ${String(l.msg).slice('config problem: '.length)}`);

describe('reload', () => {
  it('logs every problem of the new file with its path and names them in the site log', async () => {
    const { log, lines } = capture();
    const ts = await openTestSite({ checks: { a: { type: 'disk' } } }, { log });
    await ts.site.start();
    writeFileSync(ts.path, JSON.stringify({ checks: { a: { type: 'disk' }, x: { type: 'nosuch' }, z: { type: 'disk', options: { timezone: 'Mars/Base' } } } }));
    await ts.site.reload();
    expect(problems(lines)).toEqual([
      '50 checks["x"].type: unknown check type "nosuch"',
      '40 checks["z"].options.timezone: "Mars/Base" is not a known time zone; using the site zone',
    ]);
    const last = ts.site.siteLog.all().at(-1)!;
    expect(last).toMatch(
      / Site reloaded with 1 error and 1 warning: checks\["x"\]\.type: unknown check type "nosuch"; checks\["z"\]\.options\.timezone: .*; check x does not run$/,
    );
    expect(ts.site.entry('x')?.active).toBe(false);
    // a clean file says only that it was reloaded
    writeFileSync(ts.path, JSON.stringify({ checks: { a: { type: 'disk' } } }));
    await ts.site.reload();
    expect(ts.site.siteLog.all().at(-1)).toMatch(/ Site reloaded$/);
    await ts.close();
  }, 120_000);

  it('the built CLI on SIGHUP: a check of unknown type is logged as a problem, not only "Site reloaded"', async () => {
    const t = tempDir('sw-reload-');
    const path = join(t.dir, 'site.json');
    writeFileSync(path, JSON.stringify({ scheduler: { jitter: 0 }, checks: { a: { type: 'disk' } } }));
    const child = spawn(process.execPath, [join(import.meta.dirname, '../../dist/bin/siteward.js'), `--config=${path}`, '--webui=false'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    try {
      await expect.poll(() => err.includes('siteward running'), { timeout: 60_000 }).toBe(true);
      writeFileSync(path, JSON.stringify({ scheduler: { jitter: 0 }, checks: { a: { type: 'disk' }, x: { type: 'nosuch' } } }));
      child.kill('SIGHUP');
      await expect.poll(() => err.includes('Site reloaded'), { timeout: 60_000 }).toBe(true);
      const json = err
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(json.find((l) => String(l.msg).startsWith('config problem'))).toMatchObject({
        level: 'error',
        path: 'checks["x"].type',
        msg: 'config problem: checks["x"].type: unknown check type "nosuch"',
      });
      expect(json.find((l) => typeof l.msg === 'string' && l.msg.startsWith('Site reloaded'))?.msg).toBe(
        'Site reloaded with 1 error: checks["x"].type: unknown check type "nosuch"; check x does not run',
      );
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
      t.cleanup();
    }
  }, 150_000);

  it('the raw editor: saving a file with problems logs each and names them in the site log', async () => {
    const { log, lines } = capture();
    const t = await webSite({ checks: { root: { type: 'disk', options: { level: 100 } }, x: { type: 'nosuch' } }, log });
    try {
      const a = new Agent(t.web);
      await a.login('admin', PASSWORDS.admin);
      await t.site.save();
      const html = await a.page('/config/raw');
      const version = /name="version" value="([^"]+)"/.exec(html)![1];
      const text = readFileSync(t.path, 'utf8').replace('"timezone": null', '"timezone": "UTC"');
      const res = await a.post('/config/raw', { text, version });
      expect(res.status).toBe(303);
      expect(problems(lines)).toEqual(['50 checks["x"].type: unknown check type "nosuch"']);
      expect(t.site.siteLog.all().at(-1)).toMatch(
        / Site file edited by admin with 1 error: checks\["x"\]\.type: unknown check type "nosuch"; check x does not run$/,
      );
    } finally {
      await t.close();
    }
  }, 120_000);
});
