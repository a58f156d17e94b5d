/**
 * The admin rule of src/config/trust.ts over every registered type: each
 * option marked hostAccess and each secret slot, changed by an edit below
 * admin, is refused with its path; kept, it is not. A type's `adminOnly`
 * makes the whole entry an administrator's. And the marks themselves: an
 * option named like a secret must be marked secret, so nothing depends on
 * names (redaction and forms follow the marks, src/config/marks.ts).
 */
import { describe, it, expect } from 'vitest';
import { z } from 'zod';
import { checkTypes } from '../../src/checks/registry.ts';
import { actionTypes } from '../../src/actions/registry.ts';
import { EACH_ITEM, EACH_KEY, branches, hostAccess, marksOf, slotText, type SlotPath, type SlotStep } from '../../src/config/marks.ts';
import { redactOptions } from '../../src/config/redact.ts';
import { SecretSchema } from '../../src/util/secret.ts';
import type { PathSegment } from '../../src/config/issues.ts';
import { AdminRequired, REFERENCE_REASON, adminNeeds, guardEdit, type TypeLookup } from '../../src/config/trust.ts';

const needs = adminNeeds;
import { putCheck, type Doc } from '../../src/config/edits.ts';
import { sectionFields } from '../../src/web/site-config.ts';

const kinds = [
  { kind: 'check' as const, key: 'checks', types: checkTypes },
  { kind: 'action' as const, key: 'actions', types: actionTypes },
];

const doc = (key: string, entry: unknown): Doc => ({ [key]: { x: entry } });

/** Options holding `v` at one place `path` reaches (a record's key H, an array's first item), and that place's path. */
function place(path: SlotPath, v: unknown): { options: Record<string, unknown>; at: PathSegment[] } {
  const at: PathSegment[] = path.map((s) => (typeof s === 'string' ? s : s.each === 'key' ? 'H' : 0));
  const build = (i: number): unknown => {
    if (i === path.length) return v;
    const s = path[i];
    return typeof s === 'string' ? { [s]: build(i + 1) } : s.each === 'key' ? { H: build(i + 1) } : [build(i + 1)];
  };
  return { options: build(0) as Record<string, unknown>, at };
}

describe('every value marked hostAccess, in every registered type', () => {
  it('the marked places are the programs, their environment and the files and sockets the daemon reads', () => {
    const marked = kinds.flatMap(({ types }) => types.flatMap((t) => marksOf(t.options).hostAccess.map((p) => `${t.type}.${slotText(p)}`)));
    expect(marked.sort()).toEqual([
      'cert.ca',
      'docker.ca',
      'docker.socket',
      'email.ca',
      'email.fallback',
      'exec.command',
      'exec.env',
      'https.ca',
      'imap.ca',
      'ldap.ca',
      'mqtt.ca',
      'mysql.ca',
      'postgres.ca',
      'redis.ca',
      'smtp.ca',
      'submit.ca',
      'tcp.ca',
      'truenas.ca',
    ]);
  });

  for (const { kind, key, types } of kinds) {
    for (const t of types) {
      for (const slot of marksOf(t.options).hostAccess) {
        const opt = slotText(slot);
        const was = place(slot, ['/usr/lib/a']);
        const before = doc(key, { type: t.type, options: was.options });
        const changed = doc(key, { type: t.type, options: place(slot, ['/tmp/b']).options });
        const added = doc(key, { type: t.type, options: {} });
        const kept = doc(key, { type: t.type, options: was.options, paused: true });
        if (t.adminOnly !== undefined) {
          it(`${kind} ${t.type} (admin only): "${opt}" is the administrator's with the whole entry; pausing it is not`, () => {
            const whole = [{ path: [key, 'x'], message: `only an administrator may add, change or delete this ${kind}: ${t.adminOnly}`, severity: 'error' }];
            expect(adminNeeds(before, changed)).toEqual(whole);
            expect(adminNeeds(added, before)).toEqual(whole);
            expect(adminNeeds({}, before)).toEqual(whole);
            expect(adminNeeds(before, {})).toEqual(whole); // deleting it too: the whole entry is theirs
            expect(adminNeeds(before, kept)).toEqual([]);
            expect(() => guardEdit(false, () => changed)(before)).toThrow(AdminRequired);
            expect(guardEdit(true, () => changed)(before)).toBe(changed);
          });
          continue;
        }
        it(`${kind} ${t.type}: changing "${opt}" needs an administrator; keeping it does not`, () => {
          const at = [key, 'x', 'options', ...was.at];
          expect(adminNeeds(before, changed).map((i) => i.path)).toEqual([at]);
          expect(adminNeeds(added, before).map((i) => i.path)).toEqual([at]);
          expect(adminNeeds({}, before)).toHaveLength(1); // a new entry with it
          expect(adminNeeds(before, kept)).toEqual([]);
          expect(adminNeeds(before, {})).toEqual([]); // deleting decides nothing about the host
          expect(() => guardEdit(false, () => changed)(before)).toThrow(AdminRequired);
          expect(guardEdit(true, () => changed)(before)).toBe(changed);
        });
      }
    }
  }
});

