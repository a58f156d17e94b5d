/**
 * Every option with a closed set of values is checked when the site loads,
 * and a near miss is answered with "did you mean …" (issue 17): check and
 * action types, every enum option of every registered type, and the dns
 * check's reqType (fletchck and siteward used to find out at run time).
 */
import { describe, it, expect } from 'vitest';
import { validateSite } from '../../src/config/load.ts';
import { formatIssue } from '../../src/config/issues.ts';
import { checkTypes } from '../../src/checks/registry.ts';
import { actionTypes } from '../../src/actions/registry.ts';
import { fieldsOf } from '../../src/web/fields.ts';
import { closest } from '../../src/util/suggest.ts';

const problems = (doc: Record<string, unknown>): string[] =>
  validateSite(doc, { base: '/site' }, [])
    .issues.filter((i) => i.severity === 'error')
    .map(formatIssue);

/** A slip of the keyboard: one letter doubled. */
const slip = (s: string): string => `${s}${s.slice(-1)}`;

describe('closed sets are checked at load, with did-you-mean', () => {
  it('check and action types', () => {
    expect(problems({ checks: { web: { type: 'http' } } })).toContain('checks["web"].type: unknown check type "http"; did you mean "https"?');
    expect(problems({ actions: { ops: { type: 'emial' } } })).toContain('actions["ops"].type: unknown action type "emial"; did you mean "email"?');
    expect(problems({ checks: { x: { type: 'kubernetes' } } })).toContain('checks["x"].type: unknown check type "kubernetes"');
  });

  it('the dns reqType: any name dnspython knows (any case, TYPEn), else an error naming the nearest', () => {
    expect(problems({ checks: { d: { type: 'dns', options: { reqType: 'AAAAX' } } } })).toEqual([
      'checks["d"].options.reqType: "AAAAX" is not a DNS record type; did you mean "AAAA"?',
    ]);
    for (const ok of ['aaaa', 'MX', 'TYPE65', 'nsap_ptr']) expect(problems({ checks: { d: { type: 'dns', options: { reqType: ok } } } })).toEqual([]);
  });

  const enums = [
    ...checkTypes.flatMap((t) =>
      fieldsOf(t.options)
        .filter((f) => f.choices.length > 1)
        .map((f) => ({ section: 'checks', type: t.type, f })),
    ),
    ...actionTypes.flatMap((t) =>
      fieldsOf(t.options)
        .filter((f) => f.choices.length > 1)
        .map((f) => ({ section: 'actions', type: t.type, f })),
    ),
  ];

  it('finds the enum options of the registry (so the next test tests something)', () => {
    expect(enums.map((e) => `${e.type}.${e.f.key}`)).toEqual(
      expect.arrayContaining(['email.tls', 'webhook.method', 'temp.source', 'net.direction', 'truenas.alertLevel']),
    );
  });

  it.each(enums.map((e) => [`${e.type}.${e.f.key}`, e] as const))('%s: a value outside the set is an error with the nearest choice', (_name, e) => {
    const wrong = slip(e.f.choices[0]);
    const near = closest(wrong, e.f.choices);
    const entry = { type: e.type, options: { [e.f.key]: wrong } };
    const doc = e.section === 'checks' ? { checks: { x: entry } } : { actions: { x: entry } };
    const mine = problems(doc).filter((p) => p.startsWith(`${e.section}["x"].options.${e.f.key}:`));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toContain(`did you mean ${JSON.stringify(near)}?`);
  });
});
