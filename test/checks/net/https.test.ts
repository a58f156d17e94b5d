/**
 * https (spec §4.5) against node:https and node:http servers: fletchck's
 * `(status, "<raw header block>")` log line, method and path, no redirects,
 * and siteward's optional expected status and body text.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createTestCa, type TestCa } from '../../servers/testca.ts';
import { startHttp, startHttps, type Handler, type Running } from '../../servers/tls-servers.ts';
import { tempDir } from '../../servers/common.ts';
import { checkType } from '../../../src/checks/registry.ts';
import { runCheck, metric, parseOptions } from './harness.ts';
import { statusMatches } from '../../../src/checks/https/status.ts';

let ca: TestCa;
let cleanup: () => void;
const servers: Running[] = [];
const seen: { method?: string; url?: string; headers: Record<string, string | string[] | undefined> }[] = [];

/** Answers by path; records what was asked. */
const handler: Handler = (req, res) => {
  seen.push({ method: req.method, url: req.url, headers: req.headers });
  const url = req.url ?? '/';
  if (url === '/missing') {
    res.writeHead(404, { 'Content-Type': "text/plain; note='x'", 'X-Two': ['a', 'b'] });
    res.end('nothing here');
  } else if (url === '/moved') {
    res.writeHead(302, { Location: '/elsewhere' });
    res.end();
  } else if (url === '/big') {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.write('x'.repeat(1 << 20));
    res.end('NEEDLE');
  } else if (url === '/error') {
    res.writeHead(503);
    res.end('down for maintenance');
  } else {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<html><body>All systems go</body></html>');
  }
};

let tlsPort: number;
let plainPort: number;

beforeAll(async () => {
  const t = tempDir('sw-https-');
  cleanup = t.cleanup;
  ca = await createTestCa(t.dir);
  const a = await startHttps(ca.valid, handler);
  const b = await startHttp(handler);
  servers.push(a, b);
  tlsPort = a.port;
  plainPort = b.port;
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  cleanup();
});

const https = (o: Record<string, unknown>) => runCheck('https', { hostname: 'localhost', port: tlsPort, ca: ca.caFile, ...o });

describe('https as in fletchck', () => {
  it("HEAD / by default; logs one readable line: status, reason, time and the headers folded (not fletchck's Python tuple)", async () => {
    seen.length = 0;
    const o = await https({});
    expect(o.fail).toBe(false);
    expect(seen.map((s) => [s.method, s.url])).toEqual([['HEAD', '/']]);
    expect(seen[0].headers.host).toBe(`localhost:${tlsPort}`);
    expect(seen[0].headers['accept-encoding']).toBe('identity');
    expect(o.log).toHaveLength(1);
    expect(o.log[0]).toMatch(/^HTTP 200 OK in \d+ ms · Content-Type: text\/html · Date: [^·]+ GMT · Connection: keep-alive · Keep-Alive: timeout=5$/);
    expect(o.level).toBe('90 days');
    expect(metric(o, 'response_time')).toBeGreaterThanOrEqual(0);
  });

  it('any status passes without expectStatus, even 404; headers keep order, case and repeats', async () => {
    const o = await https({ reqType: 'GET', reqPath: '/missing' });
    expect(o.fail).toBe(false);
    expect(o.log[0]).toMatch(/^HTTP 404 Not Found in \d+ ms · Content-Type: text\/plain; note='x' · X-Two: a · X-Two: b · Date: [^·]+ GMT · /);
  });

  it('does not follow redirects', async () => {
    seen.length = 0;
    const o = await https({ reqPath: '/moved' });
    expect(o.fail).toBe(false);
    expect(o.log[0]).toMatch(/^HTTP 302 Found in \d+ ms · Location: \/elsewhere ·/);
    expect(seen.map((s) => s.url)).toEqual(['/moved']);
  });

  it('plain HTTP with tls false: no certificate, no level', async () => {
    const o = await runCheck('https', { hostname: '127.0.0.1', port: plainPort, tls: false });
    expect(o.fail).toBe(false);
    expect(o.log[0]).toMatch(/^HTTP 200 OK in \d+ ms · Content-Type: text\/html ·/);
    expect(o.level).toBeNull();
    expect(seen.at(-1)!.headers.host).toBe(`127.0.0.1:${plainPort}`);
  });
});

describe('https expectations (siteward)', () => {
  it('expectStatus: a code, a range, a class or a list', async () => {
    expect((await https({ expectStatus: 200 })).fail).toBe(false);
    expect((await https({ expectStatus: '200-299' })).fail).toBe(false);
    expect((await https({ expectStatus: [301, '2xx'] })).fail).toBe(false);
    const o = await https({ reqPath: '/error', expectStatus: [200, '300-399'] });
    expect(o.fail).toBe(true);
    expect(o.softFail).toBeNull();
    expect(o.log).toHaveLength(2);
    expect(o.log[0]).toMatch(/^HTTP 503 Service Unavailable in \d+ ms · /);
    expect(o.log[1]).toBe('Unexpected status 503, expected 200, 300-399');
  });

  it('expectBody: GET by default, passes when the text is in the body', async () => {
    seen.length = 0;
    const o = await https({ expectBody: 'systems go' });
    expect(o.fail).toBe(false);
    expect(seen.map((s) => s.method)).toEqual(['GET']);
  });

  it('expectBody: fails when the text is missing, naming it', async () => {
    const o = await https({ reqPath: '/missing', expectBody: 'All systems go' });
    expect(o.fail).toBe(true);
    expect(o.log.at(-1)).toBe("Body does not contain 'All systems go'");
  });

  it('expectBody: only the first MiB is searched', async () => {
    const o = await https({ reqPath: '/big', expectBody: 'NEEDLE' });
    expect(o.fail).toBe(true);
    expect(o.log.at(-1)).toBe(`Body does not contain 'NEEDLE' in the first ${1 << 20} bytes`);
  });

  it('expectBody with reqType HEAD is a configuration error', () => {
    const t = checkType('https')!;
    const opts = parseOptions('https', { hostname: 'h', reqType: 'HEAD', expectBody: 'x' });
    expect(t.validate!(opts, { base: '/', pluginDirs: [], sysRoot: '/sys', procRoot: '/proc' })).toEqual([
      { path: ['reqType'], message: 'a HEAD response has no body: use GET with expectBody' },
    ]);
  });

  it('status specs match as documented', () => {
    expect(statusMatches('2xx', 204)).toBe(true);
    expect(statusMatches('2xx', 300)).toBe(false);
    expect(statusMatches(['200-204', 301], 301)).toBe(true);
    expect(statusMatches(['200-204', 301], 205)).toBe(false);
    expect(statusMatches('404', 404)).toBe(true);
  });
});
