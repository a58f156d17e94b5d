/**
 * Secrets in the site file. A password, token or API key option may hold the
 * secret itself (fletchck's way), or name where to read it, so the file and
 * the UI never carry it (anchors §15 "secrets referenced from env or file"):
 *
 *   "password": "hunter2"                      the secret itself
 *   "password": {"env": "SMTP_PASSWORD"}       an environment variable
 *   "password": {"file": "/run/secrets/smtp"}  a file (one trailing newline dropped,
 *                                              as `echo secret > file` writes one)
 *
 * Secrets are resolved when they are used, never stored back, and no error
 * message here contains a resolved value.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { isObject } from './guard.ts';

/** Schema for an option that holds a secret (use `.optional()` / `.nullable()` as needed). */
export const SecretSchema = z
  .union([
    z.string(),
    z.strictObject({ env: z.string().min(1).describe('environment variable holding the secret') }),
    z.strictObject({ file: z.string().min(1).describe('file holding the secret (relative paths: from the site folder)') }),
  ])
  .describe('the secret itself, {"env": "NAME"} or {"file": "/path"}');

export type Secret = z.output<typeof SecretSchema>;
export type SecretValue = Secret;
export type SecretRef = Secret;

/** A secret that cannot be read. The message names where it was looked for, never the value. */
export class SecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretError';
  }
}

/** True for `{"env": …}` / `{"file": …}` (a reference, not the secret). */
export function isSecretRef(value: unknown): value is { env: string } | { file: string } {
  return isObject(value) && (typeof value.env === 'string' || typeof value.file === 'string');
}

/**
 * The secret a value stands for: a string as is, `{"env"}` from the
 * environment, `{"file"}` from the file (relative paths from `base`, the site
 * folder, else the working folder); null/undefined → ''. Rejects with
 * SecretError naming the variable or file, never the value.
 */
export async function resolveSecret(value: unknown, base?: string): Promise<string> {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value.env === 'string') {
    const v = process.env[value.env];
    if (v === undefined) throw new SecretError(`environment variable ${value.env} is not set`);
    return v;
  }
  if (isObject(value) && typeof value.file === 'string') {
    const path = isAbsolute(value.file) || base === undefined ? value.file : resolve(base, value.file);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      throw new SecretError(`cannot read secret file ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    return text.replace(/\r?\n$/, '');
  }
  throw new SecretError('a secret must be a string, {"env": "NAME"} or {"file": "/path"}');
}

/** How a secret is given, for logs and the UI: never the value itself. */
export function describeSecret(value: unknown): string {
  if (typeof value === 'string') return 'inline';
  if (isObject(value) && typeof value.env === 'string') return `env ${value.env}`;
  if (isObject(value) && typeof value.file === 'string') return `file ${value.file}`;
  return 'none';
}
