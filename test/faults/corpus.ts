/**
 * A corpus of broken site files, generated: truncated JSON at every offset,
 * wrong types at every level (top-level keys, every key of every settings
 * section, every common check and action key, every option of every check
 * and action type — derived from the registries and schemas, so a new type
 * or option is covered by itself), unknown types, cycles, duplicate and
 * huge names, invalid UTF-8, deep nesting, a BOM, an empty file and a
 * folder in place of the file. Each entry names the JSON paths its errors
 * must be reported at.
 */
import { z } from 'zod';
import { checkTypes } from '../../src/checks/registry.ts';
import { actionTypes } from '../../src/actions/registry.ts';
import {
  ApiSchema,
  CheckCommonSchema,
  HistorySchema,
  MqttSchema,
  NotificationsSchema,
  PluginsSchema,
  SchedulerSchema,
  WebuiSchema,
} from '../../src/config/schema.ts';
import type { PathSegment } from '../../src/config/issues.ts';
import { MAX_DEPTH } from '../../src/config/parse.ts';
import { contractFixtures } from '../checks/contract-fixtures.ts';

export interface CorpusEntry {
  name: string;
  /** the file's bytes, or 'dir': a folder where the file should be */
  bytes: Buffer | 'dir';
  /** paths that must carry an error (an error at or below each) */
  paths: PathSegment[][];
  /** the file cannot be used at all: Site.open refuses it */
  fatal: boolean;
  /** also run through the built CLI (a sample of the truncations; everything else) */
  cli: boolean;
}

/** Options that make each action type valid, so that one wrong key is the only problem. */
export const actionBase: Record<string, Record<string, unknown>> = {
  log: {},
  email: { hostname: 'mail.example.test', recipients: ['ops@example.test'] },
  sms: { recipients: ['61400000000'] },
  webhook: { url: 'https://hooks.example.test/x' },
  ntfy: { topic: 'alerts' },
  telegram: { token: '1:A', chatId: 1 },
  pushover: { token: 't', user: 'u' },
  slack: { url: 'https://hooks.slack.test/services/x' },
};

/** Valid options for each check type (the contract suite's, pointed nowhere). */
export function checkBase(type: string, dir: string): Record<string, unknown> {
  const f = contractFixtures[type];
  return f ? f({ host: '192.0.2.1', port: 9, udpPort: 9, dir }) : {};
}

const CANDIDATES: unknown[] = [12345.5, 'not-valid-here', true, [1], { x: 1 }, null];

/**
 * A value the schema refuses at `key` (with the rest of `base` valid), or
 * undefined when the key takes anything.
 */
export function wrongValue(schema: z.ZodType, base: Record<string, unknown>, key: string): unknown {
  for (const c of CANDIDATES) {
    const r = schema.safeParse({ ...base, [key]: c });
    if (!r.success && r.error.issues.some((i) => i.path[0] === key)) return c;
  }
  return undefined;
}

export function keysOf(schema: z.ZodType): string[] {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  if (!shape) throw new Error('an option schema without a shape: the corpus needs z.looseObject');
  return Object.keys(shape);
}

const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v, null, 1));

/** A small but complete site: every section, a few checks and actions. */
export function baseSite(): Record<string, unknown> {
  return {
    timezone: 'UTC',
    webui: { name: 'HQ', hostname: 'localhost', port: 30080, users: { admin: '$argon2id$v=19$m=1024,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g' } },
    mqtt: { hostname: 'localhost', basetopic: 'sw/#' },
    actions: { hook: { type: 'webhook', options: { url: 'https://hooks.example.test/x' } } },
    checks: {
      web: { type: 'https', trigger: { interval: { minutes: 5 } }, options: { hostname: 'www.example.test' }, actions: ['hook'] },
      root: { type: 'disk', trigger: { cron: { minute: '*/5' } }, options: { volume: '/' } },
      all: { type: 'sequence', options: { checks: ['web', 'root'] }, depends: [] },
    },
  };
}

const SECTIONS: [string, z.ZodType][] = [
  ['webui', WebuiSchema],
  ['mqtt', MqttSchema],
  ['api', ApiSchema],
  ['plugins', PluginsSchema],
  ['history', HistorySchema],
  ['scheduler', SchedulerSchema],
  ['notifications', NotificationsSchema],
];

