/**
 * Form fields come from the registries' zod schemas: every registered check
 * and action type gets labelled fields of the right kind, and reading a form
 * back gives the options the schema accepts.
 */
import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { checkTypes } from '../../src/checks/registry.ts';
import { actionTypes } from '../../src/actions/registry.ts';
import { fieldsOf, formValues, membersKeysOf, readFields } from '../../src/web/fields.ts';
import { typeFields } from '../../src/web/check-form.ts';
import { sectionFields } from '../../src/web/site-config.ts';
import { EACH_ITEM, EACH_KEY } from '../../src/config/marks.ts';

describe('fields from schemas', () => {
  it('every registered check type has fields for all its options (timezone is a common field)', () => {
    for (const t of checkTypes) {
      const keys = Object.keys((z.toJSONSchema(t.options, { io: 'input', unrepresentable: 'any' }) as { properties: object }).properties);
      expect(
        typeFields(t)
          .map((f) => f.key)
          .sort(),
        t.type,
      ).toEqual(keys.filter((k) => k !== 'timezone').sort());
      for (const f of typeFields(t)) expect(f.label, `${t.type}.${f.key}`).not.toBe('');
    }
  });

  it('every registered action type derives its fields', () => {
    for (const t of actionTypes) expect(() => fieldsOf(t.options)).not.toThrow();
  });

  it('kinds follow the schema: numbers, integers, booleans, enums, lists, secrets, nullable', () => {
    const s = z.looseObject({
      level: z.number().min(0).max(100).default(90).describe('percent'),
      port: z.int().min(1).max(65535).nullable().default(null),
      tls: z.boolean().default(true),
      mode: z.enum(['a', 'b']).default('a'),
      recipients: z.array(z.string()).default([]),
      password: z.string().nullable().default(null).meta({ secret: true }),
      host: z.string(),
      extra: z.record(z.string(), z.number()).optional(),
    });
    const f = Object.fromEntries(fieldsOf(s).map((x) => [x.key, x]));
    expect(f.level).toMatchObject({ kind: 'number', min: 0, max: 100, default: 90, help: 'percent', required: false });
    expect(f.port).toMatchObject({ kind: 'integer', min: 1, max: 65535 });
    expect(f.tls).toMatchObject({ kind: 'checkbox', default: true });
    expect(f.mode).toMatchObject({ kind: 'select', choices: ['a', 'b'] });
    expect(f.recipients.kind).toBe('lines');
    expect(f.password.kind).toBe('secret');
    expect(f.host).toMatchObject({ kind: 'text', required: true, label: 'Host' });
    expect(f.extra.kind).toBe('json');
  });

  it("the registries' secrets, value-or-list options, numeric text, templates and secrets deeper in an option get their own widgets", () => {
    const of = (fs: ReturnType<typeof fieldsOf>, k: string) => fs.find((f) => f.key === k)!;
    const action = (type: string) => fieldsOf(actionTypes.find((x) => x.type === type)!.options);
    const check = (type: string) => typeFields(checkTypes.find((x) => x.type === type)!);
    expect(of(action('webhook'), 'url')).toMatchObject({ kind: 'secret', refs: true, required: true });
    expect(of(action('webhook'), 'headers')).toMatchObject({ kind: 'json', secrets: [[EACH_KEY]] });
    expect(of(action('webhook'), 'body')).toMatchObject({ kind: 'template' });
    expect(of(action('telegram'), 'chatId')).toMatchObject({ kind: 'text', numeric: true });
    expect(of(action('pushover'), 'user')).toMatchObject({ kind: 'secret', refs: true });
    expect(of(action('email'), 'password')).toMatchObject({ kind: 'secret', refs: true, required: false });
    expect(of(action('email'), 'recipients')).toMatchObject({ kind: 'lines', numeric: false, single: false });
    expect(of(check('https'), 'expectStatus')).toMatchObject({ kind: 'lines', numeric: true, single: true });
    expect(of(check('exec'), 'command')).toMatchObject({ kind: 'lines', numeric: false, required: true });
    expect(of(check('exec'), 'env')).toMatchObject({ kind: 'json', secrets: [[EACH_KEY]] });
    expect(of(check('browser'), 'steps')).toMatchObject({ kind: 'json', secrets: [[EACH_ITEM, 'value']] });
    expect(of(check('snmp'), 'oids')).toMatchObject({ kind: 'json' });
    expect(of(check('snmp'), 'oids').secrets).toBeUndefined();
    expect(of(check('truenas'), 'apiKey')).toMatchObject({ kind: 'secret', refs: true, required: true });
    expect(of(check('push'), 'token')).toMatchObject({ kind: 'secret', refs: false });
    expect(of(check('temp'), 'source')).toMatchObject({ kind: 'select', choices: ['comet', 'hwmon'] });
    expect(of(sectionFields().mqtt, 'password')).toMatchObject({ kind: 'secret', refs: true });
  });

  it('a value-or-list of status codes reads back as numbers and ranges, one item alone', () => {
    const f = [typeFields(checkTypes.find((x) => x.type === 'https')!).find((x) => x.key === 'expectStatus')!];
    expect(readFields(f, formValues({ 'o.expectStatus': '200\r\n300-399\n2xx' }), 'o.').values).toEqual({ expectStatus: [200, '300-399', '2xx'] });
    expect(readFields(f, formValues({ 'o.expectStatus': '204' }), 'o.').values).toEqual({ expectStatus: 204 });
  });

  it("a sequence's member list is found through the type's members()", () => {
    const seq = checkTypes.find((t) => t.type === 'sequence')!;
    expect(membersKeysOf(seq.options, seq.members)).toEqual(['checks']);
    expect(typeFields(seq).find((f) => f.key === 'checks')!.kind).toBe('members');
  });

  it('the site configuration sections are derived too (users and roles are not form fields)', () => {
    const f = sectionFields();
    expect(f.webui.map((x) => x.key)).toEqual(['name', 'hostname', 'port', 'cert', 'key']);
    expect(f.mqtt.find((x) => x.key === 'password')!.kind).toBe('secret');
    expect(f.plugins.find((x) => x.key === 'dirs')!.kind).toBe('lines');
  });
});

