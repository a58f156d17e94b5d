/**
 * The HTTP actions against a real HTTP receiver on 127.0.0.1: the method,
 * path, headers and body of each request, and how answers are classified
 * (429/5xx/network: transient, retried; other 4xx: permanent).
 */
import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ActionError } from '../../src/actions/types.ts';
import { actionType } from '../../src/actions/registry.ts';
import { startReceiver, type Receiver } from '../servers/http-receiver.ts';
import { freePort, tempDir } from '../servers/common.ts';
import { entry, failNote, passNote, send } from './helpers.ts';

const DOG = '\u{1f436}';
const THUMB = '\u{1f44d}';
const FAIL_BODY = 'web (https) in FAIL state at 14 Jan 2026 05:04 UTC\n\nLog:\n\nweb.example.com ConnectionRefusedError: [Errno 111] Connection refused';
const PASS_BODY = `web (https) in PASS state at 14 Jan 2026 05:10 UTC\n${DOG}${THUMB}\n\nLog:\n\nHTTP/1.1 200 OK`;

let rx: Receiver;
let dir: string;
let cleanup: () => void;
beforeAll(async () => {
  rx = await startReceiver();
  ({ dir, cleanup } = tempDir('sw-http-'));
});
afterAll(async () => {
  await rx.close();
  cleanup();
});
beforeEach(() => {
  rx.requests.length = 0;
  rx.replies.length = 0;
  rx.fallback = { status: 200, body: 'ok' };
});

async function failure(p: Promise<unknown>): Promise<ActionError> {
  const e = await p.then(
    () => null,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ActionError);
  return e as ActionError;
}

describe('sms (Cloudkinnekt, spec §5.5)', () => {
  const opts = (): Record<string, unknown> => ({ url: `${rx.url}/smsp-in`, apikey: 'k3y-123', recipients: ['+61400000000', '+61400000001'], site: 'HQ' });

  it('POSTs the form with the Bearer key; HTTP 200 is success', async () => {
    await send(entry('sms', opts()), failNote());
    expect(rx.requests).toHaveLength(1);
    const r = rx.requests[0];
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/smsp-in');
    expect(r.headers.authorization).toBe('Bearer k3y-123');
    expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded');
    const text = `HQ ${DOG}\u{1f4ac}\nweb: FAIL\nweb.example.com ConnectionRefusedError: [Errno 111] Connection refused\n14 Jan 2026 05:04 UTC`;
    const q = (s: string): string =>
      encodeURIComponent(s)
        .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
        .replace(/%20/g, '+');
    expect(r.body).toBe(`originator=dedicated&mobile_number=61400000000%2C61400000001&concatenated=true&utf=true&text=${q(text)}`);
    expect([...new URLSearchParams(r.body).keys()]).toEqual(['originator', 'mobile_number', 'concatenated', 'utf', 'text']);
    expect(new URLSearchParams(r.body).get('text')).toBe(text);
  });

  it('without an apikey there is no Authorization header', async () => {
    await send(entry('sms', { ...opts(), apikey: null }), passNote());
    expect(rx.requests[0].headers.authorization).toBeUndefined();
  });

  it('no recipients: success without a request', async () => {
    await send(entry('sms', { ...opts(), recipients: [] }), failNote());
    expect(rx.requests).toHaveLength(0);
  });

  it('any answer but 200 fails: 500 transient, 401 permanent, 202 permanent (it may have been sent)', async () => {
    rx.replies.push({ status: 500 }, { status: 401, body: 'bad key' }, { status: 202 });
    expect((await failure(send(entry('sms', opts()), failNote()))).permanent).toBe(false);
    const e401 = await failure(send(entry('sms', opts()), failNote()));
    expect(e401.permanent).toBe(true);
    expect(e401.message).toBe('127.0.0.1:' + rx.port + ': HTTP 401 bad key');
    expect((await failure(send(entry('sms', opts()), failNote()))).permanent).toBe(true);
  });

  it('the apikey never appears in an error', async () => {
    rx.replies.push({ status: 403, body: 'key k3y-123 is not allowed' });
    const e = await failure(send(entry('sms', opts()), failNote()));
    expect(e.message).not.toContain('k3y-123');
    expect(e.message).toContain('***');
  });
});

