/**
 * Every registered check type and action type can be created and edited
 * from the browser form with all its options: for each type the new-check
 * (new-action) page is rendered, its fields are filled with a valid set of
 * options of every kind (lists, numbers, enums, booleans, secrets inline or
 * by env/file, JSON objects, templates) and submitted by an administrator
 * (programs, files and secret references are theirs to choose,
 * src/config/trust.ts); the saved site file must hold exactly those
 * options. Then the edit page is submitted as the browser would send it
 * unchanged, by the administrator and by an operator (whose page shows
 * those fields read-only and keeps stored references): nothing may change —
 * in particular no secret may be lost — and no inline secret may appear in
 * the page.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkTypes } from '../../src/checks/registry.ts';
import { actionTypes } from '../../src/actions/registry.ts';
import { actionType } from '../../src/actions/registry.ts';
import { checkType } from '../../src/checks/registry.ts';
import { fieldsOf, type Field } from '../../src/web/fields.ts';
import { typeFields } from '../../src/web/check-form.ts';
import { slotValues } from '../../src/config/marks.ts';
import { Agent, PASSWORDS, fastHash, formHtml, scrapeForm, webSite, type FormBody, type TestSite } from './helpers.ts';
import { tempDir } from '../servers/common.ts';

const plugins = tempDir('sw-plugins-');
const PLUGIN = join(plugins.dir, 'check_thing');

/** A valid set of options per check type, none equal to its default (a default is not written). */
const CHECKS: Record<string, Record<string, unknown>> = {
  ssh: {
    hostname: 'ssh.example.org',
    port: 2222,
    timeout: 7,
    hostkey: 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s',
    renotify: 30,
    tags: ['edge', 'dmz'],
    vantage: ['hq', 'dc2', 'home'],
    quorum: 2,
  },
  smtp: { hostname: 'mx.example.org', port: 587, timeout: 8, tls: false, selfsigned: true, ca: 'private-ca.pem', expiryDays: 14 },
  submit: { hostname: 'smtp.example.org', port: 4650, timeout: 12, selfsigned: true, ca: 'submit-ca.pem', expiryDays: 3, badge: true },
  imap: {
    hostname: 'imap.example.org',
    port: 143,
    timeout: 9,
    tls: true,
    username: 'monitor',
    password: 'imap-inline-secret',
    selfsigned: true,
    ca: 'imap-ca.pem',
    expiryDays: 10,
  },
  https: {
    hostname: 'www.example.org',
    port: 8443,
    tls: false,
    reqType: 'GET',
    reqPath: '/health?full=1',
    expectStatus: [200, '300-399', '2xx'],
    expectBody: 'all good',
    expectJson: [
      { path: '$.checks[*].state', equals: 'up' },
      { path: '$.maintenance', exists: false },
    ],
    timeout: 4,
    selfsigned: true,
    ca: 'web-ca.pem',
    expiryDays: 30,
  },
  cert: { hostname: 'imap.example.org', port: 993, probe: 'a1 NOOP', timeout: 3, selfsigned: true, ca: 'cert-ca.pem', expiryDays: 21 },
  dns: { hostname: '127.0.0.1', port: 5353, timeout: 2, reqName: 'example.org', reqType: 'MX', reqTcp: true },
  tcp: {
    hostname: 'redis.example.org',
    port: 6380,
    timeout: 3,
    tls: true,
    send: 'PING\r\n',
    expect: '+PONG',
    selfsigned: true,
    ca: 'redis-ca.pem',
    expiryDays: 12,
  },
  disk: { volume: '/var', level: 75, hysteresis: 3, warnLevel: 65 },
  cpu: { level: 70, hysteresis: 4, warnLevel: 50 },
  memory: { level: 60, hysteresis: 1, warnLevel: 55 },
  temp: {
    source: 'hwmon',
    hostname: 'thermo.example.org',
    port: 8080,
    chip: 'coretemp',
    label: 'Package id 0',
    temperature: 80,
    hysteresis: 5,
    warnTemperature: 70,
    timeout: 3,
  },
  ups: {
    upsName: 'rack-ups',
    hostname: 'nut.example.org',
    port: 3494,
    timeout: 4,
    username: 'upsmon',
    password: { env: 'UPS_PASSWORD' },
    minCharge: 40,
    minRuntime: 300,
    warnCharge: 60,
  },
  sequence: { checks: ['root', 'ram'] },
  remote: { timeout: 600 },
  net: { interface: 'eth0', level: 500, warnLevel: 400, hysteresis: 50, direction: 'rx', sample: 2, timeout: 4 },
  exec: {
    command: [PLUGIN, '-w', '4', '-c', '4', 'two words'],
    timeout: 20,
    env: { LANG: 'C', API_TOKEN: 'plugin-inline-secret', FROM_ENV: { env: 'PLUGIN_TOKEN' }, FROM_FILE: { file: '/run/secrets/plugin' } },
  },
  truenas: {
    hostname: 'nas.example.org',
    port: 8443,
    tls: false,
    selfsigned: true,
    ca: 'nas-ca.pem',
    apiKey: { file: '/run/secrets/truenas' },
    pool: 'tank',
    alertLevel: 'ERROR',
    level: 80,
    warnLevel: 70,
    hysteresis: 4,
    timeout: 15,
  },
  push: { token: 'pushTokenSecret_0123456789', timeout: 600, grace: 60 },
  postgres: {
    hostname: 'db.example.org',
    port: 5433,
    timeout: 8,
    username: 'monitor',
    password: 'pg-inline-secret',
    database: 'app',
    tls: true,
    query: 'select count(*) from jobs',
    expect: '3',
    minValue: 1,
    maxValue: 9,
    selfsigned: true,
    ca: 'pg-ca.pem',
    expiryDays: 5,
  },
  mysql: {
    hostname: 'mariadb.example.org',
    port: 3307,
    timeout: 8,
    username: 'monitor',
    password: { env: 'MYSQL_PASSWORD' },
    database: 'wiki',
    tls: true,
    query: 'select 1',
    expect: '1',
    minValue: 0,
    maxValue: 2,
    selfsigned: true,
    ca: 'my-ca.pem',
    expiryDays: 5,
  },
  redis: {
    hostname: 'redis.example.org',
    port: 6380,
    timeout: 3,
    tls: true,
    username: 'monitor',
    password: { file: '/run/secrets/redis' },
    key: 'queue:depth',
    expect: '0',
    minValue: 0,
    maxValue: 100,
    selfsigned: true,
    ca: 'redis-ca.pem',
    expiryDays: 9,
  },
  ntp: { hostname: 'ntp.example.org', port: 1123, timeout: 3, maxOffset: 0.25, maxStratum: 3 },
  mqtt: {
    hostname: 'mqtt.example.org',
    port: 8884,
    timeout: 6,
    tls: true,
    username: 'monitor',
    password: 'mqtt-inline-secret',
    topic: 'house/boiler/status',
    expect: 'online',
    minValue: 0,
    maxValue: 1,
    selfsigned: true,
    ca: 'mqtt-ca.pem',
    expiryDays: 8,
  },
  ldap: {
    hostname: 'ldap.example.org',
    port: 6360,
    timeout: 7,
    tls: 'implicit',
    username: 'cn=monitor,dc=example,dc=org',
    password: { env: 'LDAP_PASSWORD' },
    base: 'ou=people,dc=example,dc=org',
    filter: '(uid=monitor)',
    scope: 'one',
    expectCount: 1,
    minCount: 1,
    selfsigned: true,
    ca: 'ldap-ca.pem',
    expiryDays: 4,
  },
  ping: { hostname: 'gw.example.org', timeout: 20, count: 5, interval: 0.5, maxLoss: 20, maxRtt: 150, family: 'ipv6' },
  snmp: {
    hostname: 'switch.example.org',
    port: 1161,
    timeout: 8,
    version: '3',
    community: { env: 'SNMP_COMMUNITY' },
    username: 'monitor',
    authProtocol: 'sha256',
    password: 'snmp-auth-inline-secret',
    privProtocol: 'aes256b',
    privPassword: { file: '/run/secrets/snmp-priv' },
    oids: [
      { oid: '1.3.6.1.2.1.2.2.1.8', label: 'ifOperStatus', walk: true, equals: 1 },
      { oid: '1.3.6.1.2.1.33.1.2.4.0', label: 'battery', unit: '%', min: 50 },
    ],
  },
  docker: {
    container: 'web',
    socket: '/run/podman/podman.sock',
    hostname: 'docker-proxy.example.org',
    port: 2376,
    tls: true,
    timeout: 9,
    healthy: false,
    selfsigned: true,
    ca: 'docker-ca.pem',
    expiryDays: 5,
  },
  browser: {
    url: 'https://portal.example.org/login',
    timeout: 45,
    waitUntil: 'networkidle',
    selfsigned: true,
    screenshot: false,
    steps: [
      { fill: '#user', value: 'monitor' },
      { fill: '#pass', value: { env: 'PORTAL_PASSWORD' } },
      { click: '#go' },
      { expectText: 'Welcome', selector: 'main' },
    ],
  },
};

