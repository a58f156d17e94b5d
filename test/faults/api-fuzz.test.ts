/**
 * Issue 15, fault suite: fuzzed REST API requests beside the web form and
 * MQTT fuzzers — every endpoint of the API's route table (a new endpoint is
 * fuzzed too) with wrong types, huge and deeply nested bodies, invalid
 * UTF-8, prototype keys, odd paths and headers, any token or none. No
 * answer is a 5xx, every error is the API's JSON error with a code, and the
 * site file stays valid JSON that loads. SITEWARD_FUZZ_SEED replays a run;
 * SITEWARD_FUZZ_REQUESTS changes its size.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { open, rename, link, unlink } from 'node:fs/promises';
import { parseSiteText } from '../../src/config/parse.ts';
import { validateSite } from '../../src/config/load.ts';
import { formatIssue } from '../../src/config/issues.ts';
import { checkTypes } from '../../src/checks/registry.ts';
import { actionTypes } from '../../src/actions/registry.ts';
import { restApi } from '../../src/api/app.ts';
import { siteTokens } from '../../src/api/tokens.ts';
import { openApiSite, type ApiTestSite } from '../api/helpers.ts';
import { Fuzz, NAMES, rng, value } from './web-fuzz.ts';

const SEED = Number(process.env.SITEWARD_FUZZ_SEED ?? Date.now() % 2 ** 31);
const REQUESTS = Number(process.env.SITEWARD_FUZZ_REQUESTS ?? 3000);

const BASE = {
  actions: { logit: { type: 'log' }, hook: { type: 'webhook', options: { url: 'http://127.0.0.1:1/hook' } } },
  checks: {
    root: { type: 'disk', options: { volume: '/', level: 100 } },
    ram: { type: 'memory', options: { level: 100 } },
    seq: { type: 'sequence', options: { checks: ['root', 'ram'] } },
  },
};
/**
 * Runs and tests stay on this machine: only a check or action of a local
 * type is run or tested (a fuzzed one could point anywhere, a sequence
 * could have gained such members, a webhook a new URL).
 */
const LOCAL_TYPES = new Set(['disk', 'memory', 'log']);
function runnable(kind: 'checks' | 'actions'): string[] {
  const section = (t.site.loaded.doc[kind] ?? {}) as Record<string, { type?: unknown }>;
  return Object.entries(section)
    .filter(([, e]) => typeof e?.type === 'string' && LOCAL_TYPES.has(e.type))
    .map(([n]) => n);
}

const PROTO = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];
const ODD_SEGMENTS = ['..', '.', '%2e%2e', '%00', '%ff%fe', '%E2%80%AE', 'a'.repeat(5000), '%2F', '🦆', '<script>', '', ' ', '%25', '\\'];

let t: ApiTestSite;
let endpoints: { method: string; path: string }[];

beforeAll(async () => {
  t = await openApiSite(
    { scheduler: { jitter: 0 }, ...BASE },
    {
      // fsync is not under test here: thousands of saves stay quick
      saveFs: { open: async (...a: Parameters<typeof open>) => Object.assign(await open(...a), { sync: () => Promise.resolve() }), rename, link, unlink },
    },
  );
  const seen = new Set<string>();
  endpoints = restApi({ site: t.site, tokens: siteTokens(t.site) })
    .routes.filter((r) => r.method !== 'ALL')
    .map((r) => ({ method: r.method, path: `/api/v1${r.path}` }))
    .filter((r) => !seen.has(`${r.method} ${r.path}`) && (seen.add(`${r.method} ${r.path}`), true));
});
afterAll(() => t?.close());

function fileProblems(): string[] {
  const parsed = parseSiteText(readFileSync(t.path, 'utf8'));
  if (parsed.doc === undefined) return parsed.issues.map(formatIssue);
  const site = validateSite(parsed.doc, { base: t.dir }, parsed.issues);
  return site.fatal ? site.issues.map(formatIssue) : [];
}

