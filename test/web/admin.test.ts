/**
 * Site configuration, the raw site-file editor, users and actions
 * (spec §8.5, with siteward's fixes).
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { Agent, PASSWORDS, webSite, type TestSite } from './helpers.ts';
import { rawAction } from '../../src/web/model.ts';
import { roleOf } from '../../src/web/auth.ts';
import { diffLines } from '../../src/web/diff.ts';

let t: TestSite;
let a: Agent;
beforeEach(async () => {
  t = await webSite();
  a = new Agent(t.web);
  await a.login('admin', PASSWORDS.admin);
});
afterEach(async () => {
  await t.close();
});

const configForm = async (): Promise<Record<string, string>> => {
  const html = await a.page('/config');
  const version = /name="version" value="([^"]+)"/.exec(html)![1];
  return { version, timezone: '', 'webui.name': 'Test Site', 'webui.hostname': '127.0.0.1', 'webui.port': '1' };
};

describe('site configuration', () => {
  it('saves the site name and time zone; the new zone applies to existing checks at once', async () => {
    const form = await configForm();
    const res = await a.post('/config', { ...form, 'webui.name': 'HQ', timezone: 'australia/adelaide' });
    expect(res.status).toBe(303);
    expect(t.site.name).toBe('HQ');
    expect(t.site.settings.timezone).toBe('Australia/Adelaide');
    // spec §9.15 fixed: existing checks follow the site zone without a restart
    expect(t.site.entry('root')!.zone).toBe('Australia/Adelaide');
    expect((t.site.loaded.doc.webui as { users: object }).users).toHaveProperty('admin'); // users kept
  });

  it('refuses a bad zone and a bad port, field by field', async () => {
    const form = await configForm();
    const res = await a.post('/config', { ...form, timezone: 'Nowhere/City', 'webui.port': '99999' });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/id="f-timezone-err"[^>]*>&quot;Nowhere\/City&quot; is not a known time zone/);
    expect(html).toMatch(/id="f-webui_2eport-err"[^>]*>[^<]*too large/);
    expect(t.site.settings.timezone).toBeNull();
  });

  it("enabling MQTT uses the JSON defaults (fletchck's form pre-ticked TLS), disabling removes it", async () => {
    const form = await configForm();
    // the form shows the defaults ticked (persist, retain, autoadd) and TLS not ticked
    const page = await a.page('/config');
    for (const k of ['persist', 'retain', 'autoadd']) expect(page).toMatch(new RegExp(`name="mqtt.${k}" value="on" checked=""`));
    expect(page).toMatch(/name="mqtt.tls" value="on"[^>]*\/>/);
    expect(page).not.toMatch(/name="mqtt.tls" value="on" checked=""/);
    const ticked = { 'mqtt.persist': 'on', 'mqtt.retain': 'on', 'mqtt.autoadd': 'on' };
    await a.post('/config', { ...form, ...ticked, 'mqtt.enable': 'on', 'mqtt.hostname': 'broker.example', 'mqtt.password': 's3cret' });
    expect(t.site.loaded.doc.mqtt).toEqual({ hostname: 'broker.example', password: 's3cret' });
    expect(t.site.settings.mqtt).toMatchObject({ tls: false, retain: true, autoadd: true, port: null });
    // the stored password is never sent back; an empty field keeps it
    const html = await a.page('/config');
    expect(html).not.toContain('s3cret');
    expect(html).toContain('Stored: set (inline).');
    await a.post('/config', { ...(await configForm()), ...ticked, 'mqtt.enable': 'on', 'mqtt.hostname': 'broker.example', 'mqtt.password': '' });
    expect((t.site.loaded.doc.mqtt as { password: string }).password).toBe('s3cret');
    await a.post('/config', await configForm());
    expect(t.site.loaded.doc).not.toHaveProperty('mqtt');
  });

  it('a concurrent change is a conflict', async () => {
    const form = await configForm();
    await t.site.mutate((doc) => ({ ...doc, timezone: 'UTC' }));
    const res = await a.post('/config', { ...form, 'webui.name': 'Late' });
    expect(res.status).toBe(409);
    expect(t.site.name).toBe('Test Site');
  });
});

describe('raw site-file editor', () => {
  const raw = async (): Promise<{ text: string; version: string }> => {
    const html = await a.page('/config/raw');
    const text = /<textarea[^>]*name="text"[^>]*>([\s\S]*?)<\/textarea>/
      .exec(html)![1]
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
    return { text, version: /name="version" value="([^"]+)"/.exec(html)![1] };
  };

  it('shows the file; validation gives path-precise errors and the diff, and saves nothing', async () => {
    await t.site.save();
    const { text, version } = await raw();
    expect(text).toBe(readFileSync(t.path, 'utf8'));
    const edited = text.replace('"level": 100', '"level": "high"');
    const res = await a.post('/config/raw/check', { text: edited, version }, { headers: { 'HX-Request': 'true' } });
    const html = await res.text();
    expect(html).toMatch(/^<div id="raw-result"/);
    expect(html).toContain('checks[&quot;root&quot;].options.level: expected a number');
    expect(html).toMatch(/class="del">- +&quot;level&quot;: 100,?</);
    expect(html).toMatch(/class="add">\+ +&quot;level&quot;: &quot;high&quot;/);
    const syntax = await (await a.post('/config/raw/check', { text: '{"checks": {', version }, { headers: { 'HX-Request': 'true' } })).text();
    expect(syntax).toMatch(/invalid JSON at line 1, column \d+/);
  });

  it('saves a valid edit (applied live), refuses new errors, and rolls back to the .bak', async () => {
    await t.site.save();
    const { text, version } = await raw();
    const bad = await a.post('/config/raw', { text: text.replace('"level": 100', '"level": "high"'), version });
    expect(bad.status).toBe(422);
    const good = await a.post('/config/raw', { text: text.replace('"timezone": null', '"timezone": "UTC"'), version });
    expect(good.status).toBe(303);
    expect(t.site.settings.timezone).toBe('UTC');
    expect(existsSync(`${t.path}.bak`)).toBe(true);
    const confirm = await (await a.get('/config/raw/rollback')).text();
    expect(confirm).toMatch(/class="del">- +&quot;timezone&quot;: &quot;UTC&quot;/);
    const bakVersion = /name="version" value="([^"]+)"/.exec(confirm.slice(confirm.indexOf('action="/config/raw/rollback"')))![1];
    expect((await a.post('/config/raw/rollback', { confirm: 'yes', version: bakVersion })).status).toBe(303);
    expect(t.site.settings.timezone).toBeNull();
  });

  it('an edit made meanwhile is a conflict', async () => {
    const { text, version } = await raw();
    await t.site.mutate((doc) => ({ ...doc, timezone: 'UTC' }));
    const res = await a.post('/config/raw', { text, version });
    expect(res.status).toBe(409);
    expect(t.site.settings.timezone).toBe('UTC');
  });

  it('refuses a file that would lock every administrator out', async () => {
    const { text, version } = await raw();
    const doc = JSON.parse(text) as { webui: { roles: Record<string, string> } };
    doc.webui.roles = { admin: 'viewer', olly: 'operator', vera: 'viewer' };
    const res = await a.post('/config/raw', { text: JSON.stringify(doc), version });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('no administrator would be left');
    const off = await a.post('/config/raw', { text: JSON.stringify({ ...doc, webui: null }), version });
    expect(off.status).toBe(422);
  });

  it('the diff of a one-line change in a large file shows just that hunk', () => {
    const lines = Array.from({ length: 20000 }, (_, i) => `line ${i}`);
    const after = [...lines];
    after[12345] = 'changed';
    const d = diffLines(lines.join('\n'), after.join('\n'));
    expect(d.hunks).toHaveLength(1);
    expect(d.hunks[0].lines.map((l) => l.op + l.text)).toEqual([
      ' line 12342',
      ' line 12343',
      ' line 12344',
      '-line 12345',
      '+changed',
      ' line 12346',
      ' line 12347',
      ' line 12348',
    ]);
    expect(d.hunks[0].aStart).toBe(12343);
  });
});

describe('users (admin only)', () => {
  it('adds a viewer, who can then log in with that role only', async () => {
    await a.page('/user');
    const res = await a.post('/user', { username: 'guest', role: 'viewer', password: 'guest-pass-1' });
    expect(res.status).toBe(303);
    expect(roleOf(t.site.settings.webui, 'guest')).toBe('viewer');
    const file = JSON.parse(readFileSync(t.path, 'utf8')) as { webui: { users: Record<string, string>; roles: Record<string, string> } };
    expect(file.webui.users.guest).toMatch(/^\$argon2id\$/);
    expect(file.webui.roles.guest).toBe('viewer');
    const g = new Agent(t.web);
    expect((await g.login('guest', 'guest-pass-1')).status).toBe(303);
    expect((await g.post('/check/root/pause', { paused: '1' })).status).toBe(403);
  });

  it('refuses a short password, a duplicate name, renaming admin and removing the last administrator', async () => {
    await a.page('/user');
    expect((await a.post('/user', { username: 'x', role: 'viewer', password: 'short' })).status).toBe(422);
    expect(await (await a.post('/user', { username: 'olly', role: 'viewer', password: 'long-enough-1' })).text()).toContain('already exists');
    const version = /name="version" value="([^"]+)"/.exec(await a.page('/user/admin'))![1];
    expect((await a.post('/user/admin', { username: 'root', role: 'admin', password: '', version })).status).toBe(303);
    expect(roleOf(t.site.settings.webui, 'admin')).toBe('admin'); // the name field is ignored for admin
    expect(await (await a.post('/user/admin', { username: 'admin', role: 'viewer', password: '', version })).text()).toContain(
      'the last administrator must keep the admin role',
    );
    expect((await a.get('/user/admin/delete')).status).toBe(422);
    expect((await a.post('/user/admin/delete', { confirm: 'yes' })).status).toBe(422);
  });

  it("a password change by the admin ends that user's sessions; deleting ends them too", async () => {
    const o = new Agent(t.web);
    await o.login('olly', PASSWORDS.olly);
    const version = /name="version" value="([^"]+)"/.exec(await a.page('/user/olly'))![1];
    expect((await a.post('/user/olly', { username: 'olly', role: 'operator', password: 'brand-new-pass', version })).status).toBe(303);
    expect((await o.get('/')).status).toBe(302);
    const v = new Agent(t.web);
    await v.login('vera', PASSWORDS.vera);
    expect((await a.post('/user/vera/delete', { confirm: 'yes' })).status).toBe(303);
    expect((await v.get('/')).status).toBe(302);
    expect(t.site.settings.webui!.users).not.toHaveProperty('vera');
  });

  it('renaming a user keeps the password and the role', async () => {
    const version = /name="version" value="([^"]+)"/.exec(await a.page('/user/vera'))![1];
    expect((await a.post('/user/vera', { username: 'veronica', role: 'viewer', password: '', version })).status).toBe(303);
    expect((await new Agent(t.web).login('veronica', PASSWORDS.vera)).status).toBe(303);
    expect(roleOf(t.site.settings.webui, 'veronica')).toBe('viewer');
  });

  it('the "" dummy user is never listed and is added when missing', async () => {
    const html = await a.page('/users');
    expect(html).not.toContain('href="/user/"><');
    expect(t.site.settings.webui!.users).toHaveProperty('');
  });
});

describe('actions', () => {
  it('adds an action, attaches it to checks, tests it, renames it, deletes it', async () => {
    await a.page('/action');
    const res = await a.post('/action', { name: 'note', actionType: 'log', incheck: ['root', 'lone'] });
    expect(res.status).toBe(303);
    expect(rawAction(t.site.loaded, 'note')).toEqual({ type: 'log', options: {} });
    expect(t.site.entry('root')!.config.actions).toEqual(['note']);
    const tested = await (await a.post('/action/note/test', { back: 'edit' })).text();
    expect(tested).toContain('Test notification sent: the receiver accepted it.');
    expect(t.site.siteLog.all().some((l) => l.endsWith('Test Notification (action-test): FAIL'))).toBe(true);
    const version = /name="version" value="([^"]+)"/.exec(await a.page('/action/note'))![1];
    expect((await a.post('/action/note', { name: 'journal', actionType: 'log', incheck: ['root'], version })).status).toBe(303);
    expect(t.site.entry('root')!.config.actions).toEqual(['journal']);
    expect(t.site.entry('lone')!.config.actions).toEqual([]);
    expect((await a.post('/action/journal/delete', { confirm: 'yes' })).status).toBe(303);
    expect(t.site.entry('root')!.config.actions).toEqual([]);
  });

  it('an unknown type and an unknown check are errors', async () => {
    await a.page('/action');
    const res = await a.post('/action', { name: 'x', actionType: 'pigeon', incheck: ['ghost'] });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain('unknown action type &quot;pigeon&quot;');
    expect(html).toContain('unknown check: ghost');
  });

  it("fletchck's ?run= and ?delete= links only ask", async () => {
    expect(await (await a.get('/action/logit?run=y')).text()).toContain('Send a test notification with &quot;logit&quot;?');
    expect((await a.get('/action/logit?delete=y')).headers.get('Location')).toBe('/action/logit/delete');
    expect(t.site.loaded.actions.has('logit')).toBe(true);
  });
});

describe('log', () => {
  it('shows the volatile log and clears it by POST only', async () => {
    t.site.warn('something happened');
    expect(await a.page('/log')).toContain('something happened');
    expect(await (await a.get('/log?clear=1')).text()).toContain('Clear the site log?');
    expect(t.site.siteLog.all().length).toBeGreaterThan(0);
    await a.post('/log/clear');
    expect(t.site.siteLog.all()).toEqual([]);
  });
});
