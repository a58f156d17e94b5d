/**
 * Secrets by value, by environment variable or by file; the error names
 * where the secret was looked for and never its value.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveSecret, SecretSchema } from '../../src/util/secret.ts';
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
