/**
 * Issue 15, the operator boundary: an operator runs, pauses and edits checks
 * and actions, but only an administrator decides what runs on this host and
 * what the daemon reads (src/config/trust.ts). Each finding of the audit is
 * replayed as the operator would: through the web UI's forms (the
 * operator's way in), and through the API's edit path below admin scope.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, PASSWORDS, fastHash, formHtml, scrapeForm, webSite, type TestSite } from '../web/helpers.ts';
import { rawAction, rawCheck } from '../../src/web/model.ts';
import { putAction, putCheck } from '../../src/config/edits.ts';
import { applyEdit } from '../../src/api/routes/common.ts';
import { ApiError } from '../../src/api/errors.ts';
import { tempDir } from '../servers/common.ts';

let t: TestSite;
let plugins: ReturnType<typeof tempDir>;
let plugin: string;
let admin: Agent;
let olly: Agent;

beforeEach(async () => {
  plugins = tempDir('sw-plugins-');
  const dir = plugins.dir;
  mkdirSync(dir, { recursive: true });
  plugin = join(dir, 'check_ok');
  writeFileSync(plugin, '#!/bin/sh\necho OK\n');
  chmodSync(plugin, 0o755);
  t = await webSite({
    doc: {
      webui: {
        name: 'Boundary',
        hostname: '127.0.0.1',
        port: 1,
        users: { admin: await fastHash(PASSWORDS.admin), olly: await fastHash(PASSWORDS.olly), '': await fastHash('x-dummy') },
      },
      scheduler: { jitter: 0 },
      plugins: { dirs: [dir] },
      actions: {
        mail: { type: 'email', options: { recipients: ['ops@example.org'], fallback: '/usr/sbin/sendmail' } },
        relay: { type: 'email', options: { hostname: 'smtp.example.org', recipients: ['ops@example.org'], username: 'u', password: { env: 'SMTP_PASSWORD' } } },
        hook: { type: 'webhook', options: { url: 'https://hooks.example.org/x', headers: { 'X-Key': { file: '/run/secrets/hook' } } } },
      },
      checks: {
        plug: { type: 'exec', options: { command: [plugin], env: { LANG: 'C' } } },
        root: { type: 'disk', options: { volume: '/', level: 100 } },
      },
    },
  });
  admin = new Agent(t.web);
  await admin.login('admin', PASSWORDS.admin);
  olly = new Agent(t.web);
  await olly.login('olly', PASSWORDS.olly);
});
afterEach(async () => {
  await t.close();
  plugins.cleanup();
});

const fileText = (): string => readFileSync(t.path, 'utf8');
const checkForm = async (a: Agent, name: string) => scrapeForm(formHtml(await a.page(`/check/${name}`), 'id="check-form"'));
const actionForm = async (a: Agent, name: string) => scrapeForm(formHtml(await a.page(`/action/${name}`), `action="/action/${name}"`));

describe('an operator cannot decide what runs on the host', () => {
  it('exec env: LD_PRELOAD (or PATH, NODE_OPTIONS, …) added by an operator is refused at the field, and nothing is saved', async () => {
    const before = fileText();
    for (const name of ['LD_PRELOAD', 'PATH', 'NODE_OPTIONS', 'BASH_ENV']) {
      const form = await checkForm(olly, 'plug');
      const res = await olly.post('/check/plug', { ...form, 'opt.env': JSON.stringify({ LANG: 'C', [name]: `${t.dir}/evil.so` }) });
      expect(res.status, name).toBe(403);
      expect(await res.text()).toMatch(/id="f-opt_2eenv-err"[^>]*>only an administrator may change this/);
    }
    expect(fileText()).toBe(before);
    // an administrator may
    const form = await checkForm(admin, 'plug');
    expect((await admin.post('/check/plug', { ...form, 'opt.env': JSON.stringify({ LANG: 'C', TZ: 'UTC' }) })).status).toBe(303);
    expect((rawCheck(t.site.loaded, 'plug')!.options as { env: unknown }).env).toEqual({ LANG: 'C', TZ: 'UTC' });
  });

  it('exec command: an operator cannot add or change one, but edits the rest of the check and saves it unchanged', async () => {
    const page = await olly.page('/check/plug');
    expect(page).toMatch(/<textarea [^>]*name="opt\.command"[^>]*readonly=""/);
    expect(page).toContain('Only an administrator can change this');
    const form = await checkForm(olly, 'plug');
    expect((await olly.post('/check/plug', { ...form, 'opt.command': `${plugin}\n-v` })).status).toBe(403);
    expect((await olly.post('/check', { name: 'mine', checkType: 'exec', 'opt.command': plugin, failAction: 'on' })).status).toBe(403);
    expect(t.site.entry('mine')).toBeUndefined();
    // a type change away from exec drops the command: also a change of what runs
    expect((await olly.post('/check/plug', { ...form, checkType: 'memory' })).status).toBe(403);
    const ok = await olly.post('/check/plug', { ...form, 'opt.timeout': '25' });
    expect(ok.status).toBe(303);
    expect(rawCheck(t.site.loaded, 'plug')!.options).toEqual({ command: [plugin], env: { LANG: 'C' }, timeout: 25 });
    // running, pausing, renaming and deleting it stay operator work
    expect((await olly.post('/check/plug/pause', { paused: '1' })).status).toBe(303);
    expect((await olly.post('/check/plug', { ...(await checkForm(olly, 'plug')), name: 'plug2' })).status).toBe(303);
    expect((await olly.post('/check/plug2/delete', { confirm: 'yes' })).status).toBe(303);
    expect(t.site.entry('plug2')).toBeUndefined();
  });

  it('email fallback: an operator cannot set or change the program, nor point a new action at one', async () => {
    const before = fileText();
    const form = await actionForm(olly, 'mail');
    const res = await olly.post('/action/mail', { ...form, 'opt.fallback': '/tmp/evil' });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/id="f-opt_2efallback-err"[^>]*>only an administrator may change this/);
    expect((await olly.post('/action', { name: 'evil', actionType: 'email', 'opt.fallback': '/bin/sh', 'opt.recipients': 'x@example.org' })).status).toBe(403);
    expect(fileText()).toBe(before);
    // the same form, fallback untouched, saves
    expect((await olly.post('/action/mail', { ...form, 'opt.recipients': 'ops@example.org\r\nboss@example.org' })).status).toBe(303);
    expect(rawAction(t.site.loaded, 'mail')!.options).toMatchObject({ fallback: '/usr/sbin/sendmail', recipients: ['ops@example.org', 'boss@example.org'] });
  });

  it('a clone of an exec check by an operator is refused (it would run the program once more); by an administrator it is made', async () => {
    await olly.page('/checks');
    expect((await olly.post('/check/plug/clone', {})).status).toBe(403);
    await admin.page('/checks');
    expect((await admin.post('/check/plug/clone', {})).status).toBe(303);
  });
});

describe('an operator cannot make the daemon read a file or a variable', () => {
  it('a webhook header {"file": <site folder>/site.session-key} made by an operator is refused', async () => {
    const before = fileText();
    const key = join(t.dir, 'site.session-key');
    const res = await olly.post('/action', {
      name: 'leak',
      actionType: 'webhook',
      'opt.url.src': 'inline',
      'opt.url': 'http://127.0.0.1:9/x',
      'opt.headers': JSON.stringify({ 'X-Leak': { file: key } }),
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/only an administrator may make siteward read a secret from an environment variable or a file/);
    expect(fileText()).toBe(before);
  });

  it('an email password {"file": "/etc/shadow"} or {"env": …} made by an operator is refused; one kept is fine', async () => {
    const form = await actionForm(olly, 'relay');
    for (const ref of [
      { src: 'file', ref: '/etc/shadow' },
      { src: 'env', ref: 'HOME' },
    ]) {
      const res = await olly.post('/action/relay', { ...form, 'opt.password.src': ref.src, 'opt.password.ref': ref.ref });
      expect(res.status, ref.ref).toBe(403);
    }
    expect(rawAction(t.site.loaded, 'relay')!.options).toMatchObject({ password: { env: 'SMTP_PASSWORD' } });
    // the form as the operator sees it keeps the stored reference (and offers only it)
    const field = /<fieldset class="secret"[\s\S]*?<\/fieldset>/.exec(formHtml(await olly.page('/action/relay'), 'action="/action/relay"'))![0];
    expect(field).not.toContain('value="file"');
    expect(field).toContain('<option value="env" selected="">');
    expect((await olly.post('/action/relay', { ...form, 'opt.sender': 'alerts@example.org' })).status).toBe(303);
    expect(rawAction(t.site.loaded, 'relay')!.options).toMatchObject({ password: { env: 'SMTP_PASSWORD' }, sender: 'alerts@example.org' });
    // a new inline value replaces the reference: that reads nothing, so an operator may
    expect((await olly.post('/action/relay', { ...(await actionForm(olly, 'relay')), 'opt.password.src': 'inline', 'opt.password': 'typed' })).status).toBe(
      303,
    );
  });

  it('a stored header reference stays when an operator edits the webhook; a changed one is refused', async () => {
    const form = await actionForm(olly, 'hook');
    expect(JSON.parse(form['opt.headers'][0])).toEqual({ 'X-Key': { file: '/run/secrets/hook' } });
    expect((await olly.post('/action/hook', { ...form, 'opt.headers': JSON.stringify({ 'X-Key': { file: '/etc/shadow' } }) })).status).toBe(403);
    expect((await olly.post('/action/hook', { ...form, 'opt.method': 'PUT' })).status).toBe(303);
    expect(rawAction(t.site.loaded, 'hook')!.options).toMatchObject({ headers: { 'X-Key': { file: '/run/secrets/hook' } }, method: 'PUT' });
  });
});

describe('the API below admin scope', () => {
  it('an edit through the API path with an operate token that changes a program or makes a reference is refused 403', async () => {
    const run = (edit: Parameters<typeof applyEdit>[2]) => applyEdit(t.site, 'operate', edit, []);
    const raw = rawCheck(t.site.loaded, 'plug')!;
    await expect(run((d) => putCheck(d, 'plug', { ...raw, options: { command: [plugin], env: { LD_PRELOAD: '/tmp/x.so' } } }))).rejects.toSatisfy(
      (e: unknown) => e instanceof ApiError && e.code === 'forbidden' && /only an administrator/.test(e.message),
    );
    await expect(run((d) => putAction(d, 'x', { type: 'webhook', options: { url: { file: '/etc/shadow' } } }))).rejects.toBeInstanceOf(ApiError);
    await run((d) => putCheck(d, 'plug', { ...raw, paused: true }));
    expect(t.site.entry('plug')!.config.paused).toBe(true);
    await applyEdit(t.site, 'admin', (d) => putCheck(d, 'plug', { ...raw, options: { command: [plugin], env: { TZ: 'UTC' } } }), []);
    expect((rawCheck(t.site.loaded, 'plug')!.options as { env: unknown }).env).toEqual({ TZ: 'UTC' });
  });
});
