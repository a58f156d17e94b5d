/**
 * The options of the TLS-speaking checks: fletchck-shaped configs load with
 * fletchck's defaults, every option is described (the README tables are
 * generated from these descriptions), and the registry offers the types in
 * fletchck's UI order.
 */
import { describe, it, expect } from 'vitest';
import type { z } from 'zod';
import { checkType, checkTypeNames } from '../../../src/checks/registry.ts';
import { parseOptions } from './harness.ts';

const TYPES = ['smtp', 'submit', 'imap', 'https', 'cert'];

describe('TLS check options', () => {
  it("are registered in fletchck's UI order, before the local checks", () => {
    const names = checkTypeNames();
    const at = TYPES.map((t) => names.indexOf(t));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    expect(Math.max(...at)).toBeLessThan(names.indexOf('disk'));
  });

  it.each(TYPES)('%s: every option has a description and the type an info text', (type) => {
    const t = checkType(type)!;
    expect(t.info.summary.length).toBeGreaterThan(10);
    expect(t.info.pass.length).toBeGreaterThan(10);
    expect(t.info.fletchck).toBe(true);
    const shape = (t.options as unknown as z.ZodObject).shape;
    const missing = Object.entries(shape)
      .filter(([, s]) => !(s as z.ZodType).description)
      .map(([k]) => k);
    expect(missing).toEqual([]);
  });

  it('fletchck defaults apply to a minimal config', () => {
    expect(parseOptions('smtp', { hostname: 'mx' })).toMatchObject({ tls: true, selfsigned: false, expiryDays: 7 });
    expect(parseOptions('https', { hostname: 'web' })).toMatchObject({ tls: true, reqPath: '/', selfsigned: false, expiryDays: 7 });
    expect(parseOptions('imap', { hostname: 'mail' })).toMatchObject({ tls: false, selfsigned: false });
    expect(parseOptions('cert', { hostname: 'web', port: 443 })).toMatchObject({ selfsigned: false, expiryDays: 7 });
    for (const t of TYPES) expect(checkType(t)!.defaultTimeout).toBe({ smtp: 6, submit: 10, imap: 6, https: 10, cert: 5 }[t]);
  });

  it('a check from a fletchck site file loads unchanged (port 0 = default, unknown keys kept)', () => {
    const o = parseOptions('submit', { hostname: 'mail.example.com', port: 0, timeout: 10, selfsigned: false, note: 'kept' });
    expect(o).toMatchObject({ hostname: 'mail.example.com', port: 0, note: 'kept' });
  });
});