/** A valid set of options per action type. */
const ACTIONS: Record<string, Record<string, unknown>> = {
  log: { default: true, notifyWarn: true },
  email: {
    hostname: 'smtp.example.org',
    port: 587,
    tls: 'starttls',
    username: 'alerts',
    password: { env: 'SMTP_PASSWORD' },
    sender: 'siteward@example.org',
    recipients: ['ops@example.org', 'boss@example.org'],
    timeout: 20,
    fallback: '/usr/sbin/sendmail',
    site: 'HQ',
    icon: '🐕',
    ca: 'relay-ca.pem',
    template: { subject: '[{{site}}] {{name}} {{state}}', body: '{{name}} is {{state}} since {{since}}\n{{log}}' },
  },
  sms: {
    url: 'https://sms.example.org/api',
    apikey: 'sms-inline-secret',
    sender: 'Alerts',
    recipients: ['+61400000001', '+61400000002'],
    timeout: 9,
    site: 'HQ',
    icon: '!',
    template: { body: '{{name}} {{state}}' },
    maxSegments: 2,
  },
  webhook: {
    url: { env: 'HOOK_URL' },
    method: 'PUT',
    headers: { 'X-Team': 'ops', Authorization: 'Bearer webhook-inline-secret', 'X-Key': { file: '/run/hook-key' } },
    body: { text: '{{title}}', items: ['{{name}}', 2] },
    contentType: 'application/vnd.example+json',
    timeout: 5,
    template: { body: '{{name}} is {{state}}' },
  },
  ntfy: {
    server: 'https://ntfy.example.org',
    topic: 'ops-alerts',
    token: { file: '/run/secrets/ntfy' },
    username: 'bot',
    password: 'ntfy-inline-secret',
    priorityFail: 5,
    priorityPass: 2,
    tagsFail: ['warning', 'skull'],
    tagsPass: ['ok'],
    click: 'https://status.example.org',
    site: 'HQ',
    icon: '🐕',
    timeout: 7,
    template: { subject: '{{name}} {{state}}' },
  },
  telegram: {
    apiUrl: 'https://tg.example.org',
    token: 'telegram-inline-secret',
    chatId: -1001234567890,
    silentPass: true,
    site: 'HQ',
    icon: '🐕',
    timeout: 6,
    template: { body: '*{{name}}* is {{state}}' },
  },
  pushover: {
    apiUrl: 'https://po.example.org/1/messages.json',
    token: 'pushover-inline-secret',
    user: { env: 'PUSHOVER_USER' },
    device: 'phone',
    sound: 'siren',
    priorityFail: 0,
    priorityPass: -1,
    site: 'HQ',
    icon: '🐕',
    timeout: 8,
    template: { body: '{{summary}}' },
  },
  slack: {
    url: 'https://hooks.example.org/services/slack-inline-secret',
    channel: '#ops',
    username: 'siteward',
    iconEmoji: ':dog:',
    escape: false,
    site: 'HQ',
    icon: '🐕',
    timeout: 4,
    template: { body: '*{{name}}* {{log}}' },
  },
};