describe("every secret slot, in every registered type: references are an administrator's", () => {
  for (const { kind, key, types } of kinds) {
    for (const t of types) {
      for (const slot of marksOf(t.options).secrets) {
        const opt = slotText(slot);
        const put = (v: unknown): Doc => doc(key, { type: t.type, options: place(slot, v).options });
        if (t.adminOnly !== undefined) {
          it(`${kind} ${t.type} (admin only): a reference in "${opt}" is the administrator's with the whole entry`, () => {
            for (const ref of [{ file: '/etc/shadow' }, { env: 'HOME' }]) {
              expect(adminNeeds(put('plain'), put(ref)).map((i) => i.path)).toEqual([[key, 'x']]);
              expect(adminNeeds({}, put(ref)).map((i) => i.message)).toEqual([`only an administrator may add, change or delete this ${kind}: ${t.adminOnly}`]);
              expect(adminNeeds(put(ref), put(ref))).toEqual([]);
            }
          });
          continue;
        }
        it(`${kind} ${t.type}: a new {"file"}/{"env"} in "${opt}" needs an administrator; an inline value or a kept reference does not`, () => {
          // (exec env is also hostAccess: any change of it is refused for that reason too; only references are looked at here)
          const adminNeeds = (a: Doc, b: Doc) => needs(a, b).filter((i) => i.message === REFERENCE_REASON);
          const at = [key, 'x', 'options', ...place(slot, '').at];
          const inline = put('plain');
          for (const ref of [{ file: '/etc/shadow' }, { env: 'HOME' }]) {
            expect(
              adminNeeds(inline, put(ref)).map((i) => i.path),
              JSON.stringify(ref),
            ).toEqual([at]);
            expect(adminNeeds({}, put(ref)).map((i) => i.path)).toEqual([at]);
            expect(adminNeeds(put(ref), put(ref))).toEqual([]);
            expect(adminNeeds(put(ref), inline)).toEqual([]);
          }
          expect(adminNeeds(put({ file: '/run/a' }), put({ file: '/run/b' }))).toHaveLength(1);
        });
      }
    }
  }

  it('a rename keeps what the entry had: a renamed check with a reference is not a new reference', () => {
    const before = doc('checks', { type: 'imap', options: { hostname: 'h', password: { file: '/run/p' } } });
    const after = putCheck(before, 'y', (before.checks as Record<string, unknown>).x as Record<string, unknown>, 'x');
    expect(adminNeeds(before, after)).toHaveLength(1); // without knowing the rename: a new check y with a reference
    expect(adminNeeds(before, after, { renamed: { checks: [['x', 'y']] } })).toEqual([]);
  });
});

