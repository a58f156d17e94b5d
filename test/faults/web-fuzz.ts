/**
 * A seeded generator of hostile web form posts for the fault suite: for a
 * route of the app, a body built from the fields a real form of that route
 * has (scraped from the page, or derived from the check/action/config
 * registries), then mutated — huge values, unicode, control characters,
 * repeated fields where one is expected, missing fields, numbers where
 * text is expected and text where numbers are, invalid trigger text, JSON
 * garbage, names with path separators or HTML.
 */
import { checkTypes } from '../../src/checks/registry.ts';
import { actionTypes } from '../../src/actions/registry.ts';
import { typeFields } from '../../src/web/check-form.ts';
import { fieldsOf } from '../../src/web/fields.ts';
import { sectionFields } from '../../src/web/site-config.ts';
import type { FormBody } from '../web/helpers.ts';

export { rng } from '../helpers/rng.ts';

export class Fuzz {
  constructor(readonly random: () => number) {}

  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
}

/** Payloads that must never appear unescaped in an HTML answer. */
export const HTML_PAYLOADS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "'><svg onload=alert(1)>"];

export const NAMES = [
  '../etc/passwd',
  'a/b',
  'a\\b',
  '..',
  '.',
  '%2e%2e%2f',
  ' ',
  'name with spaces',
  'CON',
  'nul\u0000byte',
  'tab\there',
  'line\nbreak',
  'naïve ✓',
  '🦆🔥',
  '\u202eevil',
  'zero\u200bwidth',
  'e\u0301',
  '名前',
  ...HTML_PAYLOADS,
];

const NUMBERS = ['-1', '0', '1', '1.5', '1e309', '-1e309', 'NaN', 'Infinity', '0x10', '99999999999999999999', ' 5 ', '5 min', '', '+3', '1_000'];
const TEXTS = [
  '',
  ' ',
  'true',
  'false',
  'on',
  'null',
  'undefined',
  '[object Object]',
  '__proto__',
  'constructor',
  'localhost',
  '127.0.0.1',
  '::1',
  'fe80::1%lo',
];
const JSONS = ['{', '}', '[', '{"a":1}', '[1,2]', '"x"', 'null', '{"__proto__":{"polluted":1}}', '{"a":'.repeat(200), '1e999', '{"a":"\\ud800"}'];
const TRIGGERS = [
  '5 min',
  '10',
  'interval',
  'cron',
  'interval 0 sec',
  'interval -5 min',
  '1 fortnight',
  'cron 99 hr',
  'cron */0 min',
  'cron 1-100 day',
  'cron last fri day 9 hr',
  'interval 1 day end 2020-01-01',
  'interval 1 hr z Mars/Olympus',
  'cron 9-17 hr mon-fri weekday',
  '∞ min',
  'interval 99999999999999999999 week',
  'cron 0 min 0 hr 31 day 2 month',
  'interval 1 sec 1 sec',
];
const CONTROL = ['\u0000', '\r\n', '\t', '\u001b[31m', '\u007f', '\u0085', '\u2028', '\ud800', '\udfff', '\ufeff'];
const URLS = ['http://127.0.0.1:1/', 'javascript:alert(1)', 'file:///etc/passwd', 'http://[::1', '//x', 'ftp://127.0.0.1:1/'];

/** A hostile value for any field. */
export function value(f: Fuzz, hint: 'text' | 'number' | 'name' | 'json' | 'trigger' = 'text'): string {
  switch (f.int(10)) {
    case 0:
      return f.pick(NAMES);
    case 1:
      return f.pick(NUMBERS);
    case 2:
      return f.pick(JSONS);
    case 3:
      return f.pick(TRIGGERS);
    case 4:
      return f.pick(CONTROL) + f.pick(TEXTS) + f.pick(CONTROL);
    case 5:
      return f.pick(['x', '名', '🦆', '<', '\u0000']).repeat(f.chance(0.15) ? 100_000 : f.pick([300, 5000]));
    case 6:
      return f.pick(URLS);
    case 7:
      return f.pick(TEXTS);
    default:
      // something plausible for the field, so that handlers get past their first check
      if (hint === 'number') return f.pick(['1', '5', '80', '99', '0.5']);
      if (hint === 'trigger') return f.pick(TRIGGERS);
      if (hint === 'json') return f.pick(JSONS);
      if (hint === 'name') return `fz-${f.int(30)}`;
      return f.pick(['x', 'localhost', 'ops@example.test', '/', 'Fuzzed', 'web']);
  }
}

/** Field names of the check form for one type (common fields + `opt.<key>`). */
export function checkFormFields(type: string): string[] {
  const t = checkTypes.find((x) => x.type === type);
  const common = [
    'name',
    'oldName',
    'version',
    'checkType',
    'trigger',
    'threshold',
    'retries',
    'publish',
    'remoteId',
    'subType',
    'timezone',
    'paused',
    'failAction',
    'passAction',
    'actions',
    'depends',
    'inseq',
  ];
  return [...common, ...(t ? typeFields(t).map((x) => `opt.${x.key}`) : [])];
}

export function actionFormFields(type: string): string[] {
  const t = actionTypes.find((x) => x.type === type);
  return ['name', 'oldName', 'version', 'actionType', 'incheck', ...(t ? fieldsOf(t.options).map((x) => `opt.${x.key}`) : [])];
}

export function configFormFields(): string[] {
  const out = ['timezone', 'version', 'mqtt.enable'];
  for (const [section, fields] of Object.entries(sectionFields())) for (const x of fields) out.push(`${section}.${x.key}`);
  return out;
}

const hintOf = (field: string): 'text' | 'number' | 'name' | 'json' | 'trigger' =>
  field === 'trigger'
    ? 'trigger'
    : /name|depends|actions|inseq|incheck/i.test(field)
      ? 'name'
      : /threshold|retries|port|level|timeout|days|jitter|qos|hysteresis|priority|backoff|limit/i.test(field)
        ? 'number'
        : /headers|body/i.test(field)
          ? 'json'
          : 'text';

/**
 * A mutated body: each field of `base` kept, replaced, repeated or dropped;
 * fields of `extra` (the route's other possible inputs) sometimes added;
 * now and then a field nobody expects.
 */
export function mutate(f: Fuzz, base: FormBody, extra: readonly string[], names: readonly string[]): FormBody {
  const out: FormBody = {};
  // mild: one or two fields off a real form, so that the handler gets as far as saving; wild: anything
  const mild = f.chance(0.4);
  const keys = Object.keys(base);
  const touched = new Set(mild ? [f.pick(keys), f.pick(keys), f.pick(extra)] : [...keys, ...extra.filter(() => f.chance(0.3))]);
  const fields = new Set([...keys, ...touched]);
  for (const k of fields) {
    if (k === undefined) continue;
    const hint = hintOf(k);
    const orig = base[k];
    if (!touched.has(k)) {
      if (orig !== undefined) out[k] = orig;
      continue;
    }
    switch (f.int(8)) {
      case 0:
        break; // missing
      case 1:
        out[k] = Array.from({ length: 2 + f.int(4) }, () => (hint === 'name' && f.chance(0.5) ? f.pick(names) : value(f, hint)));
        break;
      case 2:
      case 3:
        out[k] = hint === 'name' && f.chance(0.5) ? f.pick(names) : value(f, hint);
        break;
      default:
        if (orig !== undefined) out[k] = orig;
        else out[k] = value(f, hint);
    }
  }
  if (f.chance(0.1)) out[f.pick(['__proto__', 'constructor', 'opt.__proto__', 'x'.repeat(2000), '', 'opt.', 'a[b]'])] = value(f);
  return out;
}