describe('reading a form', () => {
  const s = z.looseObject({
    level: z.number().default(90),
    count: z.int().optional(),
    tls: z.boolean().default(true),
    on: z.boolean().optional(),
    list: z.array(z.string()).default([]),
    password: z.string().nullable().default(null).meta({ secret: true }),
    cfg: z.record(z.string(), z.number()).optional(),
  });
  const fields = fieldsOf(s);

  it('leaves empty inputs out, keeps booleans only when they differ from the default', () => {
    const r = readFields(fields, formValues({ 'o.level': '', 'o.tls': 'on', 'o.list': 'a\r\n b \n\na', 'o.cfg': '{"x":1}' }), 'o.');
    expect(r.errors).toEqual({});
    // a list keeps its order and repeats (an argv such as ["-w", "4", "-c", "4"])
    expect(r.values).toEqual({ list: ['a', 'b', 'a'], cfg: { x: 1 } });
    const off = readFields(fields, formValues({ 'o.on': 'on' }), 'o.');
    expect(off.values).toEqual({ tls: false, on: true });
  });

  it('reports what is not a number, not a whole number or not JSON', () => {
    const r = readFields(fields, formValues({ 'o.level': 'ten', 'o.count': '2.5', 'o.cfg': '{', 'o.tls': 'on' }), 'o.');
    expect(r.errors).toEqual({ level: '"ten" is not a number', count: '"2.5" is not a whole number', cfg: expect.stringMatching(/^not valid JSON/) });
  });

  it('an empty secret keeps the stored one; "none" removes it; a typed value replaces it', () => {
    const keep = readFields(fields, formValues({ 'o.tls': 'on', 'o.password': '', 'o.password.src': 'keep' }), 'o.', { password: 'old' });
    expect(keep.values.password).toBe('old');
    const legacy = readFields(fields, formValues({ 'o.tls': 'on', 'o.password': '' }), 'o.', { password: 'old' });
    expect(legacy.values.password).toBe('old');
    const clear = readFields(fields, formValues({ 'o.tls': 'on', 'o.password': '', 'o.password.src': 'none' }), 'o.', { password: 'old' });
    expect(clear.values).not.toHaveProperty('password');
    const set = readFields(fields, formValues({ 'o.tls': 'on', 'o.password': 'new', 'o.password.src': 'keep' }), 'o.', { password: 'old' });
    expect(set.values.password).toBe('new');
  });
});
