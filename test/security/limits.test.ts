/**
 * Issue 15, "no body limit": a body larger than its route allows is
 * answered 413 before it is read (on a real socket: the answer comes while
 * the client has sent nothing of the announced 50 MB), per route — forms
 * and JSON 1 MiB, the raw site editor 32 MiB — on the web UI's port and on
 * the API listener; and strings in the configuration have limits with a
 * clear error (a 10 MB host name is refused, the site file stays as it was).
 */
import { openSite, apiSiteView, webSiteView } from '../../src/wiring.ts';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { connect } from 'node:net';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Site } from '../../src/site.ts';
import { WebService } from '../../src/web/server.ts';
import { WEB_MIGRATIONS } from '../../src/web/sessions.ts';
import { API_MIGRATIONS, siteTokens } from '../../src/api/tokens.ts';
import { API_PATH_PREFIXES, apiRoutes, createApiContext } from '../../src/api/app.ts';
import { ApiService } from '../../src/api/service.ts';
import { BODY_LIMITS } from '../../src/util/body-limit.ts';
import { Agent, PASSWORDS, fastHash, webSite, withApi, type TestSite } from '../web/helpers.ts';
import { freePort, tempDir } from '../servers/common.ts';

/** Sends only the request head announcing `length` bytes; resolves with the status line of whatever answers, or 'timeout'. */
function announce(port: number, path: string, length: number, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      s.destroy();
      resolve('timeout');
    }, 10_000);
    s.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      if (got.includes('\r\n')) {
        clearTimeout(timer);
        s.destroy();
        resolve(got.split('\r\n')[0]);
      }
    });
    s.on('error', () => undefined);
    const head = Object.entries({ Host: 'localhost', 'Content-Type': 'application/x-www-form-urlencoded', ...headers, 'Content-Length': String(length) })
      .map(([k, v]) => `${k}: ${v}`)
      .join('\r\n');
    s.write(`POST ${path} HTTP/1.1\r\n${head}\r\n\r\n`);
  });
}

describe('bodies beyond the limit are refused before they are read', () => {
  const dir = tempDir('sw-limits-');
  let site: Site;
  let webPort = 0;
  let apiPort = 0;
  beforeAll(async () => {
    const path = join(dir.dir, 'site.json');
    apiPort = await freePort();
    writeFileSync(
      path,
      JSON.stringify({
        webui: { name: 'L', hostname: '127.0.0.1', port: null, users: { admin: await fastHash('admin-pass-1') } },
        api: { hostname: '127.0.0.1', port: apiPort },
        checks: {},
      }),
    );
    site = await openSite({ configPath: path, migrations: [WEB_MIGRATIONS, API_MIGRATIONS] });
    // one API state for both listeners, as wiring.ts does
    const api = createApiContext(apiSiteView(site));
    const web = new WebService(webSiteView(site), { port: 0 }).mount('/', apiRoutes(api), { exempt: API_PATH_PREFIXES });
    site.use(web).use(new ApiService({ hostname: '127.0.0.1', port: apiPort }, api, site));
    await site.start();
    webPort = web.address()!.port;
  });
  afterAll(async () => {
    await site.stop();
    dir.cleanup();
  });

  for (const [where, path, headers] of [
    ['web UI: /login', '/login', {}],
    ['web UI: a page form', '/check', {}],
    ['web UI: the raw editor', '/config/raw', {}],
    ['web UI: /api/v1/checks', '/api/v1/checks', { 'Content-Type': 'application/json' }],
    ['web UI: a push heartbeat', '/push/abcdefghijklmnopqrstu', { 'Content-Type': 'text/plain' }],
  ] as const) {
    it(`${where}: 50 MB announced, 413 at once`, async () => {
      expect(await announce(webPort, path, 50 * 1024 * 1024, headers)).toBe('HTTP/1.1 413 Payload Too Large');
    });
  }

  it('the API listener: 50 MB announced to /api/v1/checks with no token is 413 at once, as JSON', async () => {
    expect(await announce(apiPort, '/api/v1/checks', 50 * 1024 * 1024, { 'Content-Type': 'application/json' })).toBe('HTTP/1.1 413 Payload Too Large');
    const token = siteTokens(site).create({ name: 'x', scope: 'admin' }).secret;
    const res = await fetch(`http://127.0.0.1:${apiPort}/api/v1/checks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', type: 'cpu', pad: 'y'.repeat(BODY_LIMITS.default) }),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('connection')).toBe('close');
    expect(await res.json()).toMatchObject({ error: { code: 'payload_too_large', message: expect.stringMatching(/larger than 1 MiB/) } });
  });

  it('a chunked body (no length announced) is cut at the limit too', async () => {
    const big = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < 3; i++) c.enqueue(new Uint8Array(512 * 1024).fill(0x61));
        c.close();
      },
    });
    const res = await fetch(`http://127.0.0.1:${webPort}/login`, {
      method: 'POST',
      body: big,
      duplex: 'half',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    } as RequestInit);
    expect(res.status).toBe(413);
  });
});