/** Inline secrets of a sample: strings that must never be sent back to a browser. */
function inlineSecrets(fields: readonly Field[], opts: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const f of fields) {
    const v = opts[f.key];
    if (f.kind === 'secret' && typeof v === 'string') out.push(v);
    // secrets deeper in an option (exec env, webhook headers, browser steps' values): wherever the registry marks them
    if (f.kind === 'json' && f.secrets) {
      for (const p of f.secrets)
        out.push(
          ...slotValues(v, p)
            .map((s) => s.value)
            .filter((x): x is string => typeof x === 'string' && x !== 'C'),
        );
    }
  }
  return out;
}

/** What a person types into the rendered widget of each field. */
function typed(f: Field, v: unknown): FormBody {
  const name = `opt.${f.key}`;
  switch (f.kind) {
    case 'checkbox':
      return v === true ? { [name]: 'on' } : {};
    case 'members':
      return { [name]: (v as string[]).map(String) };
    case 'lines':
      return { [name]: (Array.isArray(v) ? v : [v]).map(String).join('\r\n') };
    case 'json':
      return { [name]: JSON.stringify(v, null, 2) };
    case 'template':
      return { [`${name}.as`]: typeof v === 'string' ? 'text' : 'json', [name]: typeof v === 'string' ? v : JSON.stringify(v) };
    case 'secret': {
      if (typeof v === 'string') return { [`${name}.src`]: 'inline', [name]: v };
      const ref = v as { env?: string; file?: string };
      return ref.env !== undefined ? { [`${name}.src`]: 'env', [`${name}.ref`]: ref.env } : { [`${name}.src`]: 'file', [`${name}.ref`]: ref.file! };
    }
    default:
      return { [name]: String(v) };
  }
}