describe('marks deeper in an option: items of a list, objects in objects', () => {
  // a type that is not admin only, with a secret and a file in the items of a list (as browser steps hold secrets)
  const Item = z.union([
    z.strictObject({ fill: z.string(), value: SecretSchema }),
    z.strictObject({ click: z.string() }),
    z.strictObject({ tls: z.strictObject({ ca: hostAccess(z.string()).optional(), key: SecretSchema.optional() }) }),
  ]);
  const deep = { options: z.looseObject({ steps: z.array(Item).default([]) }) };
  const types: TypeLookup = { check: (type) => (type === 'deep' ? deep : undefined), action: () => undefined };
  const has = (steps: unknown[]): Doc => doc('checks', { type: 'deep', options: { steps } });

  it('the marks are found at their depth', () => {
    expect(marksOf(deep.options).secrets.map(slotText)).toEqual(['steps[].value', 'steps[].tls.key']);
    expect(marksOf(deep.options).hostAccess.map(slotText)).toEqual(['steps[].tls.ca']);
  });

  it('a new reference in an item is refused at its path; inline values, kept and reordered references are not', () => {
    const user = { fill: '#u', value: 'monitor' };
    const pass = { fill: '#p', value: { file: '/run/portal' } };
    const refs = (a: Doc, b: Doc) =>
      adminNeeds(a, b, { types })
        .filter((i) => i.message === REFERENCE_REASON)
        .map((i) => i.path);
    expect(refs(has([user]), has([user, pass]))).toEqual([['checks', 'x', 'options', 'steps', 1, 'value']]);
    expect(refs(has([user]), has([user, { tls: { key: { env: 'KEY' } } }]))).toEqual([['checks', 'x', 'options', 'steps', 1, 'tls', 'key']]);
    expect(refs(has([user, pass]), has([pass, { click: '#go' }, user]))).toEqual([]);
    expect(refs(has([user, pass]), has([user, { fill: '#p', value: 'typed' }]))).toEqual([]);
    expect(refs(has([user, pass]), has([user, { fill: '#p', value: { file: '/etc/shadow' } }]))).toEqual([['checks', 'x', 'options', 'steps', 1, 'value']]);
  });

  it("a file in an item is an administrator's: changed, added or moved, refused at its path; kept, not", () => {
    const ca = (f: string) => ({ tls: { ca: f } });
    const host = (a: Doc, b: Doc) =>
      adminNeeds(a, b, { types })
        .filter((i) => i.message !== REFERENCE_REASON)
        .map((i) => i.path);
    expect(host(has([ca('/etc/a.pem')]), has([ca('/etc/b.pem')]))).toEqual([['checks', 'x', 'options', 'steps', 0, 'tls', 'ca']]);
    expect(host(has([{ click: '#go' }]), has([{ click: '#go' }, ca('/etc/a.pem')]))).toEqual([['checks', 'x', 'options', 'steps', 1, 'tls', 'ca']]);
    expect(host(has([ca('/etc/a.pem')]), has([{ click: '#go' }, ca('/etc/a.pem')]))).toEqual([['checks', 'x', 'options', 'steps', 1, 'tls', 'ca']]);
    expect(host(has([ca('/etc/a.pem'), { click: '#go' }]), has([ca('/etc/a.pem'), { click: '#stop' }]))).toEqual([]);
  });

  it('redaction follows: every value at a secret slot is described, anything else is kept', () => {
    const options = {
      steps: [
        { fill: '#u', value: 'monitor' },
        { click: '#go' },
        { fill: '#p', value: { file: '/run/portal' } },
        { tls: { ca: '/etc/a.pem', key: 'k3y' } },
        'odd',
      ],
    };
    expect(redactOptions(marksOf(deep.options), options)).toEqual({
      steps: [
        { fill: '#u', value: '(secret: inline)' },
        { click: '#go' },
        { fill: '#p', value: '(secret: file /run/portal)' },
        { tls: { ca: '/etc/a.pem', key: '(secret: inline)' } },
        '(secret: inline)',
      ],
    });
  });
});

