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
import { KEPT, keptMarker } from '../../src/web/secrets.ts';

let t: TestSite;
let a: Agent;
beforeEach(async () => {
  t = await webSite({
    checks: {
      mail: { type: 'imap', options: { hostname: 'imap.example.org', username: 'mon', password: 'imap-pw-inline' } },
      plugin: { type: 'exec', options: { command: ['/bin/true'], env: { LANG: 'C', SECRET_KEY: 'env-value-inline' } } },
      beat: { type: 'push', options: { token: 'beatToken_abcdefghijkl' } },
      portal: {
        type: 'browser',
        options: {
          url: 'https://portal.example.org/',
          steps: [
            { fill: '#user', value: 'step-user-inline' },
            { fill: '#pass', value: 'step-pass-inline' },
            { click: '#go' },
            { fill: '#otp', value: { env: 'PORTAL_OTP' } },
          ],
        },
      },
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
    const res = await a.post('/check/mail', {
      ...(await checkForm('mail')),
      'opt.password.src': 'inline',
      'opt.password': 'typed-secret-9',
      'opt.port': 'many',
    });
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
    expect(env).toEqual({ LANG: keptMarker(1), SECRET_KEY: keptMarker(2) });
    env.EXTRA = 'x1';
    expect((await a.post('/check/plugin', { ...form, 'opt.env': JSON.stringify(env) })).status).toBe(303);
    expect((rawCheck(t.site.loaded, 'plugin')!.options as { env: object }).env).toEqual({ LANG: 'C', SECRET_KEY: 'env-value-inline', EXTRA: 'x1' });
    // a marker that stands for no stored value is an error, not a literal
    const res = await a.post('/check/plugin', { ...(await checkForm('plugin')), 'opt.env': JSON.stringify({ NEW: KEPT }) });
    expect(await res.text()).toMatch(/NEW: has no stored value to keep/);
    const none = await a.post('/check/plugin', { ...(await checkForm('plugin')), 'opt.env': JSON.stringify({ NEW: keptMarker(9) }) });
    expect(await none.text()).toMatch(/NEW: &quot;\(stored secret 9: unchanged\)&quot; stands for no stored secret/);
    // older pages' marker keeps the value stored under the same name
    expect((await a.post('/check/plugin', { ...(await checkForm('plugin')), 'opt.env': JSON.stringify({ LANG: KEPT, SECRET_KEY: KEPT }) })).status).toBe(303);
    expect((rawCheck(t.site.loaded, 'plugin')!.options as { env: object }).env).toEqual({ LANG: 'C', SECRET_KEY: 'env-value-inline' });

    const hook = await a.page('/action/hook');
    expect(hook).not.toContain('header-secret');
    expect(hook).not.toContain('inline-url-secret');
    const hookForm = scrapeForm(formHtml(hook, 'action="/action/hook"'));
    expect((await a.post('/action/hook', hookForm)).status).toBe(303);
    expect(rawAction(t.site.loaded, 'hook')!.options).toEqual({
      url: 'https://hooks.example.org/inline-url-secret',
      headers: { Authorization: 'Bearer header-secret' },
    });
  });

  it('secrets deeper in an option (browser steps) show numbered markers, follow their steps when reordered, and never move where they would show', async () => {
    const page = await a.page('/check/portal');
    expect(page).not.toContain('step-user-inline');
    expect(page).not.toContain('step-pass-inline');
    const form = await checkForm('portal');
    const steps = JSON.parse(form['opt.steps'][0]) as Record<string, unknown>[];
    expect(steps).toEqual([
      { fill: '#user', value: keptMarker(1) },
      { fill: '#pass', value: keptMarker(2) },
      { click: '#go' },
      { fill: '#otp', value: { env: 'PORTAL_OTP' } },
    ]);
    const stored = (): unknown => (rawCheck(t.site.loaded, 'portal')!.options as { steps: unknown }).steps;
    // saved unchanged: the same steps
    expect((await a.post('/check/portal', form)).status).toBe(303);
    const before = stored();
    expect(before).toEqual([
      { fill: '#user', value: 'step-user-inline' },
      { fill: '#pass', value: 'step-pass-inline' },
      { click: '#go' },
      { fill: '#otp', value: { env: 'PORTAL_OTP' } },
    ]);
    // reordered: each secret stays with its step
    const swapped = [steps[1], steps[0], { expectText: 'Welcome' }, ...steps.slice(2)];
    expect((await a.post('/check/portal', { ...(await checkForm('portal')), 'opt.steps': JSON.stringify(swapped) })).status).toBe(303);
    expect(stored()).toEqual([
      { fill: '#pass', value: 'step-pass-inline' },
      { fill: '#user', value: 'step-user-inline' },
      { expectText: 'Welcome' },
      { click: '#go' },
      { fill: '#otp', value: { env: 'PORTAL_OTP' } },
    ]);
    const after = stored();
    // a marker where no secret goes (a selector, a text to wait for) would show the secret: refused, nothing saved
    for (const bad of [[{ fill: keptMarker(1), value: 'x' }], [{ expectText: keptMarker(2) }]]) {
      const res = await a.post('/check/portal', { ...(await checkForm('portal')), 'opt.steps': JSON.stringify(bad) });
      expect(res.status).toBe(422);
      const html = await res.text();
      expect(html).toMatch(/\[0\]\.(fill|expectText): a stored secret can only stay where a secret goes/);
      expect(html).not.toContain('step-user-inline');
      expect(html).not.toContain('step-pass-inline');
      expect(stored()).toEqual(after);
    }
  });

  it('viewers see secrets described in the configuration, never their values', async () => {
    const v = new Agent(t.web);
    await v.login('vera', PASSWORDS.vera);
    const mail = await v.page('/check/mail');
    expect(mail).not.toContain('imap-pw-inline');
    expect(mail).toContain('&quot;password&quot;: &quot;(secret: inline)&quot;');
    const plugin = await v.page('/check/plugin');
    expect(plugin).not.toContain('env-value-inline');
    const portal = await v.page('/check/portal');
    expect(portal).not.toContain('step-user-inline');
    expect(portal).not.toContain('step-pass-inline');
    expect(portal).toContain('&quot;value&quot;: &quot;(secret: inline)&quot;');
    expect(portal).toContain('&quot;value&quot;: &quot;(secret: env PORTAL_OTP)&quot;');
    const beat = await v.page('/check/beat');
    expect(beat).not.toContain('beatToken_abcdefghijkl');
    expect(beat).toContain('Operators see the URL here.');
  });
});
