/**
 * Message templates (src/actions/template.ts): every field renders, values
 * are escaped per channel (Telegram MarkdownV2, Slack mrkdwn, none for plain
 * text), `{{{x}}}` is raw, the channels' length limits hold (SMS segments),
 * the site default applies when an action has none — and each text-sending
 * action type sends the rendered text to a real HTTP receiver on 127.0.0.1.
 */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import {
  renderFor,
  renderText,
  smsClip,
  smsSegments,
  telegramEscape,
  templateProblem,
  templateView,
  TEMPLATE_FIELDS,
  withSiteDefaults,
} from '../../src/actions/template.ts';
import { telegramText } from '../../src/actions/telegram/index.ts';
import { startSmtp } from '../servers/smtp-receiver.ts';
import { actionType } from '../../src/actions/registry.ts';
import { startReceiver, type Receiver } from '../servers/http-receiver.ts';
import { entry, failNote, passNote, send, T_FAIL } from './helpers.ts';

const EVERY = Object.keys(TEMPLATE_FIELDS)
  .filter((k) => k !== 'failing' && k !== 'passing')
  .map((k) => `${k}=[{{${k}}}]`)
  .join('\n');

describe('rendering', () => {
  it('renders every field of a failing check', () => {
    const n = { ...failNote({ level: '97%', log: ['line one', 'line two'] }), at: T_FAIL + 65 * 60_000, url: 'https://sw.example/' };
    const out = renderText(EVERY, templateView(n, n.url), (s) => s);
    expect(out).toContain('name=[web]');
    expect(out).toContain('type=[https]');
    expect(out).toContain('state=[FAIL]');
    expect(out).toContain('level=[97%]');
    expect(out).toContain('log=[line one\nline two]');
    expect(out).toContain('summary=[web.example.com ConnectionRefusedError: [Errno 111] Connection refused]');
    expect(out).toContain('site=[HQ]');
    expect(out).toContain('since=[14 Jan 2026 05:04 UTC]');
    expect(out).toContain('duration=[1 h 5 min]');
    expect(out).toContain('at=[14 Jan 2026 06:09 UTC]');
    expect(out).toContain('kind=[transition]');
    expect(out).toContain('url=[https://sw.example/check/web]');
  });

  it('sections on failing/passing; unknown names render empty; no partials', () => {
    const t = '{{#failing}}DOWN{{/failing}}{{#passing}}UP{{/passing}}|{{nosuch}}|{{> evil}}';
    expect(renderText(t, templateView(failNote(), null), (s) => s)).toBe('DOWN||');
    expect(renderText(t, templateView(passNote(), null), (s) => s)).toBe('UP||');
  });

  it('a broken template is named as such', () => {
    expect(templateProblem('{{#failing}}open')).toMatch(/Unclosed section/);
    expect(templateProblem('{{name}}')).toBeNull();
    const r = actionType('email')!.options.safeParse({ template: { body: '{{#failing}}open' } });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.success ? null : r.error.issues[0].path)).toBe('["template","body"]');
  });

  it("Telegram: values escaped for MarkdownV2, the template's own markup kept, {{{x}}} raw", () => {
    const n = failNote({ name: 'web_1 (prod).example', log: ['*bold* [link](x) 1-2=3!'] });
    const r = renderFor('telegram', { body: '*{{name}}* is {{state}}\n{{log}}\n{{{name}}}' }, n);
    expect(r.body).toBe('*web\\_1 \\(prod\\)\\.example* is FAIL\n\\*bold\\* \\[link\\]\\(x\\) 1\\-2\\=3\\!\nweb_1 (prod).example');
    expect(telegramEscape('\\')).toBe('\\\\');
  });

  it('Slack: &, < and > escaped in values; Email, SMS, Pushover, ntfy: as is', () => {
    const n = failNote({ log: ['<b> & </b>'] });
    expect(renderFor('slack', { body: '*{{name}}* {{log}}' }, n).body).toBe('*web* &lt;b&gt; &amp; &lt;/b&gt;');
    for (const ch of ['email', 'sms', 'pushover', 'ntfy'] as const) expect(renderFor(ch, { body: '{{log}}' }, n).body).toBe('<b> & </b>');
  });

  it('a subject is one line', () => {
    expect(renderFor('email', { subject: '{{state}}:\n{{log}}' }, failNote({ log: ['a', 'b'] })).subject).toBe('FAIL: a b');
  });

  it('length limits: Telegram 4096, Slack 3900, Pushover 1024; Telegram over the limit falls back to plain text', () => {
    const long = failNote({ log: ['x.'.repeat(5000)] });
    expect(renderFor('slack', { body: '{{log}}' }, long).body!.length).toBe(3900);
    expect(renderFor('pushover', { body: '{{log}}' }, long).body!.length).toBe(1024);
    const tg = telegramText(long, { site: null, icon: '', template: { body: '*{{name}}* {{log}}' } });
    expect(tg.markdown).toBe(false);
    expect(tg.text.length).toBe(4096);
    expect(tg.text.startsWith('*web* x.x.')).toBe(true);
    const short = telegramText(failNote(), { site: null, icon: '', template: { body: '*{{name}}*' } });
    expect(short).toEqual({ text: '*web*', markdown: true });
  });

  it('SMS: 160 GSM characters a segment (153 when split), 70/67 with other characters; cut to maxSegments', () => {
    expect(smsSegments('a'.repeat(160)).segments).toBe(1);
    expect(smsSegments('a'.repeat(161)).segments).toBe(2);
    expect(smsSegments('a'.repeat(306)).segments).toBe(2);
    expect(smsSegments('€'.repeat(80)).segments).toBe(1); // extension table: two septets each
    expect(smsSegments('é'.repeat(160)).gsm).toBe(true);
    expect(smsSegments('ą'.repeat(70)).segments).toBe(1);
    expect(smsSegments('ą'.repeat(71)).segments).toBe(2);
    const cut = smsClip('a'.repeat(1000), 2);
    expect(smsSegments(cut).segments).toBe(2);
    expect(cut).toBe(`${'a'.repeat(303)}...`); // "..." keeps it GSM (… would make it UCS-2, 67 a segment)
    expect(smsClip('ą'.repeat(200), 1)).toBe(`${'ą'.repeat(69)}\u2026`);
  });

  it("the site default applies to an action without a template; the action's own wins", () => {
    const n = withSiteDefaults(failNote(), { template: { subject: 'site {{name}}', body: 'site body' }, url: 'https://x.example' });
    expect(renderFor('email', undefined, n)).toEqual({ subject: 'site web', body: 'site body' });
    expect(renderFor('email', { body: 'own {{url}}' }, n)).toEqual({ subject: 'site web', body: 'own https://x.example/check/web' });
    expect(renderFor('email', undefined, failNote())).toEqual({ subject: null, body: null });
    expect(renderFor('email', { body: 'x' }, { ...n, kind: 'digest' })).toEqual({ subject: null, body: null });
  });
});