/** The rendered page has the widget the field's kind needs. */
function expectWidget(html: string, f: Field, where: string): void {
  const name = `opt.${f.key}`.replace(/\./g, '\\.');
  const want: Record<string, RegExp> = {
    checkbox: new RegExp(`<input type="checkbox"[^>]*name="${name}"`),
    members: new RegExp(`<input type="checkbox" name="${name}"`),
    lines: new RegExp(`<textarea [^>]*name="${name}"`),
    json: new RegExp(`<textarea [^>]*name="${name}"`),
    template: new RegExp(`<select [^>]*name="${name}\\.as"[\\s\\S]*<textarea [^>]*name="${name}"`),
    secret: new RegExp(`<select [^>]*name="${name}\\.src"[\\s\\S]*?<input type="password"[^>]*name="${name}"`),
    select: new RegExp(`<select [^>]*name="${name}"`),
    number: new RegExp(`<input type="number"[^>]*name="${name}"`),
    integer: new RegExp(`<input type="number"[^>]*name="${name}"`),
    text: new RegExp(`<input type="text"[^>]*name="${name}"`),
  };
  expect(html, `${where}: ${f.key} (${f.kind})`).toMatch(want[f.kind]);
}

/** The error messages of a refused form (for a readable failure). */
function problems(html: string): string[] {
  return [...html.matchAll(/<span class="err" id="([^"]*)-err" role="alert">([^<]*)</g), ...html.matchAll(/<li>()([^<]*)<\/li>/g)].map(
    (m) => `${m[1]} ${m[2]}`,
  );
}

let t: TestSite;
let a: Agent;
let o: Agent;
const saved = (): { checks: Record<string, { options: unknown }>; actions: Record<string, { options: unknown }> } =>
  JSON.parse(readFileSync(t.path, 'utf8')) as never;

beforeAll(async () => {
  mkdirSync(plugins.dir, { recursive: true });
  writeFileSync(PLUGIN, '#!/bin/sh\necho OK\n');
  chmodSync(PLUGIN, 0o755);
  t = await webSite({
    doc: {
      webui: {
        name: 'Forms',
        hostname: '127.0.0.1',
        port: 1,
        users: { admin: await fastHash(PASSWORDS.admin), olly: await fastHash(PASSWORDS.olly), '': await fastHash('x-dummy') },
      },
      plugins: { dirs: [plugins.dir] },
      actions: {},
      checks: { root: { type: 'disk', options: { volume: '/', level: 100 } }, ram: { type: 'memory', options: { level: 100 } } },
    },
  });
  a = new Agent(t.web);
  await a.login('admin', PASSWORDS.admin);
  o = new Agent(t.web);
  await o.login('olly', PASSWORDS.olly);
});
afterAll(async () => {
  await t.close();
  plugins.cleanup();
});

