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
import { marksOf, optionProps } from '../../src/config/marks.ts';
import { AdminRequired, REFERENCE_REASON, adminNeeds, guardEdit, type TypeLookup } from '../../src/config/trust.ts';

const needs = adminNeeds;
import { putCheck, type Doc } from '../../src/config/edits.ts';
import { sectionFields } from '../../src/web/site-config.ts';

const kinds = [
  { kind: 'check' as const, key: 'checks', types: checkTypes },
  { kind: 'action' as const, key: 'actions', types: actionTypes },
];

const doc = (key: string, entry: unknown): Doc => ({ [key]: { x: entry } });

describe('every option marked hostAccess, in every registered type', () => {
  it('the marked options are the programs, their environment and the files the daemon reads', () => {
    const marked = kinds.flatMap(({ types }) => types.flatMap((t) => [...marksOf(t.options).hostAccess].map((k) => `${t.type}.${k}`)));
    expect(marked.sort()).toEqual([
      'cert.ca', 'email.ca', 'email.fallback', 'exec.command', 'exec.env', 'https.ca', 'imap.ca', 'smtp.ca', 'submit.ca', 'tcp.ca', 'truenas.ca',
    ]);
  });

  for (const { kind, key, types } of kinds) {
    for (const t of types) {
      for (const opt of marksOf(t.options).hostAccess) {
        it(`${kind} ${t.type}: changing "${opt}" needs an administrator; keeping it does not`, () => {
          const before = doc(key, { type: t.type, options: { [opt]: ['/usr/lib/a'] } });
          const changed = doc(key, { type: t.type, options: { [opt]: ['/tmp/b'] } });
          const added = doc(key, { type: t.type, options: {} });
          expect(adminNeeds(before, changed).map((i) => i.path)).toEqual([[key, 'x', 'options', opt]]);
          expect(adminNeeds(added, before).map((i) => i.path)).toEqual([[key, 'x', 'options', opt]]);
          expect(adminNeeds({}, before)).toHaveLength(1); // a new entry with it
          expect(adminNeeds(before, doc(key, { type: t.type, options: { [opt]: ['/usr/lib/a'] }, paused: true }))).toEqual([]);
          expect(adminNeeds(before, {})).toEqual([]); // deleting decides nothing about the host
          expect(() => guardEdit(false, () => changed)(before)).toThrow(AdminRequired);
          expect(guardEdit(true, () => changed)(before)).toBe(changed);
        });
      }
    }
  }
});

describe('every secret option, in every registered type: references are an administrator\'s', () => {
  for (const { kind, key, types } of kinds) {
    for (const t of types) {
      for (const [opt, slot] of marksOf(t.options).secrets) {
        it(`${kind} ${t.type}: a new {"file"}/{"env"} in "${opt}" needs an administrator; an inline value or a kept reference does not`, () => {
          const put = (v: unknown): Doc => doc(key, { type: t.type, options: { [opt]: slot === 'values' ? { H: v } : v } });
          // (exec env is also hostAccess: any change of it is refused for that reason too; only references are looked at here)
          const adminNeeds = (a: Doc, b: Doc) => needs(a, b).filter((i) => i.message === REFERENCE_REASON);
          const at = slot === 'values' ? [key, 'x', 'options', opt, 'H'] : [key, 'x', 'options', opt];
          const inline = put('plain');
          for (const ref of [{ file: '/etc/shadow' }, { env: 'HOME' }]) {
            expect(adminNeeds(inline, put(ref)).map((i) => i.path), JSON.stringify(ref)).toEqual([at]);
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

describe('adminOnly types', () => {
  const types: TypeLookup = {
    check: (type) => (type === 'shell' ? { adminOnly: 'runs a program on this host', options: z.looseObject({ line: z.string() }) } : checkTypes.find((c) => c.type === type)),
    action: () => undefined,
  };
  const shell = { type: 'shell', options: { line: 'uptime' } };

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
  const LOOKS_SECRET = /^pass(wd|phrase)?$|password|secret|token|api_?key|private_?key/i;
  it('every option named like a secret, in every type and site section with a form, is marked secret', () => {
    const unmarked: string[] = [];
    for (const { types } of kinds) {
      for (const t of types) {
        const m = marksOf(t.options);
        for (const k of Object.keys(optionProps(t.options))) if (LOOKS_SECRET.test(k) && !m.secrets.has(k)) unmarked.push(`${t.type}.${k}`);
      }
    }
    for (const [section, fields] of Object.entries(sectionFields())) {
      for (const f of fields) if (LOOKS_SECRET.test(f.key) && f.kind !== 'secret') unmarked.push(`${section}.${f.key}`);
    }
    expect(unmarked).toEqual([]);
  });
});
