/**
 * The web UI as a new user meets it (issue 17), in-process: the Add-check
 * form's defaults, a pasted URL read on the server (no script), the warning
 * for a check that would never run, an https check from the UI or the API
 * expecting 2xx/3xx (files keep fletchck's any status), "pending" before a
 * first run, the Get started card, and help texts in plain words.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { Agent, PASSWORDS, decodeHtml, webSite, withApi, type TestSite } from './helpers.ts';
import { checkTypes } from '../../src/checks/registry.ts';
import { actionTypes } from '../../src/actions/registry.ts';
import { fieldsOf } from '../../src/web/fields.ts';
import { typeChoices, typeFields } from '../../src/web/check-form.ts';
import { plainHelp } from '../../src/web/words.ts';
import { validateSite } from '../../src/config/load.ts';
import { TokenStore } from '../../src/api/tokens.ts';

let t: TestSite | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const raw = (s: TestSite, name: string): Record<string, unknown> => (s.site.loaded.doc.checks as Record<string, Record<string, unknown>>)[name];

async function admin(o: Parameters<typeof webSite>[0] = {}): Promise<Agent> {
  t = await webSite(o);
  const a = new Agent(t.web);
  expect((await a.login('admin', PASSWORDS.admin)).status).toBe(303);
  return a;
}

describe('the Add-check form', () => {
  it('starts as an https check run every minute, expecting 200-399, with the default actions ticked', async () => {
    const a = await admin({ actions: { journal: { type: 'log', options: { default: true } }, pager: { type: 'log' } } });
    const html = await a.page('/check');
    expect(html).toMatch(/<option value="https" selected[^>]*>/);
    expect(html).toMatch(/name="trigger" value="1 min"/);
    expect(html).toContain('A new check runs every minute unless you change it.');
    expect(html).toMatch(/<textarea[^>]*name="opt.expectStatus"[^>]*>200-399<\/textarea>/);
    expect(html).toMatch(/name="actions" value="journal" checked/);
    expect(html).not.toMatch(/name="actions" value="pager" checked/);
    // the host name comes before the options every type has
    expect(html.indexOf('name="opt.hostname"')).toBeLessThan(html.indexOf('name="opt.renotify"'));
  });

  it('reads a URL left in the host name field (no script): host, port, TLS, path, and names the check after the host', async () => {
    const a = await admin();
    await a.page('/check');
    const res = await a.post('/check', {
      name: '',
      checkType: 'https',
      trigger: '1 min',
      failAction: 'on',
      passAction: 'on',
      'opt.hostname': 'http://www.example.test:8080/health?full=1',
      'opt.tls': 'on',
      'opt.expectStatus': '200-399',
    });
    expect(res.status).toBe(303);
    expect(raw(t!, 'www.example.test:8080')).toMatchObject({
      type: 'https',
      trigger: { interval: { minutes: 1 } },
      options: { hostname: 'www.example.test', port: 8080, tls: false, reqPath: '/health?full=1', expectStatus: '200-399' },
    });
  });

  it('warns when a check has no trigger and is in no sequence, not when a sequence runs it', async () => {
    const a = await admin();
    const none = decodeHtml(await (await a.get('/ui/trigger?trigger=', { 'HX-Request': 'true' })).text());
    expect(none).toContain('parse warn');
    expect(none).toContain('never run by itself');
    const inSeq = decodeHtml(await (await a.get('/ui/trigger?trigger=&inseq=seq', { 'HX-Request': 'true' })).text());
    expect(inSeq).not.toContain('parse warn');
    expect(inSeq).toContain('runs with its sequence');
  });
});

describe('https checks made in the UI or the API expect 2xx/3xx; files keep any status', () => {
  it('the API fills expectStatus for a new https check, and leaves one that says otherwise', async () => {
    t = await webSite({ app: withApi });
    const { secret } = new TokenStore(t.site.db).create({ name: 't', scope: 'admin', expires: null });
    const post = async (body: unknown): Promise<Response> =>
      t!.web.app.request('/api/v1/checks', {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json', Host: 'localhost' },
      });
    expect((await post({ name: 'web', type: 'https', options: { hostname: 'www.example.test' } })).status).toBe(201);
    expect((raw(t, 'web').options as Record<string, unknown>).expectStatus).toBe('200-399');
    expect((await post({ name: 'any', type: 'https', options: { hostname: 'a.example.test', expectStatus: '2xx' } })).status).toBe(201);
    expect((raw(t, 'any').options as Record<string, unknown>).expectStatus).toBe('2xx');
  });

  it('a site file without expectStatus means any status, as in fletchck', () => {
    const site = validateSite({ checks: { web: { type: 'https', options: { hostname: 'x.test' } } } }, { base: '/s' });
    expect(site.checks.get('web')!.opts!.expectStatus).toBeUndefined();
  });
});

describe('before a first run', () => {
  it('a new check is pending, not failing: state, header badge, summary and home page', async () => {
    const a = await admin();
    const home = decodeHtml(await a.page('/'));
    expect(home).toContain('data-state="PENDING"');
    expect(home).toMatch(/4 pending/);
    expect(home).toMatch(/<span id="failbadge"[^>]*><\/span>/);
    expect(home).toContain('No check is failing.');
    const check = decodeHtml(await a.page('/check/lone'));
    expect(check).toMatch(/data-state="PENDING"[\s\S]*not run yet/);
    // the engine and /status keep fletchck's rule: a new check starts in FAIL
    expect(((await (await a.get('/status')).json()) as { checks: Record<string, { failState: boolean }> }).checks.lone.failState).toBe(true);
    await t!.site.runNow('lone');
    expect(decodeHtml(await a.page('/check/lone'))).toContain('data-state="PASS"');
  });

  it('the header badge and the summary count the same failures, in words', async () => {
    const a = await admin({
      checks: { full: { type: 'disk', options: { volume: '/', level: 0, hysteresis: 0 } }, seq: { type: 'sequence', options: { checks: ['full'] } } },
    });
    await t!.site.runNow('seq');
    const html = decodeHtml(await a.page('/'));
    expect(html).toMatch(/<span id="failbadge"[^>]*>2 checks in fail state<\/span>/);
    expect(html).toMatch(/2 checks<\/a>/);
    expect(html).toMatch(/2 fail<\/a>/);
  });
});

describe('Get started', () => {
  it('leads to adding a check and a notification, marks each step done, and goes when both are', async () => {
    const a = await admin({ checks: { ram: { type: 'memory' } }, actions: { log: { type: 'log' } } });
    const first = decodeHtml(await a.page('/'));
    expect(first).toMatch(/<a href="\/check">Add a check<\/a>/);
    expect(first).toMatch(/<a href="\/action\?type=email">Add a notification<\/a>/);
    expect(first).not.toContain('👍');
    await t!.site.mutate((doc) => ({ ...doc, checks: { ...(doc.checks as object), web: { type: 'https', options: { hostname: 'x.test' } } } }));
    const second = decodeHtml(await a.page('/'));
    expect(second).not.toMatch(/<a href="\/check">Add a check<\/a>/);
    expect(second).toMatch(/<li class="done">[\s\S]*Add a check/);
    await t!.site.mutate((doc) => ({
      ...doc,
      actions: { ...(doc.actions as object), mail: { type: 'email', options: { hostname: 'mail.test', recipients: ['a@x.test'] } } },
    }));
    expect(decodeHtml(await a.page('/'))).not.toContain('Get started');
  });
});

describe('help texts in plain words', () => {
  it('no backticks, no "siteward:" marker and no fletchck asides in any form help or type summary', () => {
    const texts = [
      ...checkTypes.flatMap((x) => typeFields(x).map((f) => f.help)),
      ...actionTypes.flatMap((x) => fieldsOf(x.options).map((f) => f.help)),
      ...typeChoices().map(([, label]) => label),
      ...checkTypes.flatMap((x) => [plainHelp(x.info.summary), plainHelp(x.info.pass)]),
    ];
    expect(texts.length).toBeGreaterThan(100);
    expect(texts.filter((h) => /`|siteward:|\(fletchck|fletchck:|as in fletchck/i.test(h))).toEqual([]);
    expect(plainHelp('with `expectStatus`/`expectBody`, the status must match')).toBe('with “Expect status”/“Expect body”, the status must match');
    expect(plainHelp('siteward: keepalive seconds (fletchck: 60)')).toBe('keepalive seconds');
  });
});
