/**
 * Only administrators may change `plugins.dirs` — the folders `exec` checks
 * may run programs from (issue 4) — or anything else outside checks and
 * actions. The config page and the raw editor need the admin role; the
 * check and action routes refuse an edit that reaches another section.
 * Within those folders, which program an `exec` check runs is an
 * administrator's decision too (issue 15, src/config/trust.ts).
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { readFileSync } from 'node:fs';
import { Agent, PASSWORDS, webSite, type TestSite } from './helpers.ts';
import { AdminOnly, operatorEdit } from '../../src/web/scope.ts';
import { putCheck } from '../../src/config/edits.ts';

let t: TestSite;
beforeEach(async () => {
  t = await webSite();
  await t.site.mutate((doc) => ({ ...doc, plugins: { dirs: ['/usr/lib/nagios/plugins'] } }));
});
afterEach(async () => {
  await t.close();
});

const dirs = (): unknown => (JSON.parse(readFileSync(t.path, 'utf8')) as { plugins: { dirs: unknown } }).plugins.dirs;

async function as(user: 'admin' | 'olly'): Promise<Agent> {
  const a = new Agent(t.web);
  await a.login(user, PASSWORDS[user]);
  return a;
}

describe('plugin folders are for administrators', () => {
  it('an operator cannot change them on the config page or in the raw editor', async () => {
    const o = await as('olly');
    const form = await o.post('/config', { version: 'x', 'webui.name': 'Test Site', 'webui.port': '1', 'plugins.dirs': '/\n/tmp' });
    expect(form.status).toBe(403);
    const text = readFileSync(t.path, 'utf8').replace('/usr/lib/nagios/plugins', '/');
    const raw = await o.post('/config/raw', { text, version: 'x' });
    expect(raw.status).toBe(403);
    expect(dirs()).toEqual(['/usr/lib/nagios/plugins']);
    expect(t.site.settings.plugins.dirs).toEqual(['/usr/lib/nagios/plugins']);
  });

  it('an administrator can, on the config page', async () => {
    const a = await as('admin');
    const page = await a.page('/config');
    expect(page).toContain('Only administrators can change them.');
    const version = /name="version" value="([^"]+)"/.exec(page)![1];
    const res = await a.post('/config', {
      version,
      'webui.name': 'Test Site',
      'webui.hostname': '127.0.0.1',
      'webui.port': '1',
      'plugins.dirs': '/opt/plugins\n/usr/lib/nagios/plugins',
    });
    expect(res.status).toBe(303);
    expect(dirs()).toEqual(['/opt/plugins', '/usr/lib/nagios/plugins']);
  });

  it('an administrator adds an exec check inside the allowed folders; a program elsewhere is refused with the reason; an operator adds none', async () => {
    const o = await as('olly');
    await o.page('/check');
    const byOperator = await o.post('/check', { name: 'evil', checkType: 'exec', 'opt.command': '/usr/lib/nagios/plugins/check_load', failAction: 'on' });
    expect(byOperator.status).toBe(403);
    expect(await byOperator.text()).toContain('only an administrator may change this');
    const ad = await as('admin');
    const outside = await ad.post('/check', { name: 'evil', checkType: 'exec', 'opt.command': '/bin/sh\n-c\nid', failAction: 'on' });
    expect(outside.status).toBe(422);
    expect(await outside.text()).toMatch(/plugins\.dirs|plugin folder/);
    expect(t.site.entry('evil')).toBeUndefined();
    expect(dirs()).toEqual(['/usr/lib/nagios/plugins']);
  });

  it('the check and action routes refuse an edit that reaches beyond checks and actions', () => {
    const doc = t.site.loaded.doc;
    const ok = operatorEdit('operator', (d) => putCheck(d, 'new', { type: 'cpu' }));
    expect(ok(doc).checks).toHaveProperty('new');
    const sneaky = operatorEdit('operator', (d) => ({ ...putCheck(d, 'new', { type: 'cpu' }), plugins: { dirs: ['/'] } }));
    expect(() => sneaky(doc)).toThrow(AdminOnly);
    expect(() => operatorEdit('operator', (d) => ({ ...d, webui: { ...(d.webui as object), roles: { olly: 'admin' } } }))(doc)).toThrow(
      /only an administrator may change "webui"/,
    );
  });
});