/** A JSON value that is wrong in some way, or plausible. */
function jsonValue(f: Fuzz, depth = 0): unknown {
  switch (f.int(depth > 2 ? 6 : 9)) {
    case 0:
      return value(f);
    case 1:
      return f.pick([0, -1, 1.5, 1e308, -0, 65536, 2 ** 53 + 1]);
    case 2:
      return f.pick([true, false, null]);
    case 3:
      return f.pick(NAMES);
    case 4:
      return { env: f.pick(['HOME', 'PATH', '']) };
    case 5:
      return { file: f.pick(['/etc/shadow', 'site.session-key', '']) };
    case 6:
      return Array.from({ length: f.int(4) }, () => jsonValue(f, depth + 1));
    default:
      return Object.fromEntries(
        Array.from({ length: 1 + f.int(3) }, () => [f.chance(0.2) ? f.pick(PROTO) : value(f, 'name').slice(0, 40), jsonValue(f, depth + 1)]),
      );
  }
}

/** A check or action as the API takes it, from a real type, then mutated. */
function entry(f: Fuzz, kind: 'check' | 'action'): Record<string, unknown> {
  const t0 = kind === 'check' ? f.pick(checkTypes) : f.pick(actionTypes);
  const options: Record<string, unknown> = {};
  const keys = Object.keys((t0.options as { shape?: object }).shape ?? {});
  for (const k of keys) if (f.chance(0.3)) options[k] = jsonValue(f);
  if (f.chance(0.1)) options[f.pick(PROTO)] = jsonValue(f);
  const e: Record<string, unknown> = { type: f.chance(0.9) ? t0.type : jsonValue(f), options };
  if (kind === 'check') {
    for (const k of ['trigger', 'threshold', 'retries', 'priority', 'paused', 'depends', 'actions', 'publish', 'failAction'])
      if (f.chance(0.15)) e[k] = jsonValue(f);
    if (f.chance(0.2)) e.trigger = { interval: { minutes: f.pick([5, -1, 0, 'x', 1e9]) } };
  }
  return e;
}

/** The body bytes of one request, and its content type. */
function body(f: Fuzz, method: string, path: string): { bytes: Uint8Array | string | undefined; type: string | undefined } {
  if (method === 'GET' && f.chance(0.9)) return { bytes: undefined, type: undefined };
  const json = (v: unknown): string => JSON.stringify(v);
  const kind = path.includes('/actions') ? 'action' : 'check';
  switch (f.int(12)) {
    case 0:
      return { bytes: '', type: 'application/json' };
    case 1:
      return { bytes: new Uint8Array([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0x22, 0x7d]), type: 'application/json' };
    case 2:
      return { bytes: `${'['.repeat(f.pick([50, 101, 3000]))}${']'.repeat(f.pick([50, 101, 3000]))}`, type: 'application/json' };
    case 3:
      return { bytes: json({ name: 'big', type: 'cpu', pad: 'x'.repeat(f.pick([100_000, 1_100_000])) }), type: 'application/json' };
    case 4:
      return { bytes: json({ ...entry(f, kind), name: f.pick(NAMES) }).slice(0, 1 + f.int(40)), type: 'application/json' };
    case 5:
      return {
        bytes: `{"__proto__": {"polluted": 1}, "name": "p${f.int(9)}", "type": "cpu", "constructor": {"prototype": {"x": 1}}}`,
        type: 'application/json',
      };
    case 6:
      return {
        bytes: json(entry(f, kind)),
        type: f.pick(['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data', undefined, 'application/json; charset=latin1']),
      };
    case 7:
      return { bytes: json(jsonValue(f)), type: 'application/json' };
    case 8:
      return {
        bytes: json({
          name: f.pick([...NAMES, 'x'.repeat(300), `fz-${f.int(20)}`]),
          scope: f.pick(['read', 'operate', 'admin', 'root', 1]),
          expires: f.pick(['1h', '30d', '2001-01-01', 'soon', 5]),
        }),
        type: 'application/json',
      };
    default:
      return { bytes: json({ name: `fz-${f.int(20)}`, ...entry(f, kind) }), type: 'application/json' };
  }
}

