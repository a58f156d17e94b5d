/**
 * https `expectJson` (siteward) against a node:https health endpoint: GET by
 * default, JSONPath (RFC 9535) queries with value tests, every selected value
 * tested, the failing node named, a body that is not JSON or too big fails,
 * and bad assertions are refused at load.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createTestCa, type TestCa } from '../../servers/testca.ts';
import { startHttps, type Handler, type Running } from '../../servers/tls-servers.ts';
import { tempDir } from '../../servers/common.ts';
import { checkType } from '../../../src/checks/registry.ts';
import { HttpsOptions } from '../../../src/checks/https/index.ts';
import { runCheck, parseOptions } from './harness.ts';

const healthy = {
  status: 'ok',
  version: '2.4.1',
  checks: [
    { name: 'db', state: 'up', latency: 12 },
    { name: 'cache', state: 'up', latency: 3 },
  ],
};
const degraded = {
  status: 'degraded',
  version: '2.4.1',
  checks: [
    { name: 'db', state: 'up', latency: 12 },
    { name: 'cache', state: 'down', latency: null },
  ],
};

let ca: TestCa;
let cleanup: () => void;
let server: Running;
const methods: string[] = [];

const handler: Handler = (req, res) => {
  methods.push(req.method ?? '');
  const json = (v: unknown): void => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(v));
  };
  if (req.url === '/health') json(healthy);
  else if (req.url === '/degraded') json(degraded);
  else if (req.url === '/big') json({ status: 'ok', pad: 'x'.repeat(1 << 20) });
  else {
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<html>ok</html>');
  }
};

beforeAll(async () => {
  const t = tempDir('sw-json-');
  cleanup = t.cleanup;
  ca = await createTestCa(t.dir);
  server = await startHttps(ca.valid, handler);
});
afterAll(async () => {
  await server.close();
  cleanup();
});

const check = (reqPath: string, expectJson: unknown[], o: Record<string, unknown> = {}) =>
  runCheck('https', { hostname: 'localhost', port: server.port, ca: ca.caFile, reqPath, expectJson, ...o });

describe('https expectJson', () => {
  it('a health endpoint\'s status == "ok": GET is sent (HEAD has no body) and the run passes', async () => {
    methods.length = 0;
    const o = await check('/health', [{ path: '$.status', equals: 'ok' }]);
    expect(o.fail, o.log.join('\n')).toBe(false);
    expect(methods).toEqual(['GET']);
    expect(o.log).toHaveLength(1);
    expect(o.log[0]).toMatch(/^HTTP 200 OK in \d+ ms · Content-Type: application\/json · /);
  });

  it('a value that differs fails, naming the query, the value and the expectation', async () => {
    const o = await check('/degraded', [{ path: '$.status', equals: 'ok' }]);
    expect(o.fail).toBe(true);
    expect(o.log.at(-1)).toBe('JSON $.status is "degraded", expected "ok"');
  });

  it('every value a wildcard selects must pass; the failing one is named by its normalized path', async () => {
    expect((await check('/health', [{ path: '$.checks[*].state', equals: 'up' }])).fail).toBe(false);
    const o = await check('/degraded', [{ path: '$.checks[*].state', equals: 'up' }]);
    expect(o.fail).toBe(true);
    expect(o.log.at(-1)).toBe(`JSON $['checks'][1]['state'] is "down", expected "up"`);
  });

  it('min/max need numbers; matches tests text; all assertions must hold', async () => {
    const ok = await check('/health', [
      { path: '$.checks[*].latency', min: 0, max: 50 },
      { path: '$.version', matches: '^2\\.' },
      { path: '$.status', notEquals: 'down' },
    ]);
    expect(ok.fail, ok.log.join('\n')).toBe(false);
    const slow = await check('/health', [{ path: '$.checks[0].latency', max: 10 }]);
    expect(slow.log.at(-1)).toBe('JSON $.checks[0].latency is 12, expected at most 10');
    const none = await check('/degraded', [{ path: '$.checks[*].latency', max: 50 }]);
    expect(none.log.at(-1)).toBe(`JSON $['checks'][1]['latency'] is null, not a number (expected at most 50)`);
  });

  it('an RFC 9535 filter: no check whose state is not "up" (exists false)', async () => {
    const q = [{ path: "$.checks[?@.state != 'up']", exists: false }];
    expect((await check('/health', q)).fail).toBe(false);
    const o = await check('/degraded', q);
    expect(o.fail).toBe(true);
    expect(o.log.at(-1)).toBe("JSON $.checks[?@.state != 'up'] selects 1 value, expected none");
  });

  it('a query that selects nothing fails', async () => {
    const o = await check('/health', [{ path: '$.uptime' }]);
    expect(o.fail).toBe(true);
    expect(o.log.at(-1)).toBe('JSON $.uptime selects nothing');
  });

  it("a body that is not JSON fails with the parser's reason", async () => {
    const o = await check('/', [{ path: '$.status', equals: 'ok' }]);
    expect(o.fail).toBe(true);
    expect(o.log.at(-1)).toMatch(/^Body is not JSON: Unexpected token/);
  });

  it('a body over 1 MiB is not parsed (bounded memory)', async () => {
    const o = await check('/big', [{ path: '$.status', equals: 'ok' }]);
    expect(o.fail).toBe(true);
    expect(o.log.at(-1)).toBe(`Body is larger than ${1 << 20} bytes: not read as JSON`);
  });

  it('with expectBody too, both must hold', async () => {
    expect((await check('/health', [{ path: '$.status', equals: 'ok' }], { expectBody: 'cache' })).fail).toBe(false);
    const o = await check('/health', [{ path: '$.status', equals: 'ok' }], { expectBody: 'nowhere' });
    expect(o.log.at(-1)).toBe("Body does not contain 'nowhere'");
  });
});

describe('https expectJson: configuration errors at load', () => {
  const issues = (raw: Record<string, unknown>) => HttpsOptions.safeParse({ hostname: 'h', ...raw }).error?.issues ?? [];

  it('a malformed JSONPath query names its place', () => {
    const i = issues({
      expectJson: [
        { path: '$.status', equals: 'ok' },
        { path: '$.checks[', equals: 1 },
      ],
    });
    expect(i.map((x) => [x.path, x.message])).toEqual([[['expectJson', 1, 'path'], 'not a JSONPath query (RFC 9535), e.g. "$.status" or "$.checks[*].state"']]);
  });

  it('an unknown key (a typo such as "equal") is refused', () => {
    const i = issues({ expectJson: [{ path: '$.status', equal: 'ok' }] });
    expect(i).toHaveLength(1);
    expect(i[0].path).toEqual(['expectJson', 0]);
    expect(i[0].code).toBe('unrecognized_keys');
  });

  it('a regular expression that does not compile is refused', () => {
    expect(issues({ expectJson: [{ path: '$.v', matches: '(' }] }).map((x) => x.message)).toEqual(['not a valid regular expression']);
  });

  it('reqType HEAD with expectJson is refused by the type', () => {
    const opts = parseOptions('https', { hostname: 'h', reqType: 'HEAD', expectJson: [{ path: '$.status' }] });
    expect(checkType('https')!.validate!(opts, { base: '/', pluginDirs: [], sysRoot: '/sys', procRoot: '/proc' })).toEqual([
      { path: ['reqType'], message: 'a HEAD response has no body: use GET with expectJson' },
    ]);
  });
});