/** One site with a wrong type at every level at once (each problem in its own check or action). */
function wrongTypes(dir: string): CorpusEntry {
  const doc = baseSite();
  const paths: PathSegment[][] = [];
  doc.timezone = 7;
  doc.base = ['not', 'a', 'folder'];
  doc.log = 'not a list';
  paths.push(['timezone'], ['base'], ['log']);
  for (const [name, schema] of SECTIONS) {
    const sec: Record<string, unknown> = { ...((doc[name] as Record<string, unknown> | undefined) ?? {}) };
    for (const key of keysOf(schema)) {
      const bad = wrongValue(schema, sec, key);
      if (bad === undefined) continue;
      sec[key] = bad;
      paths.push([name, key]);
    }
    doc[name] = sec;
  }
  const checks = doc.checks as Record<string, unknown>;
  for (const key of keysOf(CheckCommonSchema)) {
    const check = { type: 'cpu', options: {} };
    const bad = key === 'type' ? 5 : wrongValue(CheckCommonSchema, check, key);
    if (bad === undefined) continue;
    checks[`common-${key}`] = { ...check, [key]: bad };
    paths.push(['checks', `common-${key}`, key]);
  }
  checks['trigger-unit'] = { type: 'cpu', trigger: { interval: { minutes: 'five' } } };
  checks['trigger-cron'] = { type: 'cpu', trigger: { cron: { hour: 99 } } };
  paths.push(['checks', 'trigger-unit', 'trigger'], ['checks', 'trigger-cron', 'trigger']);
  for (const t of checkTypes) {
    const base = checkBase(t.type, dir);
    for (const key of keysOf(t.options)) {
      const bad = wrongValue(t.options, base, key);
      if (bad === undefined) continue;
      const name = `opt-${t.type}-${key}`;
      checks[name] = { type: t.type, options: { ...base, [key]: bad } };
      paths.push(['checks', name, 'options', key]);
    }
  }
  const actions = doc.actions as Record<string, unknown>;
  actions['common-type'] = { type: 5 };
  actions['common-options'] = { type: 'log', options: 'not an object' };
  paths.push(['actions', 'common-type', 'type'], ['actions', 'common-options', 'options']);
  for (const t of actionTypes) {
    const base = actionBase[t.type] ?? {};
    for (const key of keysOf(t.options)) {
      const bad = wrongValue(t.options, base, key);
      if (bad === undefined) continue;
      const name = `opt-${t.type}-${key}`;
      actions[name] = { type: t.type, options: { ...base, [key]: bad } };
      paths.push(['actions', name, 'options', key]);
    }
  }
  return { name: 'wrong types at every level', bytes: json(doc), paths, fatal: false, cli: true };
}

/** The base site cut short at `offset` bytes. */
function truncated(text: string, offset: number, cli: boolean): CorpusEntry {
  return { name: `truncated at byte ${offset}`, bytes: Buffer.from(text.slice(0, offset)), paths: [[]], fatal: true, cli };
}

function with_(edit: (doc: Record<string, unknown>) => void): Record<string, unknown> {
  const doc = baseSite();
  edit(doc);
  return doc;
}

const checksOf = (doc: Record<string, unknown>): Record<string, unknown> => doc.checks as Record<string, unknown>;