function concrete(f: Fuzz, path: string, method: string): string {
  const pick = (names: string[]): string => {
    if (f.chance(0.15)) return f.pick(ODD_SEGMENTS);
    if (f.chance(0.15)) return encodeURIComponent(f.pick(NAMES));
    return encodeURIComponent(f.pick(names.length ? names : ['root']));
  };
  const kind = path.includes('/actions') ? 'actions' : 'checks';
  if (/\/(run|test)$/.test(path)) {
    const local = runnable(kind);
    return local.length ? path.replace(':name', encodeURIComponent(f.pick(local))) : '/api/v1/status';
  }
  let p = path
    .replace(':name', pick(kind === 'actions' ? [...t.site.loaded.actions.keys()] : [...t.site.loaded.checks.keys()]))
    .replace(':id', f.pick(['1', '2', '0', '-1', 'x', '99999999999999999999', '1.5']));
  if (f.chance(0.05)) p = p.replace('/api/v1/', f.pick(['/api/v1//', '/api/v1/./', '/api//v1/', '/API/v1/']));
  if (f.chance(0.05)) p += f.pick(['?', '?limit=-1', '?from=x&to=%ff', `?name=${'a'.repeat(3000)}`, '#frag', '?state=PASS&state=FAIL']);
  return method === 'GET' && f.chance(0.1) ? `${p}/extra` : p;
}

describe('fuzzed REST API requests', () => {
  it(`no 5xx, every error the API's JSON with a code, the site file always loads (seed ${SEED})`, { timeout: 600_000 }, async () => {
    const f = new Fuzz(rng(SEED));
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    for (let i = 0; i < REQUESTS; i++) {
      // a fuzzed site loses its base checks and actions: put them back now and then
      if (i % 250 === 0)
        await t.site.mutate(
          (doc) => ({ ...doc, checks: { ...(doc.checks as object), ...BASE.checks }, actions: { ...(doc.actions as object), ...BASE.actions } }),
          { allowErrors: true },
        );
      const ep = f.chance(0.95) ? f.pick(endpoints) : { method: f.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']), path: f.pick(endpoints).path };
      const method = f.chance(0.05) ? f.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) : ep.method;
      const path = concrete(f, ep.path, method);
      const b = body(f, method, ep.path);
      const headers: Record<string, string> = {};
      const scope = f.pick(['admin', 'admin', 'admin', 'operate', 'read', null, 'garbage'] as const);
      if (scope === 'garbage') headers.authorization = f.pick(['Bearer ', 'Bearer swt_x', 'Basic YTpi', `Bearer ${'swt_'.padEnd(300, 'a')}`, 'bearer  swt_']);
      else if (scope) headers.authorization = `Bearer ${t.token[scope]}`;
      if (b.type) headers['content-type'] = b.type;
      if (f.chance(0.05))
        headers[f.pick(['x-forwarded-for', 'origin', 'accept', 'content-encoding', 'x-http-method-override'])] = f.pick([
          'gzip',
          '*/*',
          'DELETE',
          '127.0.0.1, evil',
          'null',
        ]);
      const label = `${method} ${path.slice(0, 120)} [${scope ?? 'none'}]`;
      let res: Response;
      try {
        res = await t.app.request(path, { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : b.bytes });
      } catch (e) {
        failures.push(`${label}: threw ${(e as Error).message}`);
        continue;
      }
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const text = await res.text();
      if (res.status >= 500) failures.push(`${label}: ${res.status} ${text.slice(0, 200)}`);
      // (a path outside /api/v1/, such as /API/v1 or /api//v1, is not the API: the server's plain 404)
      else if (res.status >= 400 && path.startsWith('/api/v1/')) {
        let code: unknown;
        try {
          code = (JSON.parse(text) as { error?: { code?: unknown } }).error?.code;
        } catch {
          code = undefined;
        }
        if (typeof code !== 'string') failures.push(`${label}: ${res.status} without the JSON error: ${text.slice(0, 120)}`);
      }
      if (i % 500 === 499) {
        const problems = fileProblems();
        if (problems.length) failures.push(`after ${i + 1} requests the site file does not load: ${problems.join('; ')}`);
      }
      if (failures.length > 20) break;
    }
    expect(failures, `seed ${SEED}; statuses ${JSON.stringify([...statuses])}`).toEqual([]);
    expect(fileProblems()).toEqual([]);
    expect(Object.prototype).not.toHaveProperty('polluted');
    // the fuzz reached the handlers: created things, refused things, found nothing
    for (const s of [200, 400, 401, 403, 404, 413]) expect(statuses.get(s) ?? 0, `status ${s}`).toBeGreaterThan(0);
  });
});
