/**
 * One name rule and one topic rule (src/config/names.ts) wherever a name or
 * a topic enters: the site file (an error at its JSON path), the REST API,
 * the web UI's forms, `--merge` (CSV and JSON) and MQTT autoadd. A name the
 * file accepts can be read and edited through the API and travels to peers.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { validateSite } from '../../src/config/load.ts';
import { formatIssue } from '../../src/config/issues.ts';
import { csvToImport, mergeJson } from '../../src/config/merge.ts';
import { MAX_NAME, nameProblem, topicFilterProblem, topicProblem } from '../../src/config/names.ts';
import { openApiSite } from '../api/helpers.ts';
import { Agent, PASSWORDS, webSite } from '../web/helpers.ts';
import { startAedes, type AedesBroker } from '../servers/aedes.ts';
import { openSite, mqttSection, peer, fletchckPayload, captureLogger } from '../federation/helpers.ts';

/** Names that cannot travel, each with the words of its problem. */
const BAD_NAMES: [string, string, RegExp][] = [
  ['empty', '', /required/],
  ['blank', '   ', /blank/],
  ['a NUL', 'a\u0000b', /control character/],
  ['a tab', 'a\tb', /control character/],
  ['a C1 control', 'a\u0085b', /control character/],
  ['too long', 'n'.repeat(MAX_NAME + 1), new RegExp(`${MAX_NAME + 1} characters long; at most ${MAX_NAME}`)],
  ['a dot', '.', /folder step/],
  ['two dots', '..', /folder step/],
  ['__proto__', '__proto__', /reserved/],
  ['constructor', 'constructor', /reserved/],
  ['prototype', 'prototype', /reserved/],
];

/** A site document whose `checks` and `actions` hold `name`, built as JSON text so `__proto__` is an own key. */
function docWith(name: string): Record<string, unknown> {
  const n = JSON.stringify(name);
  return JSON.parse(`{"actions": {${n}: {"type": "log"}}, "checks": {${n}: {"type": "memory"}, "ok": {"type": "memory"}}}`) as Record<string, unknown>;
}

describe('the name rule', () => {
  it.each(BAD_NAMES)(
    'a name that is %s is refused with its reason',
    (_what, name, why) => {
      expect(nameProblem(name)).toMatch(why);
    },
    120_000,
  );

  it('accepts what fletchck users write: spaces, unicode, punctuation, slashes, up to the limit', () => {
    for (const ok of ['web', 'web disk', 'Mail (HQ) – IMAP', 'ns1.example.org', 'a/b', '日本', '…', 'n'.repeat(MAX_NAME), '.hidden', 'x..y']) {
      expect(nameProblem(ok), ok).toBeNull();
    }
  }, 120_000);

  it.each(BAD_NAMES)(
    'the site file: a check and an action named %s are errors at their paths, the rest of the site runs',
    (_what, name, why) => {
      const site = validateSite(docWith(name), { base: '/tmp' });
      expect(site.fatal).toBe(false);
      for (const kind of ['checks', 'actions'] as const) {
        const issue = site.issues.find((i) => i.path.length === 2 && i.path[0] === kind && i.path[1] === name);
        expect(issue, `${kind}: ${site.issues.map(formatIssue).join('\n')}`).toMatchObject({ severity: 'error' });
        expect(issue!.message).toMatch(why);
      }
      expect(site.checks.get(name)?.active).toBe(false);
      expect(site.actions.get(name)?.active).toBe(false);
      expect(site.checks.get('ok')?.active).toBe(true);
    },
    120_000,
  );

  it('prototype keys inside check and action options are errors at their paths, at any depth', () => {
    const site = validateSite(
      JSON.parse(`{
      "actions": {"hook": {"type": "webhook", "options": {"url": "http://127.0.0.1:1/", "headers": {"__proto__": {"x": "1"}}}}},
      "checks": {"c": {"type": "memory", "options": {"constructor": 1, "deep": [{"prototype": 2}]}}}
    }`),
      { base: '/tmp' },
    );
    const errors = site.issues.filter((i) => i.severity === 'error').map(formatIssue);
    expect(errors).toContain('actions["hook"].options.headers.__proto__: "__proto__" is reserved and cannot be an option name');
    expect(errors).toContain('checks["c"].options.constructor: "constructor" is reserved and cannot be an option name');
    expect(errors).toContain('checks["c"].options.deep[0].prototype: "prototype" is reserved and cannot be an option name');
    expect(site.checks.get('c')?.active).toBe(false);
    expect(site.actions.get('hook')?.active).toBe(false);
  }, 120_000);
});