describe('per route: the raw editor takes a site file larger than a form may be', () => {
  let t: TestSite;
  beforeAll(async () => {
    t = await webSite({ app: (site) => withApi(site) });
  });
  afterAll(() => t.close());

  it('2 MiB to the raw editor is read (and judged); 2 MiB to a check form is 413', async () => {
    const a = new Agent(t.web);
    await a.login('admin', PASSWORDS.admin);
    await a.page('/config/raw');
    const text = JSON.stringify({ ...t.site.loaded.doc, padding: 'x'.repeat(2 * 1024 * 1024) });
    const raw = await a.post('/config/raw/check', { text });
    expect(raw.status).toBe(200);
    expect(await raw.text()).toMatch(/padding: is \d+ characters long; at most 65536 are allowed/);
    const form = await a.post('/check', { name: 'big', checkType: 'cpu', pad: 'x'.repeat(2 * 1024 * 1024) });
    expect(form.status).toBe(413);
    expect(await form.text()).toMatch(/larger than 1 MiB/);
  });
});

describe('strings in the configuration are limited, with a clear error', () => {
  let t: TestSite;
  beforeAll(async () => {
    t = await webSite({ app: (site) => withApi(site), migrations: [] });
  });
  afterAll(() => t.close());

  it('a 10 MB host name through the raw editor is refused with its path; the file and its .bak keep their size', async () => {
    const a = new Agent(t.web);
    await a.login('admin', PASSWORDS.admin);
    const page = await a.page('/config/raw');
    const version = /name="version" value="([^"]+)"/.exec(page)![1];
    const before = readFileSync(t.path, 'utf8');
    const doc = JSON.parse(before) as { checks: Record<string, unknown> };
    doc.checks.huge = { type: 'https', options: { hostname: `${'a'.repeat(10 * 1024 * 1024)}.example` } };
    const res = await a.post('/config/raw', { text: JSON.stringify(doc), version });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/checks\[&quot;huge&quot;\]\.options\.hostname: is \d+ characters long; at most 65536 are allowed/);
    expect(readFileSync(t.path, 'utf8')).toBe(before);
    expect(statSync(t.path).size).toBeLessThan(100_000);
  });

  it('through the API: a 300-character host name (400) and a 70 KB template (422) are refused with their paths; nesting too deep is 400', async () => {
    const token = siteTokens(t.site).create({ name: 'l', scope: 'admin' }).secret;
    const post = (path: string, body: string): Promise<Response> =>
      Promise.resolve(
        t.web.app.request(path, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body,
        }),
      );
    const host = await post('/api/v1/checks', JSON.stringify({ name: 'h', type: 'https', options: { hostname: 'h'.repeat(300) } }));
    expect(host.status).toBe(400);
    expect(await host.json()).toMatchObject({
      error: { code: 'invalid_request', issues: [{ path: ['options', 'hostname'], message: expect.stringMatching(/maximum 260|too long for a host name/) }] },
    });
    const tpl = await post(
      '/api/v1/actions',
      JSON.stringify({ name: 'w', type: 'webhook', options: { url: 'http://127.0.0.1:9/x', body: 'b'.repeat(70_000) } }),
    );
    expect(tpl.status).toBe(422);
    expect(JSON.stringify(await tpl.json())).toMatch(/options\.body.*at most 65536/);
    const deep = await post('/api/v1/checks', `{"name":"d","type":"cpu","options":{"x":${'['.repeat(5000)}${']'.repeat(5000)}}}`);
    expect(deep.status).toBe(400);
    expect(await deep.json()).toMatchObject({ error: { code: 'invalid_request', message: expect.stringMatching(/nested more than 100 levels/) } });
    const bad = await t.web.app.request('/api/v1/checks', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { message: 'the request body is not valid UTF-8' } });
    expect(t.site.entry('h')).toBeUndefined();
  });

  it('a JSON field of a form nested deeper than a site file may be is refused; the file stays loadable', async () => {
    const a = new Agent(t.web);
    await a.login('admin', PASSWORDS.admin);
    await a.page('/action');
    const body = `{"H":${'['.repeat(95)}${']'.repeat(95)}}`;
    const res = await a.post('/action', {
      name: 'deep',
      actionType: 'webhook',
      'opt.url.src': 'inline',
      'opt.url': 'http://127.0.0.1:9/x',
      'opt.body.as': 'json',
      'opt.body': body,
    });
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/nested more than 90 levels deep/);
    expect(t.site.action('deep')).toBeUndefined();
  });
});