describe('adminOnly types', () => {
  const types: TypeLookup = {
    check: (type) =>
      type === 'shell' ? { adminOnly: 'runs a program on this host', options: z.looseObject({ line: z.string() }) } : checkTypes.find((c) => c.type === type),
    action: () => undefined,
  };
  const shell = { type: 'shell', options: { line: 'uptime' } };

  it('the registered ones: the container engine and the browser', () => {
    expect(
      [...checkTypes, ...actionTypes]
        .filter((t) => t.adminOnly !== undefined)
        .map((t) => t.type)
        .sort(),
    ).toEqual(['browser', 'docker']);
  });

  it('adding, editing, deleting or retyping one needs an administrator; pausing and moving it do not', () => {
    const has = doc('checks', shell);
    expect(adminNeeds({}, has, { types })[0].message).toMatch(/only an administrator may add, change or delete this check: runs a program on this host/);
    expect(adminNeeds(has, doc('checks', { ...shell, options: { line: 'id' } }), { types })).toHaveLength(1);
    expect(adminNeeds(has, doc('checks', { ...shell, threshold: 3 }), { types })).toHaveLength(1);
    expect(adminNeeds(has, { checks: {} }, { types })).toHaveLength(1);
    expect(adminNeeds(has, doc('checks', { type: 'memory' }), { types })).toHaveLength(1);
    expect(adminNeeds(doc('checks', { type: 'memory' }), has, { types })).toHaveLength(1);
    expect(adminNeeds(has, doc('checks', { ...shell, paused: true, priority: 4 }), { types })).toEqual([]);
  });
});

describe('the marks carry the meaning, not option names', () => {
  const LOOKS_SECRET = /^pass(wd|phrase)?$|password|secret|token|api_?key|private_?key|community/i;

  /** Every property of a JSON Schema at any depth (items of lists, values of records, alternatives), as slot paths. */
  function properties(s: Record<string, unknown>, at: SlotStep[] = [], out: SlotStep[][] = []): SlotStep[][] {
    if (at.length > 20) return out;
    for (const b of branches(s)) {
      if (b.properties && typeof b.properties === 'object') {
        for (const [k, p] of Object.entries(b.properties as Record<string, Record<string, unknown>>)) {
          out.push([...at, k]);
          properties(p, [...at, k], out);
        }
      }
      if (b.additionalProperties && typeof b.additionalProperties === 'object')
        properties(b.additionalProperties as Record<string, unknown>, [...at, EACH_KEY], out);
      if (b.items && typeof b.items === 'object') properties(b.items as Record<string, unknown>, [...at, EACH_ITEM], out);
    }
    return out;
  }
  const within = (slot: SlotPath, p: SlotStep[]): boolean => slot.length <= p.length && slot.every((x, i) => JSON.stringify(x) === JSON.stringify(p[i]));

  it('every option named like a secret, at any depth, in every type and site section with a form, is marked secret', () => {
    const unmarked: string[] = [];
    let nested = 0;
    for (const { types } of kinds) {
      for (const t of types) {
        const m = marksOf(t.options);
        for (const p of properties(z.toJSONSchema(t.options, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>)) {
          if (p.length > 1) nested++;
          const name = p.at(-1);
          if (typeof name === 'string' && LOOKS_SECRET.test(name) && !m.secrets.some((s) => within(s, p))) unmarked.push(`${t.type}.${slotText(p)}`);
        }
      }
    }
    for (const [section, fields] of Object.entries(sectionFields())) {
      for (const f of fields) if (LOOKS_SECRET.test(f.key) && f.kind !== 'secret') unmarked.push(`${section}.${f.key}`);
    }
    expect(unmarked).toEqual([]);
    expect(nested).toBeGreaterThan(10); // the walk does go into lists and objects (snmp oids, browser steps, https expectJson)
  });

  it('the walk would find a secret named so in the items of a list', () => {
    const schema = z.looseObject({ hosts: z.array(z.object({ name: z.string(), password: z.string() })) });
    const js = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
    const found = properties(js).filter((p) => LOOKS_SECRET.test(String(p.at(-1))) && !marksOf(schema).secrets.some((s) => within(s, p)));
    expect(found.map(slotText)).toEqual(['hosts[].password']);
  });
});