describe('webhook', () => {
  it('POSTs the notification as JSON by default', async () => {
    await send(entry('webhook', { url: `${rx.url}/hook?x=1` }), failNote());
    const r = rx.requests[0];
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/hook?x=1');
    expect(r.headers['content-type']).toBe('application/json');
    expect(JSON.parse(r.body)).toEqual({
      id: 'n-fail-1',
      site: 'HQ',
      kind: 'transition',
      at: '2026-01-14T05:04:00.000Z',
      title: '[HQ] FAIL: web (https)',
      message: FAIL_BODY,
      check: {
        name: 'web',
        type: 'https',
        state: 'FAIL',
        failState: true,
        softFail: null,
        level: null,
        summary: 'web.example.com ConnectionRefusedError: [Errno 111] Connection refused',
        log: ['web.example.com ConnectionRefusedError: [Errno 111] Connection refused'],
        lastFail: '2026-01-14T05:04:00.000Z',
        lastPass: '2026-01-13T22:00:00.000Z',
        lastCheck: '2026-01-14T05:04:00.000Z',
      },
    });
  });

  it('sends extra headers, secrets resolved from env and file', async () => {
    process.env.SW_TEST_HOOK_TOKEN = 'tok-env';
    const file = join(dir, 'hook-secret');
    writeFileSync(file, 'tok-file\n');
    try {
      await send(
        entry('webhook', { url: `${rx.url}/h`, method: 'PUT', headers: { Authorization: { env: 'SW_TEST_HOOK_TOKEN' }, 'X-Key': { file }, 'X-Plain': 'p' } }),
        passNote(),
      );
      const r = rx.requests[0];
      expect(r.method).toBe('PUT');
      expect(r.headers.authorization).toBe('tok-env');
      expect(r.headers['x-key']).toBe('tok-file');
      expect(r.headers['x-plain']).toBe('p');
    } finally {
      delete process.env.SW_TEST_HOOK_TOKEN;
    }
  });

  it('a JSON body template has its strings filled', async () => {
    await send(entry('webhook', { url: `${rx.url}/t`, body: { text: '{{name}} is {{state}} "{{summary}}"', n: 1, tags: ['{{site}}'] } }), failNote());
    expect(rx.requests[0].headers['content-type']).toBe('application/json');
    expect(JSON.parse(rx.requests[0].body)).toEqual({
      text: 'web is FAIL "web.example.com ConnectionRefusedError: [Errno 111] Connection refused"',
      n: 1,
      tags: ['HQ'],
    });
  });

  it('a string template is sent as text', async () => {
    await send(entry('webhook', { url: `${rx.url}/t`, body: '{{title}}\n{{time}}' }), passNote());
    expect(rx.requests[0].headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(rx.requests[0].body).toBe('[HQ] PASS: web (https)\n14 Jan 2026 05:10 UTC');
  });

  it('an unknown placeholder is a config error', () => {
    const r = actionType('webhook')!.options.safeParse({ url: 'http://x/', body: '{{nope}}' });
    expect(r.success).toBe(false);
  });

  it('429 is transient and carries Retry-After; 500 transient; 401 and 404 permanent', async () => {
    rx.replies.push({ status: 429, headers: { 'Retry-After': '7' } }, { status: 500 }, { status: 401 }, { status: 404 });
    const e = entry('webhook', { url: `${rx.url}/h` });
    const e429 = await failure(send(e, failNote()));
    expect(e429.permanent).toBe(false);
    expect(e429.retryAfterMs).toBe(7000);
    expect((await failure(send(e, failNote()))).permanent).toBe(false);
    expect((await failure(send(e, failNote()))).permanent).toBe(true);
    expect((await failure(send(e, failNote()))).permanent).toBe(true);
  });

  it('a redirect is not followed (a POST would turn into a GET): permanent', async () => {
    rx.replies.push({ status: 301, headers: { Location: `${rx.url}/elsewhere` } });
    expect((await failure(send(entry('webhook', { url: `${rx.url}/h` }), failNote()))).permanent).toBe(true);
    expect(rx.requests).toHaveLength(1);
  });

  it('a receiver that is down, or too slow, is transient', async () => {
    const down = await freePort();
    const e1 = await failure(send(entry('webhook', { url: `http://127.0.0.1:${down}/h` }), failNote()));
    expect(e1.permanent).toBe(false);
    expect(e1.message).toContain('ECONNREFUSED');
    rx.replies.push({ status: 200, delayMs: 3000 });
    const e2 = await failure(send(entry('webhook', { url: `${rx.url}/slow`, timeout: 0.3 }), failNote()));
    expect(e2.permanent).toBe(false);
    expect(e2.message).toMatch(/timed out/);
  });
});

describe('ntfy', () => {
  it('publishes JSON to the server root with topic, title, message, priority and tags by state', async () => {
    await send(entry('ntfy', { server: rx.url, topic: 'alerts', token: 'tk_abc' }), failNote());
    await send(entry('ntfy', { server: `${rx.url}/`, topic: 'alerts', token: 'tk_abc' }), passNote());
    const [f, p] = rx.requests;
    expect(f.method).toBe('POST');
    expect(f.path).toBe('/');
    expect(f.headers.authorization).toBe('Bearer tk_abc');
    expect(JSON.parse(f.body)).toEqual({ topic: 'alerts', title: '[HQ] FAIL: web (https)', message: FAIL_BODY, priority: 4, tags: ['rotating_light'] });
    expect(JSON.parse(p.body)).toEqual({ topic: 'alerts', title: '[HQ] PASS: web (https)', message: PASS_BODY, priority: 3, tags: ['white_check_mark'] });
  });

  it('basic auth with username and password', async () => {
    await send(entry('ntfy', { server: rx.url, topic: 't', username: 'u', password: 'p@ss', priorityFail: 5, click: 'https://status.example/' }), failNote());
    expect(rx.requests[0].headers.authorization).toBe(`Basic ${Buffer.from('u:p@ss').toString('base64')}`);
    expect(JSON.parse(rx.requests[0].body)).toMatchObject({ priority: 5, click: 'https://status.example/' });
  });
});

describe('telegram', () => {
  it('calls sendMessage with chat_id and the plain text', async () => {
    rx.replies.push({ status: 200, body: '{"ok":true,"result":{}}' });
    await send(entry('telegram', { apiUrl: rx.url, token: '123:ABC', chatId: -1001234 }), failNote());
    const r = rx.requests[0];
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/bot123:ABC/sendMessage');
    expect(r.headers['content-type']).toBe('application/json');
    expect(JSON.parse(r.body)).toEqual({
      chat_id: -1001234,
      text: `[HQ] FAIL: web (https)\n\n${FAIL_BODY}`,
      disable_web_page_preview: true,
      disable_notification: false,
    });
  });

  it('silentPass sends PASS without a sound', async () => {
    rx.replies.push({ status: 200, body: '{"ok":true}' });
    await send(entry('telegram', { apiUrl: rx.url, token: '123:ABC', chatId: '@ops', silentPass: true }), passNote());
    expect(JSON.parse(rx.requests[0].body)).toMatchObject({ chat_id: '@ops', disable_notification: true });
  });

  it('Bot API errors: 400 permanent with its description, 429 transient with retry_after; the token is never shown', async () => {
    rx.replies.push(
      { status: 400, body: '{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}' },
      { status: 429, body: '{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 12","parameters":{"retry_after":12}}' },
      { status: 401, body: '{"ok":false,"error_code":401,"description":"Unauthorized"}' },
    );
    const e = entry('telegram', { apiUrl: rx.url, token: '999:SECRET', chatId: 1 });
    const e400 = await failure(send(e, failNote()));
    expect(e400.permanent).toBe(true);
    expect(e400.message).toContain('chat not found');
    const e429 = await failure(send(e, failNote()));
    expect(e429.permanent).toBe(false);
    expect(e429.retryAfterMs).toBe(12_000);
    const e401 = await failure(send(e, failNote()));
    expect(e401.permanent).toBe(true);
    for (const x of [e400, e429, e401]) expect(x.message).not.toContain('999:SECRET');
  });
});

describe('pushover', () => {
  it('POSTs the message form with priority by state', async () => {
    rx.replies.push({ status: 200, body: '{"status":1,"request":"r1"}' });
    await send(entry('pushover', { apiUrl: `${rx.url}/1/messages.json`, token: 'app-tok', user: 'user-key', device: 'phone' }), failNote());
    const r = rx.requests[0];
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/1/messages.json');
    expect(r.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(r.body))).toEqual({
      token: 'app-tok',
      user: 'user-key',
      title: '[HQ] FAIL: web (https)',
      message: FAIL_BODY,
      priority: '1',
      timestamp: String(Date.UTC(2026, 0, 14, 5, 4) / 1000),
      device: 'phone',
    });
  });

  it('an invalid token (HTTP 400, status 0) is permanent and the token is not shown', async () => {
    rx.replies.push({ status: 400, body: '{"token":"invalid","errors":["application token is invalid"],"status":0}' });
    const e = await failure(send(entry('pushover', { apiUrl: `${rx.url}/m`, token: 'app-tok', user: 'user-key' }), passNote()));
    expect(e.permanent).toBe(true);
    expect(e.message).toContain('application token is invalid');
    expect(e.message).not.toContain('app-tok');
  });
});

