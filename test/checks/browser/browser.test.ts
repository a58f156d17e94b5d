/**
 * The `browser` check in the real Chromium (Debian's, through
 * playwright-core) against local node:http(s) pages: a load with its time,
 * a login form filled and submitted and the welcome text expected, the
 * failures (a step that never succeeds: timeout, screenshot saved; 404;
 * refused connection; an untrusted certificate), and the shared browser:
 * launched once, at most MAX_PAGES pages at once, closed when idle.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import { existsSync, readFileSync, statSync, writeFileSync, mkdirSync, utimesSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import { browser, BrowserOptions } from '../../../src/checks/browser/index.ts';
import { describeFailure } from '../../../src/checks/browser/page.ts';
import { BrowserClient, browserClient } from '../../../src/checks/browser/client.ts';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { BrowserPool, findChromium, MAX_PAGES, NoBrowser } from '../../../src/checks/browser/pool.ts';
import { MAX_SHOTS, prune, shotFile } from '../../../src/checks/browser/shots.ts';
import { checkType } from '../../../src/checks/registry.ts';
import { runDirect } from '../../helpers/run-type.ts';
import { describeDaemon, HOST, tempDir } from '../../servers/common.ts';
import { createTestCa } from '../../servers/testca.ts';
import { startHttps, type Running } from '../../servers/tls-servers.ts';

const CHROMIUM = '/usr/bin/chromium';

const PAGE = `<!doctype html><html><head><title>Staff portal</title></head><body>
<h1>Staff portal</h1>
<form method="post" action="/login"><input id="user" name="user"><input id="pass" name="pass" type="password">
<button id="go" type="submit">Sign in</button></form></body></html>`;

function handler(req: IncomingMessage, res: ServerResponse): void {
  if (req.url === '/' || req.url === '/portal') {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end(PAGE);
  } else if (req.url === '/login' && req.method === 'POST') {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const f = new URLSearchParams(body);
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(f.get('pass') === 'hunter2' ? `<p id="hello">Welcome, ${f.get('user')}</p>` : '<p>Sign-in failed</p>');
    });
  } else {
    res.writeHead(404, { 'Content-Type': 'text/html' });
    res.end('<p>no such page</p>');
  }
}

describeDaemon('browser check in Chromium', [CHROMIUM], () => {
  let server: Server;
  let tlsServer: Running;
  let base: string;
  let dir: string;
  let cleanup: () => void;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    const t = tempDir('sw-browser-');
    dir = t.dir;
    cleanup = t.cleanup;
    server = createServer(handler);
    server.on('connection', (s) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    server.listen(0, HOST);
    await once(server, 'listening');
    base = `http://${HOST}:${(server.address() as AddressInfo).port}`;
    const ca = await createTestCa(dir);
    tlsServer = await startHttps(ca.valid, (_q, r) => r.end('<p>secure page</p>'));
  });

  afterAll(async () => {
    await browserClient.close();
    for (const s of sockets) s.destroy();
    server?.close();
    await tlsServer?.close();
    cleanup();
  });

  const run = (o: Record<string, unknown>, name = 'portal') => runDirect(browser, { url: `${base}/`, ...o }, { name, env: { base: dir } });

  it('loads the page: PASS, the load time as level and metric', async () => {
    const { outcome } = await run({});
    expect(outcome.fail, outcome.log.join('\n')).toBe(false);
    expect(outcome.log).toHaveLength(1);
    expect(outcome.log[0]).toMatch(new RegExp(`^${base}/: HTTP 200, loaded in \\d+\\.\\d\\d s$`));
    expect(outcome.level).toMatch(/^\d+\.\d\d s$/);
    expect(outcome.metrics?.map((m) => m.name)).toEqual(['load_time', 'response_time']);
  });

  it('steps: fills a login form (the password from the environment), submits it and finds the welcome text', async () => {
    process.env.SW_TEST_PORTAL_PW = 'hunter2';
    try {
      const { outcome } = await run({
        steps: [
          { fill: '#user', value: 'alice' },
          { fill: '#pass', value: { env: 'SW_TEST_PORTAL_PW' } },
          { click: '#go' },
          { waitFor: '#hello' },
          { expectText: 'Welcome, alice', selector: '#hello' },
        ],
      });
      expect(outcome.fail, outcome.log.join('\n')).toBe(false);
    } finally {
      delete process.env.SW_TEST_PORTAL_PW;
    }
  });

  it('a text that never shows fails at the timeout naming the step, and a screenshot of the page is saved', async () => {
    const { outcome, elapsed } = await run(
      { timeout: 4, steps: [{ fill: '#user', value: 'alice' }, { fill: '#pass', value: 'wrong' }, { click: '#go' }, { expectText: 'Welcome' }] },
      'staff portal/login',
    );
    expect(outcome.fail).toBe(true);
    expect(elapsed).toBeLessThan(5500);
    expect(outcome.log[1]).toBe(`${HOST} TimeoutError: no result within 4 s (at step 4 (expectText "Welcome"))`);
    const file = shotFile('staff portal/login');
    expect(outcome.log[2]).toBe(`screenshot: ${file}`);
    expect(file).toMatch(/^screenshots\/staff_portal_login-[0-9a-f]{8}\.png$/);
    const path = join(dir, file);
    const end = Date.now() + 15_000;
    // the file appears whole (written beside it and renamed into place: never half a PNG)
    while (!existsSync(path) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    expect(readFileSync(path).subarray(1, 4).toString()).toBe('PNG');
    expect(statSync(path).size).toBeLessThan(1 << 20);
  });

  it('a page that answers 404 fails with HTTPError', async () => {
    const { outcome } = await run({ url: `${base}/nothing`, screenshot: false });
    expect(outcome.fail).toBe(true);
    expect(outcome.log[1]).toBe(`${HOST} HTTPError: the page answered HTTP 404`);
    expect(outcome.log).toHaveLength(2);
  });

  it('a refused connection fails with ConnectionRefusedError', async () => {
    const port = (server.address() as AddressInfo).port;
    const closed = createServer();
    closed.listen(0, HOST);
    await once(closed, 'listening');
    const free = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    expect(free).not.toBe(port);
    const { outcome } = await run({ url: `http://${HOST}:${free}/`, screenshot: false });
    expect(outcome.fail).toBe(true);
    expect(outcome.log).toEqual([`${HOST} ConnectionRefusedError: net::ERR_CONNECTION_REFUSED at http://${HOST}:${free}/`]);
  });

  it('an untrusted certificate fails labelled certificate; selfsigned accepts it', async () => {
    const url = `https://localhost:${tlsServer.port}/`;
    const bad = await run({ url, screenshot: false });
    expect(bad.outcome.fail).toBe(true);
    expect(bad.outcome.softFail).toBe('certificate');
    expect(bad.outcome.log[0]).toMatch(/^localhost SSLCertVerificationError: net::ERR_CERT_/);
    expect((await run({ url, selfsigned: true })).outcome.fail).toBe(false);
  });

  it('one browser is shared: parallel runs launch no second one and hold at most MAX_PAGES pages at once', async () => {
    const before = (await browserClient.stats())!;
    const outcomes = await Promise.all(Array.from({ length: 5 }, (_, i) => run({}, `parallel-${i}`)));
    for (const { outcome } of outcomes) expect(outcome.fail, outcome.log.join('\n')).toBe(false);
    const after = (await browserClient.stats())!;
    expect(browserClient.started).toBe(1);
    expect(after.launches - before.launches).toBeLessThanOrEqual(1);
    expect(after.launches).toBeGreaterThanOrEqual(1);
    expect(after.peak).toBe(MAX_PAGES);
    expect(after.active).toBe(0);
  });

  it("Playwright loads and runs in a worker thread: the engine's event loop is not blocked", async () => {
    const fresh = new BrowserClient();
    const lag = monitorEventLoopDelay({ resolution: 10 });
    lag.enable();
    try {
      const outcome = await fresh.run(
        {
          url: `${base}/`,
          waitUntil: 'load',
          steps: [],
          selfsigned: false,
          screenshot: false,
          name: 'lag',
          base: dir,
          timeoutMs: 30_000,
        },
        new AbortController().signal,
      );
      expect(outcome.fail, outcome.log.join('\n')).toBe(false);
    } finally {
      lag.disable();
      await fresh.close();
    }
    // the direct proof: playwright-core (CommonJS) was never loaded on this thread — importing it here
    // would put its files in this thread's module cache (and block the loop for 0.5–2 s of CPU)
    expect(Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes('/playwright-core/'))).toEqual([]);
    // and the loop kept turning: a bound loose enough for a loaded machine (an import here blocks it for
    // 0.5–2 s of CPU, many times that when the machine is busy)
    expect(lag.max / 1e6).toBeLessThan(3000);
  });

  it('a pool closes its browser once idle, and launches again when needed', async () => {
    const pool = new BrowserPool({ maxPages: 1, idleMs: 300 });
    try {
      const signal = new AbortController().signal;
      let closedIdle = 0;
      pool.onIdleClose = () => closedIdle++;
      const lease = await pool.acquire(signal, { ignoreHTTPSErrors: false });
      const b = lease.context.browser()!;
      expect(b.isConnected()).toBe(true);
      await lease.release();
      const end = Date.now() + 10_000;
      while (b.isConnected() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
      expect(b.isConnected()).toBe(false);
      expect(pool.stats()).toMatchObject({ running: false, launches: 1 });
      await expect.poll(() => closedIdle).toBe(1);
      const again = await pool.acquire(signal, { ignoreHTTPSErrors: false });
      expect(pool.stats()).toMatchObject({ running: true, launches: 2 });
      await again.release();
    } finally {
      await pool.close();
    }
  });
});

describe('browser check: options, screenshots, failures', () => {
  it("only http(s) URLs (no file:// to read the host's files)", () => {
    const r = BrowserOptions.safeParse({ url: 'file:///etc/passwd' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ['url'], message: 'an http:// or https:// URL' });
  });

  it('a step with an unknown shape is refused at load', () => {
    const r = BrowserOptions.safeParse({ url: 'http://h/', steps: [{ clik: '#go' }] });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].path).toEqual(['steps', 0]);
  });

  it('without Chromium the run fails naming where it looked', () => {
    expect(() => findChromium({ SITEWARD_CHROMIUM: '/nonexistent/chromium' })).toThrow(
      'no Chromium at /nonexistent/chromium (install the chromium package or set SITEWARD_CHROMIUM)',
    );
    expect(new NoBrowser('x').name).toBe('FileNotFoundError');
  });

  it('the type is admin-only', () => {
    expect(checkType('browser')?.adminOnly).toBe('runs a browser on this host');
  });

  it("failure names: Playwright's prefix and call log dropped; DNS failure is gaierror", () => {
    const e = new Error('page.goto: net::ERR_NAME_NOT_RESOLVED at http://nosuch.invalid/\nCall log:\n  - navigating');
    expect(describeFailure(e)).toEqual({ name: 'gaierror', message: 'net::ERR_NAME_NOT_RESOLVED at http://nosuch.invalid/', certificate: false });
  });

  it(`at most ${MAX_SHOTS} screenshots are kept: the oldest go`, async () => {
    const t = tempDir('sw-shots-');
    try {
      mkdirSync(join(t.dir, 'screenshots'));
      for (let i = 0; i < MAX_SHOTS + 5; i++) {
        const p = join(t.dir, 'screenshots', `c${i}.png`);
        writeFileSync(p, 'x');
        utimesSync(p, 1000 + i, 1000 + i);
      }
      await prune(t.dir);
      const left = readdirSync(join(t.dir, 'screenshots')).sort((a, b) => Number(a.slice(1, -4)) - Number(b.slice(1, -4)));
      expect(left).toHaveLength(MAX_SHOTS);
      expect(left[0]).toBe('c5.png');
    } finally {
      t.cleanup();
    }
  });
});