describe('the samples cover the registries', () => {
  it('every check type and every action type has a sample here, using every option', () => {
    expect(Object.keys(CHECKS).sort()).toEqual(checkTypes.map((x) => x.type).sort());
    expect(Object.keys(ACTIONS).sort()).toEqual(actionTypes.map((x) => x.type).sort());
    // `default` and `notifyWarn` are every action's (commonActionOptions): the log sample uses them
    expect(ACTIONS.log).toMatchObject({ default: true, notifyWarn: true });
    const shared = (k: string): boolean => k === 'default' || k === 'notifyWarn';
    for (const x of actionTypes) {
      expect(
        Object.keys(ACTIONS[x.type])
          .filter((k) => !shared(k))
          .sort(),
        x.type,
      ).toEqual(
        fieldsOf(x.options)
          .map((f) => f.key)
          .filter((k) => !shared(k))
          .sort(),
      );
    }
    for (const x of checkTypes) {
      // options every type shares (commonCheckOptions) are sampled once; `escalation` needs a policy (test/ops)
      const common = (k: string): boolean => ['renotify', 'badge', 'tags', 'escalation', 'vantage', 'quorum'].includes(k);
      const own = typeFields(x)
        .filter((f) => !common(f.key))
        .map((f) => f.key)
        .sort();
      expect(
        Object.keys(CHECKS[x.type])
          .filter((k) => !common(k))
          .sort(),
        x.type,
      ).toEqual(own);
    }
  });
});

describe('every check type from the form', () => {
  for (const [type, opts] of Object.entries(CHECKS)) {
    it(`${type}: created with all its options, then saved unchanged from its edit page`, async () => {
      const fields = typeFields(checkType(type)!);
      const page = await a.page(`/check?type=${type}`);
      const body: FormBody = { name: `x-${type}`, checkType: type, trigger: '', failAction: 'on', passAction: 'on' };
      for (const f of fields) {
        if (opts[f.key] === undefined) continue;
        expectWidget(page, f, type);
        Object.assign(body, typed(f, opts[f.key]));
      }
      const res = await a.post('/check', body);
      if (res.status !== 303) expect(problems(await res.text())).toEqual([]);
      expect(res.status).toBe(303);
      expect(saved().checks[`x-${type}`].options).toEqual(opts);

      const edit = await a.page(`/check/x-${type}`);
      for (const s of inlineSecrets(fields, opts)) {
        if (type === 'push')
          expect(formHtml(edit, 'id="check-form"')).not.toContain(s); // the push URL shows it (operators)
        else expect(edit).not.toContain(s);
      }
      for (const who of [a, o]) {
        const page = who === a ? edit : await who.page(`/check/x-${type}`);
        const again = await who.post(`/check/x-${type}`, scrapeForm(formHtml(page, 'id="check-form"')));
        if (again.status !== 303) expect(problems(await again.text())).toEqual([]);
        expect(again.status).toBe(303);
        expect(saved().checks[`x-${type}`].options).toEqual(opts);
      }
    });
  }
});

describe('every action type from the form', () => {
  for (const [type, opts] of Object.entries(ACTIONS)) {
    it(`${type}: created with all its options, then saved unchanged from its edit page`, async () => {
      const fields = fieldsOf(actionType(type)!.options);
      const page = await a.page(`/action?type=${type}`);
      const body: FormBody = { name: `x-${type}`, actionType: type };
      for (const f of fields) {
        expectWidget(page, f, type);
        Object.assign(body, typed(f, opts[f.key]));
      }
      const res = await a.post('/action', body);
      if (res.status !== 303) expect(problems(await res.text())).toEqual([]);
      expect(res.status).toBe(303);
      expect(saved().actions[`x-${type}`].options).toEqual(opts);

      const edit = await a.page(`/action/x-${type}`);
      for (const s of inlineSecrets(fields, opts)) expect(edit).not.toContain(s);
      for (const who of [a, o]) {
        const page = who === a ? edit : await who.page(`/action/x-${type}`);
        const again = await who.post(`/action/x-${type}`, scrapeForm(formHtml(page, `action="/action/x-${type}"`)));
        if (again.status !== 303) expect(problems(await again.text())).toEqual([]);
        expect(again.status).toBe(303);
        expect(saved().actions[`x-${type}`].options).toEqual(opts);
      }
    });
  }
});
