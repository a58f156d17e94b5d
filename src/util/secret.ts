/**
 * Secrets in the site file: a credential option may hold the secret itself,
 * or point at where it lives so the site file (which the web UI shows and
 * saves) never carries it: `{"env": "NAME"}` reads an environment variable,
 * `{"file": "/path"}` reads a file (one trailing newline is dropped, as
 * `echo secret > file` writes one).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';

export type SecretValue = string | { env: string } | { file: string };

/** Schema for an option that holds a secret (use `.optional()` / `.nullable()` as needed). */
export const SecretSchema = z.union([
  z.string(),
  z.strictObject({ env: z.string().min(1).describe('environment variable holding the secret') }),
  z.strictObject({ file: z.string().min(1).describe('absolute path of a file holding the secret') }),
]).describe('the secret itself, {"env": "NAME"} or {"file": "/path"}');

/** A secret that cannot be read. The message names where it was looked for, never the value. */
export class SecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretError';
  }
}

/** Returns the secret a SecretValue refers to; rejects with SecretError when it cannot be read. */
export async function resolveSecret(value: SecretValue): Promise<string> {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'env' in value && typeof value.env === 'string') {
    const v = process.env[value.env];
    if (v === undefined) throw new SecretError(`environment variable ${value.env} is not set`);
    return v;
  }
  if (value && typeof value === 'object' && 'file' in value && typeof value.file === 'string') {
    try {
      const text = await readFile(value.file, 'utf8');
      return text.replace(/\r?\n$/, '');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      throw new SecretError(`cannot read secret file ${value.file} (${code})`);
    }
  }
  throw new SecretError('a secret must be a string, {"env": "NAME"} or {"file": "/path"}');
}