export function corpus(dir: string): CorpusEntry[] {
  const text = JSON.stringify(baseSite(), null, 1);
  const out: CorpusEntry[] = [];
  // every cut of the text except the whole file (the last byte is its closing brace)
  const sample = new Set([0, 1, 2, 17, Math.floor(text.length / 3), Math.floor(text.length / 2), text.length - 2, text.length - 1]);
  for (let i = 0; i < text.length; i++) out.push(truncated(text, i, sample.has(i)));
  out.push(wrongTypes(dir));

  const entry = (name: string, doc: unknown, paths: PathSegment[][], fatal = false): void => {
    out.push({ name, bytes: Buffer.isBuffer(doc) ? doc : json(doc), paths, fatal, cli: true });
  };
  for (const [key, value] of [
    ['checks', 'not an object'],
    ['checks', [1, 2]],
    ['actions', 42],
  ] as const) {
    entry(
      `top-level ${key} of the wrong type (${JSON.stringify(value)})`,
      with_((d) => (d[key] = value)),
      [[key]],
      true,
    );
  }
  for (const v of [[], 'a string', null, 42]) entry(`a site file holding ${JSON.stringify(v)}`, v, [[]], true);
  entry(
    'unknown check and action types',
    with_((d) => {
      checksOf(d).odd = { type: 'no-such-type' };
      (d.actions as Record<string, unknown>).odd = { type: 'carrier-pigeon' };
    }),
    [
      ['checks', 'odd', 'type'],
      ['actions', 'odd', 'type'],
    ],
  );
  entry(
    'sequences containing each other',
    with_((d) => {
      checksOf(d).s1 = { type: 'sequence', options: { checks: ['s2'] } };
      checksOf(d).s2 = { type: 'sequence', options: { checks: ['s1'] } };
      checksOf(d).self = { type: 'sequence', options: { checks: ['self'] } };
    }),
    [
      ['checks', 's1', 'options', 'checks'],
      ['checks', 's2', 'options', 'checks'],
      ['checks', 'self', 'options', 'checks'],
    ],
  );
  entry(
    'a dependency cycle',
    with_((d) => {
      checksOf(d).a = { type: 'cpu', depends: ['b'] };
      checksOf(d).b = { type: 'cpu', depends: ['c'] };
      checksOf(d).c = { type: 'cpu', depends: ['a'] };
      checksOf(d).me = { type: 'cpu', depends: ['me'] };
    }),
    [
      ['checks', 'a', 'depends'],
      ['checks', 'b', 'depends'],
      ['checks', 'c', 'depends'],
      ['checks', 'me', 'depends'],
    ],
  );
  entry(
    'a sequence whose member depends on it',
    with_((d) => {
      checksOf(d).s = { type: 'sequence', options: { checks: ['m'] } };
      checksOf(d).m = { type: 'cpu', depends: ['s'] };
    }),
    [
      ['checks', 's', 'options', 'checks'],
      ['checks', 'm', 'depends'],
    ],
  );
  entry(
    'duplicate names',
    Buffer.from(
      '{"actions": {"a": {"type": "log"}, "a": {"type": "log"}},\n "checks": {"x": {"type": "cpu"}, "y": {"type": "cpu", "type": "disk"}, "x": {"type": "memory"}}}',
    ),
    [
      ['actions', 'a'],
      ['checks', 'x'],
      ['checks', 'y', 'type'],
    ],
  );
  const huge = 'n'.repeat(100 * 1024);
  entry(
    'huge names (100 KB)',
    with_((d) => {
      checksOf(d)[huge] = { type: 'cpu', depends: [huge.slice(1)] };
      (d.actions as Record<string, unknown>)[huge] = { type: 'log' };
      ((d.webui as Record<string, unknown>).users as Record<string, unknown>)[huge] = 'x';
    }),
    [
      ['checks', huge],
      ['checks', huge, 'depends', 0],
      ['actions', huge],
      ['webui', 'users', huge],
    ],
  );
  const good = json(baseSite());
  const at = good.indexOf('www.example.test');
  for (const [name, bad] of [
    ['a 0xff byte', [0xff]],
    ['a lone continuation byte', [0x80]],
    ['an overlong encoding', [0xc0, 0xaf]],
    ['a surrogate', [0xed, 0xa0, 0x80]],
  ] as const) {
    entry(`invalid UTF-8: ${name}`, Buffer.concat([good.subarray(0, at), Buffer.from(bad), good.subarray(at)]), [[]], true);
  }
  entry('invalid UTF-8: cut inside a character', Buffer.concat([good.subarray(0, at), Buffer.from('é', 'utf8').subarray(0, 1)]), [[]], true);
  for (const depth of [MAX_DEPTH + 1, 100_000]) {
    const deep = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    entry(`lists nested ${depth} deep in options`, Buffer.from(`{"checks": {"deep": {"type": "cpu", "options": {"x": ${deep}}}}}`), [[]], true);
  }
  entry(
    "objects nested 100000 deep in a check's data",
    Buffer.from(`{"checks": {"deep": {"type": "cpu", "data": ${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}}}}`),
    [[]],
    true,
  );
  const bom = Buffer.from([0xef, 0xbb, 0xbf]);
  entry('a BOM, then a wrong type', Buffer.concat([bom, json(with_((d) => (checksOf(d).web = { type: 'https', options: { hostname: 5 } })))]), [
    ['checks', 'web', 'options', 'hostname'],
  ]);
  entry('two BOMs', Buffer.concat([bom, bom, good]), [[]], true);
  entry('an empty file', Buffer.alloc(0), [[]], true);
  entry('only white space', Buffer.from(' \n\t\n'), [[]], true);
  entry('a NUL byte between values', Buffer.concat([good.subarray(0, 1), Buffer.from([0]), good.subarray(1)]), [[]], true);
  entry('a control character in a string', Buffer.from('{"checks": {"a\u0001b": {"type": "cpu"}}}'), [[]], true);
  out.push({ name: 'a folder instead of the file', bytes: 'dir', paths: [[]], fatal: true, cli: true });
  return out;
}
