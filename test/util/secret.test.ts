import { describe, it, expect, afterEach } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveSecret, isSecretRef } from '../../src/util/secret.ts';
import { tempDir } from '../servers/common.ts';

const made: (() => void)[] = [];
afterEach(() => {
  while (made.length) made.pop()!();
  delete process.env.SW_SECRET_TEST;
});

describe('resolveSecret', () => {
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
    await expect(resolveSecret({ file: '/nonexistent/secret' })).rejects.toThrow('cannot read /nonexistent/secret: ENOENT');
    await expect(resolveSecret(42)).rejects.toThrow('expected a string');
  });

  it('isSecretRef tells a reference from a value', () => {
    expect(isSecretRef({ env: 'X' })).toBe(true);
    expect(isSecretRef({ file: '/x' })).toBe(true);
    expect(isSecretRef('x')).toBe(false);
    expect(isSecretRef({ other: 1 })).toBe(false);
  });
});
