/**
 * The secret resolver (src/util/secret.ts): inline, {env}, {file}; errors
 * name where the secret was looked for and never contain a value.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveSecret, describeSecret, SecretSchema, SecretError } from '../../src/util/secret.ts';
import { tempDir } from '../servers/common.ts';

const t = tempDir('sw-secret-');
afterAll(() => t.cleanup());

describe('resolveSecret', () => {
  it('returns an inline string as it is', async () => {
    expect(await resolveSecret(' spaced\n', t.dir)).toBe(' spaced\n');
  });

  it('reads an environment variable', async () => {
    process.env.SW_SECRET_TEST = 'from-env';
    try {
      expect(await resolveSecret({ env: 'SW_SECRET_TEST' }, t.dir)).toBe('from-env');
    } finally {
      delete process.env.SW_SECRET_TEST;
    }
  });

  it('reads a file relative to the site folder, dropping one trailing line break', async () => {
    writeFileSync(join(t.dir, 'pw'), 'line one\n\n');
    expect(await resolveSecret({ file: 'pw' }, t.dir)).toBe('line one\n');
    writeFileSync(join(t.dir, 'pw2'), 'crlf\r\n');
    expect(await resolveSecret({ file: join(t.dir, 'pw2') }, '/elsewhere')).toBe('crlf');
  });

  it('a missing variable or file is a SecretError naming it', async () => {
    await expect(resolveSecret({ env: 'SW_SECRET_UNSET' }, t.dir)).rejects.toThrow(new SecretError('environment variable SW_SECRET_UNSET is not set'));
    await expect(resolveSecret({ file: 'nope' }, t.dir)).rejects.toThrow(`cannot read secret file ${join(t.dir, 'nope')} (ENOENT)`);
  });

  it('describes a secret without its value', () => {
    expect(describeSecret('hunter2')).toBe('inline');
    expect(describeSecret({ env: 'X' })).toBe('env X');
    expect(describeSecret({ file: '/p' })).toBe('file /p');
  });

  it('the schema takes exactly one form', () => {
    expect(SecretSchema.safeParse('x').success).toBe(true);
    expect(SecretSchema.safeParse({ env: 'X' }).success).toBe(true);
    expect(SecretSchema.safeParse({ file: '/x' }).success).toBe(true);
    expect(SecretSchema.safeParse({ env: 'X', file: '/x' }).success).toBe(false);
    expect(SecretSchema.safeParse({ value: 'x' }).success).toBe(false);
    expect(SecretSchema.safeParse(42).success).toBe(false);
  });
});