describe('the topic rule', () => {
  it('a publish topic with a wildcard or NUL is an error at checks[…].publish; an empty one means "not published"', () => {
    const site = validateSite(
      {
        checks: {
          plus: { type: 'memory', publish: 'sw/+/x' },
          hash: { type: 'memory', publish: 'sw/#' },
          nul: { type: 'memory', publish: 'a\u0000b' },
          fine: { type: 'memory', publish: 'sw/a b/ü' },
          none: { type: 'memory', publish: '' },
          unset: { type: 'memory', publish: null },
        },
        mqtt: { basetopic: 'fl/#/x' },
      },
      { base: '/tmp' },
    );
    const errors = site.issues.filter((i) => i.severity === 'error').map(formatIssue);
    expect(errors).toEqual([
      'mqtt.basetopic: # must be the last level of a topic filter',
      'checks["plus"].publish: a topic to publish to cannot contain the wildcards + or #',
      'checks["hash"].publish: a topic to publish to cannot contain the wildcards + or #',
      'checks["nul"].publish: a topic cannot contain the NUL character',
    ]);
    expect(['fine', 'none', 'unset'].map((n) => site.checks.get(n)?.active)).toEqual([true, true, true]);
  }, 120_000);

  it('publish topics and subscription filters as MQTT 3.1.1 §4.7 defines them', () => {
    expect(topicProblem('a/b/c')).toBeNull();
    expect(topicProblem('/')).toBeNull();
    expect(topicProblem('x'.repeat(70_000))).toMatch(/65535 bytes/);
    for (const ok of ['fl/#', '#', 'fl/+/x', '+/+', 'fl']) expect(topicFilterProblem(ok), ok).toBeNull();
    for (const bad of ['fl/#/x', 'fl/a#', 'fl/a+/x', '##', '']) expect(topicFilterProblem(bad), bad).not.toBeNull();
  }, 120_000);
});

describe('the REST API asks the same rule', () => {
  it.each([['__proto__'], ['.'], ['..'], ['constructor']])(
    '%s: read, write and create answer 400 invalid_request naming the rule (not 404)',
    async (name) => {
      const t = await openApiSite({ checks: { ok: { type: 'memory' } }, actions: { logit: { type: 'log' } } });
      try {
        // "." and ".." never reach a route: URL parsing folds /checks/.. into /checks (RFC 3986 §5.2.4), which is why they are no names
        const inPath = name.startsWith('.')
          ? []
          : ([
              ['GET', `/api/v1/checks/${encodeURIComponent(name)}`, undefined],
              ['PUT', `/api/v1/checks/${encodeURIComponent(name)}`, { type: 'memory' }],
              ['GET', `/api/v1/actions/${encodeURIComponent(name)}`, undefined],
              ['PUT', `/api/v1/actions/${encodeURIComponent(name)}`, { type: 'log' }],
            ] as const);
        for (const [method, path, body] of [
          ...inPath,
          ['POST', '/api/v1/checks', { name, type: 'memory' }],
          ['POST', '/api/v1/actions', { name, type: 'log' }],
          ['PATCH', '/api/v1/checks/ok', { name }],
        ] as const) {
          const res = await t.call(method, path, { body });
          const json = (await res.json()) as { error: { code: string; message: string } };
          expect(res.status, `${method} ${path}`).toBe(400);
          expect(json.error.code).toBe('invalid_request');
          expect(json.error.message).toMatch(/reserved|folder step/);
        }
        expect(Object.keys(t.file().checks as object)).toEqual(['ok']);
      } finally {
        await t.close();
      }
    },
    120_000,
  );

  it('a name the site file accepts at the limit can be created, read and edited through the API', async () => {
    const t = await openApiSite({ checks: {} });
    try {
      const name = `${'ü'.repeat(MAX_NAME - 2)} x`;
      expect((await t.call('POST', '/api/v1/checks', { body: { name, type: 'memory' } })).status).toBe(201);
      expect((await t.call('GET', `/api/v1/checks/${encodeURIComponent(name)}`)).status).toBe(200);
      expect((await t.call('PATCH', `/api/v1/checks/${encodeURIComponent(name)}`, { body: { threshold: 2 } })).status).toBe(200);
      const tooLong = await t.call('POST', '/api/v1/checks', { body: { name: `${name}!`, type: 'memory' } });
      expect(tooLong.status).toBe(400);
    } finally {
      await t.close();
    }
  }, 120_000);

  it('a prototype key inside options is refused (422 at its path) and never written to the site file', async () => {
    const t = await openApiSite({ checks: { ok: { type: 'memory' } } });
    try {
      const body = JSON.parse('{"type": "memory", "options": {"level": 80, "__proto__": {"polluted": true}}}') as unknown;
      const res = await t.call('PUT', '/api/v1/checks/ok', { body });
      const json = (await res.json()) as { error: { code: string; issues?: { at: string }[] } };
      expect(res.status).toBe(422);
      expect(json.error.issues?.map((i) => i.at)).toContain('checks["ok"].options.__proto__');
      const patch = await t.call('PATCH', '/api/v1/checks/ok', { body: JSON.parse('{"options": {"constructor": {"x": 1}}}') as unknown });
      expect(patch.status).toBe(422);
      expect(JSON.stringify(t.file())).not.toMatch(/__proto__|constructor|polluted/);
    } finally {
      await t.close();
    }
  }, 120_000);
});

