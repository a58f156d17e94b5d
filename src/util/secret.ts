/**
 * Secrets in check options (passwords): given inline, or by reference to an
 * environment variable or a file, so a site file can be shared or committed
 * without the secret in it. The resolved value is never logged: every error
 * names where the secret was looked for, never what it is.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';

export const SecretSchema = z.union([
  z.string(),
  z.strictObject({ env: z.string().min(1).describe('name of an environment variable holding the secret') }),
  z.strictObject({ file: z.string().min(1).describe('path of a file holding the secret (relative to the site folder)') }),
]);

export type Secret = z.output<typeof SecretSchema>;

/** An error about a secret reference; its message never contains the secret. */
export class SecretError extends Error {
  override name = 'SecretError';
}

/**
 * The secret's value. A file's content loses one trailing line break (files
 * written by `echo` or an editor end with one; a password does not).
 * Relative file paths are read from `base` (the site folder).
 */
export async function resolveSecret(secret: Secret, base: string): Promise<string> {
  if (typeof secret === 'string') return secret;
  if ('env' in secret) {
    const v = process.env[secret.env];
    if (v === undefined) throw new SecretError(`environment variable ${secret.env} is not set`);
    return v;
  }
  const path = isAbsolute(secret.file) ? secret.file : resolve(base, secret.file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new SecretError(`cannot read secret file ${path} (${code})`);
  }
  return text.replace(/\r?\n$/, '');
}

/** How a secret is given, for logs and the UI: never the value itself. */
export function describeSecret(secret: Secret): string {
  if (typeof secret === 'string') return 'inline';
  if ('env' in secret) return `env ${secret.env}`;
  return `file ${secret.file}`;
}