describe('slack (and Mattermost, Rocket.Chat)', () => {
  it('POSTs {text} to the incoming webhook, Slack-escaped, with optional channel/username/icon', async () => {
    await send(
      entry('slack', { url: `${rx.url}/services/T0/B0/XYZ`, channel: '#ops', username: 'siteward', iconEmoji: ':dog:' }),
      failNote({ log: ['<urlopen error> & more'] }),
    );
    const r = rx.requests[0];
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/services/T0/B0/XYZ');
    expect(r.headers['content-type']).toBe('application/json');
    expect(JSON.parse(r.body)).toEqual({
      text: '*[HQ] FAIL: web (https)*\nweb (https) in FAIL state at 14 Jan 2026 05:04 UTC\n\nLog:\n\n&lt;urlopen error&gt; &amp; more',
      channel: '#ops',
      username: 'siteward',
      icon_emoji: ':dog:',
    });
  });

  it('escape off (Mattermost) sends the text as is', async () => {
    await send(entry('slack', { url: `${rx.url}/hooks/abc`, escape: false }), failNote({ log: ['a < b'] }));
    expect((JSON.parse(rx.requests[0].body) as { text: string }).text).toContain('a < b');
  });

  it('410 (channel archived) is permanent; 503 transient', async () => {
    rx.replies.push({ status: 410, body: 'channel_is_archived' }, { status: 503 });
    const e = entry('slack', { url: `${rx.url}/services/x` });
    expect((await failure(send(e, failNote()))).permanent).toBe(true);
    expect((await failure(send(e, failNote()))).permanent).toBe(false);
  });
});
