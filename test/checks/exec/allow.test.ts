/**
 * `exec` may only run programs inside the site's plugin folders: anything
 * else is a config error (the check is inactive, the message names the
 * option's path) and is refused again at run time.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exec } from '../../../src/checks/exec/index.ts';
import { resolveProgram, NO_PLUGIN_DIRS } from '../../../src/checks/exec/allow.ts';
import { validateSite } from '../../../src/config/load.ts';
import { formatIssue } from '../../../src/config/issues.ts';
import { tempDir } from '../../servers/common.ts';
import { runType } from '../hostctx.ts';

let root: string;
let plugins: string;
let cleanup: () => void;

beforeAll(() => {
  ({ dir: root, cleanup } = tempDir('sw-allow-'));
  plugins = join(root, 'plugins');
  mkdirSync(join(plugins, 'sub'), { recursive: true });
  const ok = join(plugins, 'check_ok');
  writeFileSync(ok, '#!/bin/sh\necho "OK - fine"\n');
  chmodSync(ok, 0o755);
  writeFileSync(join(plugins, 'not_exec'), '#!/bin/sh\n');
  symlinkSync('check_ok', join(plugins, 'check_alias')); // inside → inside: fine
  symlinkSync('/bin/sh', join(plugins, 'evil')); // inside → outside: refused
  mkdirSync(join(root, 'elsewhere'));
  symlinkSync(ok, join(root, 'elsewhere', 'link_in')); // outside → inside: refused (the path as written is outside)
  writeFileSync(join(root, 'elsewhere', 'tool'), '#!/bin/sh\n');
  chmodSync(join(root, 'elsewhere', 'tool'), 0o755);
  symlinkSync(root, join(plugins, 'up')); // a folder link stepping out
});
afterAll(() => cleanup());

describe('resolveProgram', () => {
  const allowed = (p: string) => resolveProgram(p, [plugins], '/');

  it('accepts programs inside an allowed folder, by path, by bare name, or through an inner symlink', () => {
    expect(allowed(join(plugins, 'check_ok'))).toMatchObject({ ok: true, real: join(plugins, 'check_ok') });
    expect(allowed('check_ok')).toMatchObject({ ok: true, argv0: join(plugins, 'check_ok') });
    expect(allowed(join(plugins, 'check_alias'))).toMatchObject({ ok: true, real: join(plugins, 'check_ok'), argv0: join(plugins, 'check_alias') });
  });

  it.each([
    ['a program elsewhere', () => '/bin/sh', /is not inside an allowed plugin folder/],
    [
      '".." segments',
      () => join(plugins, '..', 'plugins', 'check_ok').replace('/plugins/check_ok', '/plugins/../plugins/check_ok'),
      /must not contain "\.\." segments/,
    ],
    ['a symlink that leads out', () => join(plugins, 'evil'), /leads to .*, outside the allowed plugin folders/],
    ['a folder symlink that leads out', () => join(plugins, 'up', 'elsewhere', 'tool'), /leads to .*elsewhere\/tool, outside the allowed plugin folders/],
    ['a link from outside to a plugin', () => join(root, 'elsewhere', 'link_in'), /is not inside an allowed plugin folder/],
    ['a relative path', () => 'sub/check_ok', /give an absolute path/],
    ['a missing program', () => join(plugins, 'nope'), /does not exist/],
    ['a missing bare name', () => 'nope', /no program "nope" in the plugin folders/],
    ['a folder', () => join(plugins, 'sub'), /is not a file/],
    ['a file that is not executable', () => join(plugins, 'not_exec'), /is not executable/],
  ])('refuses %s', (_name, path, message) => {
    const r = allowed(path());
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.message).toMatch(message);
  });

  it('with no plugin folders, exec is disabled and says how to enable it', () => {
    expect(resolveProgram('/usr/lib/nagios/plugins/check_dummy', [], '/')).toEqual({ ok: false, message: NO_PLUGIN_DIRS });
  });
});

describe('exec in a site file', () => {
  const site = (checks: Record<string, unknown>, pluginsSetting: unknown) => validateSite({ plugins: pluginsSetting, checks }, { base: root });

  it('a check naming a program outside the plugin folders is a config error and inactive; the others run', () => {
    const loaded = site(
      {
        good: { type: 'exec', options: { command: [join(plugins, 'check_ok')] } },
        bad: { type: 'exec', options: { command: ['/bin/sh', '-c', 'id'] } },
      },
      { dirs: [plugins] },
    );
    expect(loaded.checks.get('good')?.active).toBe(true);
    expect(loaded.checks.get('bad')?.active).toBe(false);
    expect(loaded.issues).toEqual([
      expect.objectContaining({
        path: ['checks', 'bad', 'options', 'command', 0],
        severity: 'error',
        message: expect.stringMatching(/"\/bin\/sh" is not inside an allowed plugin folder/),
      }),
    ]);
    expect(formatIssue(loaded.issues[0])).toBe(`checks["bad"].options.command[0]: "/bin/sh" is not inside an allowed plugin folder (${plugins})`);
  });

  it("plugin folders may be given relative to the site file's folder", () => {
    const loaded = site({ rel: { type: 'exec', options: { command: ['check_ok'] } } }, { dirs: ['plugins'] });
    expect(loaded.issues).toEqual([]);
    expect(loaded.checks.get('rel')?.active).toBe(true);
  });

  it('without a "plugins" setting every exec check is a config error', () => {
    const loaded = site({ x: { type: 'exec', options: { command: [join(plugins, 'check_ok')] } } }, undefined);
    expect(loaded.checks.get('x')?.active).toBe(false);
    expect(loaded.issues[0]).toMatchObject({ path: ['checks', 'x', 'options', 'command', 0], message: NO_PLUGIN_DIRS });
  });

  it('an empty command is refused by the schema', () => {
    const loaded = site({ x: { type: 'exec', options: { command: [] } } }, { dirs: [plugins] });
    expect(loaded.checks.get('x')?.active).toBe(false);
    expect(loaded.issues[0].path).toEqual(['checks', 'x', 'options', 'command']);
  });
});

describe('exec re-checks at run time', () => {
  it('a plugin swapped for a symlink out of the folder after loading is not run', async () => {
    const p = join(plugins, 'swapped');
    writeFileSync(p, '#!/bin/sh\necho "OK"\n');
    chmodSync(p, 0o755);
    const env = { base: '/', pluginDirs: [plugins], sysRoot: '/sys', procRoot: '/proc' };
    expect(exec.validate!({ command: [p], timeout: 10 }, env)).toEqual([]);
    rmSync(p);
    symlinkSync('/usr/bin/id', p);
    const r = await runType(exec, { command: [p] }, { env });
    expect(r.fail).toBe(true);
    expect(r.log).toEqual([`swapped NotAllowed: ${JSON.stringify(p)} leads to /usr/bin/id, outside the allowed plugin folders (${plugins})`]);
  });
});