describe('each text-sending action type sends the rendered text', () => {
  let rx: Receiver;
  beforeAll(async () => {
    rx = await startReceiver();
  });
  afterAll(async () => {
    await rx.close();
  });
  beforeEach(() => {
    rx.requests.length = 0;
    rx.replies.length = 0;
    rx.fallback = { status: 200, body: 'ok' };
  });
  const template = { subject: '{{state}} {{name}}', body: '{{name}} is {{state}} since {{since}}: {{summary}}' };
  const text = 'web is FAIL since 14 Jan 2026 05:04 UTC: web.example.com ConnectionRefusedError: [Errno 111] Connection refused';

  it('email (a real SMTP server)', async () => {
    const smtp = await startSmtp({ mode: 'none' });
    try {
      await send(
        entry('email', { hostname: '127.0.0.1', port: smtp.port, tls: 'none', sender: 'mon@example.test', recipients: ['ops@example.test'], template }),
        failNote(),
      );
      const raw = smtp.messages[0].raw;
      expect(raw).toContain('\r\nSubject: FAIL web\r\n');
      expect(raw).toContain('Content-Transfer-Encoding: base64');
      expect(Buffer.from(raw.slice(raw.indexOf('\r\n\r\n') + 4), 'base64').toString('utf8')).toBe(text);
    } finally {
      await smtp.close();
    }
  });

  it('sms (cut to maxSegments)', async () => {
    await send(entry('sms', { url: `${rx.url}/sms`, recipients: ['1'], template, maxSegments: 1 }), failNote());
    const got = new URLSearchParams(rx.requests[0].body).get('text')!;
    expect(got.startsWith('web is FAIL since 14 Jan 2026 05:04 UTC: web.example.com')).toBe(true);
    expect(smsSegments(got).segments).toBe(1);
  });

  it('telegram (MarkdownV2)', async () => {
    rx.replies.push({ status: 200, body: '{"ok":true}' });
    await send(entry('telegram', { apiUrl: rx.url, token: '1:A', chatId: 5, template: { body: '*{{name}}* {{state}}\\.' } }), failNote({ name: 'web.1' }));
    // the template is MarkdownV2 (its own dot escaped by its author); the value's dot is escaped by siteward
    expect(JSON.parse(rx.requests[0].body)).toMatchObject({ text: '*web\\.1* FAIL\\.', parse_mode: 'MarkdownV2' });
  });

  it('slack', async () => {
    await send(entry('slack', { url: `${rx.url}/hook`, template: { body: '*{{name}}* {{log}}' } }), failNote({ log: ['a<b'] }));
    expect(JSON.parse(rx.requests[0].body)).toEqual({ text: '*web* a&lt;b' });
  });

  it('pushover', async () => {
    rx.replies.push({ status: 200, body: '{"status":1}' });
    await send(entry('pushover', { apiUrl: `${rx.url}/m`, token: 't', user: 'u', template }), failNote());
    const f = Object.fromEntries(new URLSearchParams(rx.requests[0].body));
    expect(f.title).toBe('FAIL web');
    expect(f.message).toBe(text);
  });

  it('ntfy', async () => {
    await send(entry('ntfy', { server: rx.url, topic: 'ops', template }), failNote());
    expect(JSON.parse(rx.requests[0].body)).toMatchObject({ title: 'FAIL web', message: text });
  });

  it('webhook keeps its JSON payload and adds the rendered subject and text', async () => {
    await send(entry('webhook', { url: `${rx.url}/w`, template }), failNote());
    const body = JSON.parse(rx.requests[0].body) as Record<string, unknown>;
    expect(body).toMatchObject({ subject: 'FAIL web', text, check: { name: 'web', state: 'FAIL' } });
  });

  it('without a template every type sends its built-in text (unchanged)', async () => {
    await send(entry('ntfy', { server: rx.url, topic: 'ops' }), failNote());
    expect(JSON.parse(rx.requests[0].body)).toMatchObject({ title: '[HQ] FAIL: web (https)' });
  });
});
