/**
 * Secrets by value, by environment variable or by file; errors name where the
 * secret was looked for and never contain its value.
 */
import { describe, it, expect, afterAll, afterEach } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveSecret, SecretSchema, isSecretRef, describeSecret, SecretError } from '../../src/util/secret.ts';
import { tempDir } from '../servers/common.ts';

const t = tempDir('sw-secret-');
afterAll(() => t.cleanup());
afterEach(() => {
  delete process.env.SW_SECRET_TEST;
});

describe('resolveSecret', () => {
  it('a string is the secret itself, whitespace included; null and undefined are empty', async () => {
    expect(await resolveSecret(' s3cret\n')).toBe(' s3cret\n');
    expect(await resolveSecret(null)).toBe('');
    expect(await resolveSecret(undefined)).toBe('');
  });

  it('{"env": NAME} reads the environment variable', async () => {
    process.env.SW_SECRET_TEST = 'from env';
    expect(await resolveSecret({ env: 'SW_SECRET_TEST' })).toBe('from env');
  });

  it('{"file": PATH} reads the file, relative to the site folder, dropping one trailing line break', async () => {
    writeFileSync(join(t.dir, 'pw'), 'line one\n\n');
    expect(await resolveSecret({ file: 'pw' }, t.dir)).toBe('line one\n');
    writeFileSync(join(t.dir, 'crlf'), 'crlf\r\n');
    expect(await resolveSecret({ file: join(t.dir, 'crlf') }, '/elsewhere')).toBe('crlf');
  });

  it('errors are SecretErrors naming the variable or file, never a value', async () => {
    await expect(resolveSecret({ env: 'SW_SECRET_UNSET' })).rejects.toThrow(new SecretError('environment variable SW_SECRET_UNSET is not set'));
    await expect(resolveSecret({ file: 'nope' }, t.dir)).rejects.toMatchObject({
      name: 'SecretError',
      message: `cannot read secret file ${join(t.dir, 'nope')} (ENOENT)`,
    });
    await expect(resolveSecret(42)).rejects.toThrow('a secret must be a string');
  });

  it('describes a secret without its value and tells a reference from a value', () => {
    expect(describeSecret('hunter2')).toBe('inline');
    expect(describeSecret({ env: 'X' })).toBe('env X');
    expect(describeSecret({ file: '/p' })).toBe('file /p');
    expect(isSecretRef({ env: 'X' })).toBe(true);
    expect(isSecretRef({ file: '/x' })).toBe(true);
    expect(isSecretRef('x')).toBe(false);
    expect(isSecretRef({ other: 1 })).toBe(false);
  });

  it('the schema accepts exactly the three forms', () => {
    for (const ok of ['x', { env: 'X' }, { file: '/k' }]) expect(SecretSchema.safeParse(ok).success).toBe(true);
    for (const bad of [{ env: 'X', file: '/k' }, { cmd: 'cat /k' }, 42]) expect(SecretSchema.safeParse(bad).success).toBe(false);
  });
});
