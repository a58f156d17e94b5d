/**
 * Secret options in the forms: chosen inline, from an environment variable
 * or a file; what is stored is described ("set (inline)", "env NAME",
 * "file PATH") and never sent back; an untouched field keeps it; a refused
 * form does not echo a typed secret; viewers see secrets described only.
 * (As an administrator: below admin, references and a plugin's environment
 * are refused, test/security/operator-boundary.test.ts.)
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { Agent, PASSWORDS, formHtml, scrapeForm, webSite, type FormBody, type TestSite } from './helpers.ts';
import { rawAction, rawCheck } from '../../src/web/model.ts';
import { KEPT } from '../../src/web/secrets.ts';

let t: TestSite;
let a: Agent;
beforeEach(async () => {
  t = await webSite({
    checks: {
      mail: { type: 'imap', options: { hostname: 'imap.example.org', username: 'mon', password: 'imap-pw-inline' } },
      plugin: { type: 'exec', options: { command: ['/bin/true'], env: { LANG: 'C', SECRET_KEY: 'env-value-inline' } } },
      beat: { type: 'push', options: { token: 'beatToken_abcdefghijkl' } },
    },
    actions: { hook: { type: 'webhook', options: { url: 'https://hooks.example.org/inline-url-secret', headers: { Authorization: 'Bearer header-secret' } } } },
  });
  a = new Agent(t.web);
  await a.login('admin', PASSWORDS.admin);
});
afterEach(async () => {
  await t.close();
});

const checkForm = async (name: string): Promise<FormBody> => scrapeForm(formHtml(await a.page(`/check/${name}`), 'id="check-form"'));
const password = (): unknown => (rawCheck(t.site.loaded, 'mail')!.options as Record<string, unknown>).password;

describe('secret fields', () => {
  it('describe what is stored without showing it, and switch between inline, env, file and none', async () => {
    const page = await a.page('/check/mail');
    expect(page).not.toContain('imap-pw-inline');
    expect(page).toContain('Stored: set (inline).');
    expect(page).toMatch(/<option value="keep" selected="">keep the stored value \(set \(inline\)\)<\/option>/);

    const form = await checkForm('mail');
    expect(form['opt.password']).toEqual(['']);
    // an untouched form keeps the value
    expect((await a.post('/check/mail', form)).status).toBe(303);
    expect(password()).toBe('imap-pw-inline');

    await a.post('/check/mail', { ...(await checkForm('mail')), 'opt.password.src': 'env', 'opt.password.ref': 'IMAP_PASSWORD' });
    expect(password()).toEqual({ env: 'IMAP_PASSWORD' });
    const envPage = await a.page('/check/mail');
    expect(envPage).toContain('Stored: env IMAP_PASSWORD.');
    expect(envPage).toMatch(/<option value="env" selected="">/);
    expect(envPage).toMatch(/name="opt.password.ref" value="IMAP_PASSWORD"/);

    await a.post('/check/mail', { ...(await checkForm('mail')), 'opt.password.src': 'file', 'opt.password.ref': '/run/secrets/imap' });
    expect(password()).toEqual({ file: '/run/secrets/imap' });
    expect(await a.page('/check/mail')).toContain('Stored: file /run/secrets/imap.');

    await a.post('/check/mail', { ...(await checkForm('mail')), 'opt.password.src': 'inline', 'opt.password': 'new-inline-pw' });
    expect(password()).toBe('new-inline-pw');
    expect(await a.page('/check/mail')).not.toContain('new-inline-pw');

    // (the schema wants a password with a user name)
    expect((await a.post('/check/mail', { ...(await checkForm('mail')), 'opt.password.src': 'none', 'opt.username': '' })).status).toBe(303);
    expect(password()).toBeUndefined();
    expect(await a.page('/check/mail')).toContain('Nothing stored.');
  });

  it('refuse a bad variable name or a missing reference, saving nothing', async () => {
    const bad = await a.post('/check/mail', { ...(await checkForm('mail')), 'opt.password.src': 'env', 'opt.password.ref': 'NOT-A NAME' });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toMatch(/id="f-opt_2epassword-err"[^>]*>&quot;NOT-A NAME&quot; is not an environment variable name/);
    const none = await a.post('/check/mail', { ...(await checkForm('mail')), 'opt.password.src': 'file', 'opt.password.ref': '' });
    expect(await none.text()).toMatch(/id="f-opt_2epassword-err"[^>]*>give the file path/);
    expect(password()).toBe('imap-pw-inline');
  });

  it('a refused form does not echo a newly typed secret, and still says what is stored', async () => {
    const res = await a.post('/check/mail', { ...(await checkForm('mail')), 'opt.password.src': 'inline', 'opt.password': 'typed-secret-9', 'opt.port': 'many' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).not.toContain('typed-secret-9');
    expect(html).toContain('Stored: set (inline).');
    expect(password()).toBe('imap-pw-inline');
  });

  it('a push token takes the value itself only: no env or file choice, and one is refused', async () => {
    const page = await a.page('/check/beat');
    const field = /<fieldset class="secret"[\s\S]*?<\/fieldset>/.exec(formHtml(page, 'id="check-form"'))![0];
    expect(field).toContain('name="opt.token.src"');
    expect(field).not.toContain('value="env"');
    expect(field).not.toContain('beatToken_abcdefghijkl');
    const res = await a.post('/check/beat', { ...(await checkForm('beat')), 'opt.token.src': 'env', 'opt.token.ref': 'X' });
    expect(await res.text()).toMatch(/this option takes the value itself only/);
  });

  it('objects of secrets (a plugin environment, webhook headers) show a marker instead of inline values and keep them', async () => {
    const form = await checkForm('plugin');
    const env = JSON.parse(form['opt.env'][0]) as Record<string, string>;
    expect(env).toEqual({ LANG: KEPT, SECRET_KEY: KEPT });
    env.EXTRA = 'x1';
    expect((await a.post('/check/plugin', { ...form, 'opt.env': JSON.stringify(env) })).status).toBe(303);
    expect((rawCheck(t.site.loaded, 'plugin')!.options as { env: object }).env).toEqual({ LANG: 'C', SECRET_KEY: 'env-value-inline', EXTRA: 'x1' });
    // the marker for a key that has no stored value is an error, not a literal
    const res = await a.post('/check/plugin', { ...(await checkForm('plugin')), 'opt.env': JSON.stringify({ NEW: KEPT }) });
    expect(await res.text()).toMatch(/&quot;NEW&quot; has no stored value to keep/);

    const hook = await a.page('/action/hook');
    expect(hook).not.toContain('header-secret');
    expect(hook).not.toContain('inline-url-secret');
    const hookForm = scrapeForm(formHtml(hook, 'action="/action/hook"'));
    expect((await a.post('/action/hook', hookForm)).status).toBe(303);
    expect(rawAction(t.site.loaded, 'hook')!.options).toEqual({ url: 'https://hooks.example.org/inline-url-secret', headers: { Authorization: 'Bearer header-secret' } });
  });

  it('viewers see secrets described in the configuration, never their values', async () => {
    const v = new Agent(t.web);
    await v.login('vera', PASSWORDS.vera);
    const mail = await v.page('/check/mail');
    expect(mail).not.toContain('imap-pw-inline');
    expect(mail).toContain('&quot;password&quot;: &quot;(secret: inline)&quot;');
    const plugin = await v.page('/check/plugin');
    expect(plugin).not.toContain('env-value-inline');
    const beat = await v.page('/check/beat');
    expect(beat).not.toContain('beatToken_abcdefghijkl');
    expect(beat).toContain('Operators see the URL here.');
  });
});