describe('the web UI asks the same rule', () => {
  it('a new check or action named ".." or "__proto__", or a blank one, is refused in the form with the reason', async () => {
    const t = await webSite();
    try {
      const a = new Agent(t.web);
      await a.login('admin', PASSWORDS.admin);
      for (const name of ['..', '__proto__', '.']) {
        const c = await a.post('/check', { name, checkType: 'memory', 'opt.level': '90' });
        expect(c.status, name).toBe(422);
        expect(await c.text()).toMatch(/reserved|folder step/);
        const act = await a.post('/action', { name, actionType: 'log' });
        expect(act.status, name).toBe(422);
        expect(await act.text()).toMatch(/reserved|folder step/);
      }
      const nul = await a.post('/check', { name: 'a\u0000b', checkType: 'memory' });
      expect(nul.status).toBe(422);
      expect(await nul.text()).toMatch(/control character/);
      expect(t.site.loaded.checks.has('..')).toBe(false);
      expect(t.site.loaded.actions.has('..')).toBe(false);
    } finally {
      await t.close();
    }
  }, 120_000);
});

describe('--merge asks the same rule', () => {
  it('CSV rows and JSON checks or actions with names that cannot travel are skipped with the reason', () => {
    const csv = csvToImport('name,checkType,level\n..,memory,80\n__proto__,memory,80\nfine,memory,80\n');
    expect(csv.messages).toEqual([
      'line 2: skipped ("..." cannot be a name: web addresses treat it as a folder step)'.replace('"..."', '".."'),
      'line 3: skipped ("__proto__" is reserved and cannot be a name)',
    ]);
    expect(Object.keys(csv.doc.checks as object)).toEqual(['fine']);
    const imp = JSON.parse(
      '{"checks": {"__proto__": {"type": "memory"}, " ": {"type": "memory"}, "ok": {"type": "memory", "__proto__": {"paused": true}}}, "actions": {"..": {"type": "log"}}}',
    ) as Record<string, unknown>;
    const r = mergeJson({ checks: {} }, imp);
    expect(r.messages).toEqual([
      'Ignored action "..": ".." cannot be a name: web addresses treat it as a folder step',
      'Ignored check "__proto__": "__proto__" is reserved and cannot be a name',
      'Ignored check " ": the name is blank (only spaces)',
    ]);
    const checks = r.doc.checks as Record<string, Record<string, unknown>>;
    expect(Object.keys(checks)).toEqual(['ok']);
    // the check's own __proto__ key neither became its prototype nor a key
    expect(Object.getPrototypeOf(checks.ok)).toBe(Object.prototype);
    expect(checks.ok).toEqual({ type: 'memory' });
  }, 120_000);
});

describe('MQTT autoadd asks the same rule', () => {
  let broker: AedesBroker | null = null;
  afterEach(async () => {
    await broker?.close();
    broker = null;
  });

  it('a peer\'s check named ".", "__proto__" or with 201 characters is not added (the reason is logged); a good one is', async () => {
    broker = await startAedes();
    const { log, lines } = captureLogger();
    const t = await openSite({ mqtt: mqttSection(broker.port, { basetopic: 'fl/#' }), checks: {} }, { log });
    try {
      await expect.poll(() => t.fed.connected, { timeout: 10_000 }).toBe(true);
      const p = await peer(broker.port);
      const long = 'r'.repeat(MAX_NAME + 1);
      for (const name of ['.', '__proto__', long, 'fine'])
        await p.publishAsync(`fl/${name === long ? 'long' : name}`, fletchckPayload(name, 'disk'), { qos: 1 });
      await expect.poll(() => t.site.entry('fine')?.config.type, { timeout: 10_000 }).toBe('remote');
      await expect.poll(() => t.fed.snapshot().rejected['autoadd-failed'] ?? 0, { timeout: 10_000 }).toBe(3);
      expect([...t.site.loaded.checks.keys()]).toEqual(['fine']);
      // the site takes a new config before its file is written: wait for the save
      await expect.poll(() => Object.keys(t.file().checks as object), { timeout: 10_000 }).toEqual(['fine']);
      const why = lines.filter((l) => l.reason === 'autoadd-failed').map((l) => String(l.detail));
      expect(why.some((d) => /folder step/.test(d))).toBe(true);
      expect(why.some((d) => /reserved/.test(d))).toBe(true);
      expect(why.some((d) => /at most 200/.test(d))).toBe(true);
      await p.endAsync();
    } finally {
      await t.stop();
    }
  }, 120_000);
});
