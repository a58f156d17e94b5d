/**
 * Secrets by value, by environment variable or by file; the error names
 * where the secret was looked for and never its value.
 */
import { describe, it, expect, afterAll, afterEach } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveSecret, SecretSchema, isSecretRef, describeSecret, SecretError } from '../../src/util/secret.ts';
import { tempDir } from '../servers/common.ts';

const { dir, cleanup } = tempDir('sw-secret-');
afterAll(() => cleanup());

describe('resolveSecret', () => {
  it('returns a string as it is', async () => {
    expect(await resolveSecret('s3cret ')).toBe('s3cret ');
  });

  it('reads an environment variable', async () => {
    process.env.SW_TEST_SECRET = 'from-env';
    try {
      expect(await resolveSecret({ env: 'SW_TEST_SECRET' })).toBe('from-env');
    } finally {
      delete process.env.SW_TEST_SECRET;
    }
    await expect(resolveSecret({ env: 'SW_TEST_SECRET' })).rejects.toThrow('environment variable SW_TEST_SECRET is not set');
  });

  it('reads a file, dropping one trailing newline', async () => {
    const f = join(dir, 'key');
    writeFileSync(f, 'line one\n\n');
    expect(await resolveSecret({ file: f })).toBe('line one\n');
    await expect(resolveSecret({ file: join(dir, 'missing') })).rejects.toMatchObject({
      name: 'SecretError', message: `cannot read secret file ${join(dir, 'missing')} (ENOENT)`,
    });
  });

  it('the schema accepts the three forms and nothing else', () => {
    expect(SecretSchema.safeParse('x').success).toBe(true);
    expect(SecretSchema.safeParse({ env: 'X' }).success).toBe(true);
    expect(SecretSchema.safeParse({ file: '/k' }).success).toBe(true);
    expect(SecretSchema.safeParse({ env: 'X', file: '/k' }).success).toBe(false);
    expect(SecretSchema.safeParse({ cmd: 'cat /k' }).success).toBe(false);
    expect(SecretSchema.safeParse(42).success).toBe(false);
  });
});

const made: (() => void)[] = [];
afterEach(() => {
  while (made.length) made.pop()!();
  delete process.env.SW_SECRET_TEST;
});

describe('resolveSecret (actions)', () => {
  it('a string is the secret itself; null and undefined are empty', async () => {
    expect(await resolveSecret('hunter2')).toBe('hunter2');
    expect(await resolveSecret(null)).toBe('');
    expect(await resolveSecret(undefined)).toBe('');
  });

  it('{"env": NAME} reads the environment variable', async () => {
    process.env.SW_SECRET_TEST = 'from env';
    expect(await resolveSecret({ env: 'SW_SECRET_TEST' })).toBe('from env');
  });

  it('{"file": PATH} reads the file, dropping one trailing newline only', async () => {
    const { dir, cleanup } = tempDir('sw-secret-');
    made.push(cleanup);
    const f = join(dir, 's');
    writeFileSync(f, 'line one\n\n');
    expect(await resolveSecret({ file: f })).toBe('line one\n');
    writeFileSync(f, 'crlf\r\n');
    expect(await resolveSecret({ file: f })).toBe('crlf');
  });

  it('errors name the variable or file, never a value', async () => {
    await expect(resolveSecret({ env: 'SW_SECRET_MISSING' })).rejects.toThrow('environment variable SW_SECRET_MISSING is not set');
    await expect(resolveSecret({ file: '/nonexistent/secret' })).rejects.toThrow('cannot read secret file /nonexistent/secret (ENOENT)');
    await expect(resolveSecret(42)).rejects.toThrow('a secret must be a string');
  });

  it('isSecretRef tells a reference from a value', () => {
    expect(isSecretRef({ env: 'X' })).toBe(true);
    expect(isSecretRef({ file: '/x' })).toBe(true);
    expect(isSecretRef('x')).toBe(false);
    expect(isSecretRef({ other: 1 })).toBe(false);
  });
});

const t = tempDir('sw-secret-rel-');
afterAll(() => t.cleanup());

describe('resolveSecret with a site folder', () => {
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
