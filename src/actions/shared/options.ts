/**
 * Option schemas shared by several action types: secrets (a value, or where
 * to read it, src/util/secret.ts), recipient lists and the per-send timeout.
 */
import { z } from 'zod';
import { resolveSecret } from '../../util/secret.ts';
import { ActionError } from '../types.ts';
import { APP_ICON } from '../message.ts';

/** Options every action type has (spread first into each type's schema). */
export const commonActionOptions = {
  default: z.boolean().optional().describe('siteward: ticked for new checks in the Add-check form'),
  notifyWarn: z.boolean().optional().describe('siteward: also notify when a check enters or leaves WARN (a level above its warning threshold)'),
};

const SECRET_HELP = 'a string, {"env": "NAME"} (environment variable) or {"file": "/path"} (file contents)';

/**
 * A secret option. Tagged with `meta({ secret: true })` so forms know to
 * show the reference, never a resolved value.
 */
const secretValueSchema = (): z.ZodUnion<[z.ZodString, z.ZodObject<{ env: z.ZodString }>, z.ZodObject<{ file: z.ZodString }>]> =>
  z.union([z.string(), z.strictObject({ env: z.string().min(1) }), z.strictObject({ file: z.string().min(1) })]);

export function secret(what: string): z.ZodType<string | { env: string } | { file: string }> {
  return secretValueSchema().describe(`${what}: ${SECRET_HELP}`).meta({ secret: true });
}

/** A secret that may be left out (null). */
export function optionalSecret(what: string): z.ZodDefault<z.ZodNullable<z.ZodType<string | { env: string } | { file: string }>>> {
  return secretValueSchema().nullable().default(null).describe(`${what}: ${SECRET_HELP}`).meta({ secret: true });
}

export function timeout(seconds: number): z.ZodDefault<z.ZodNumber> {
  return z.number().positive().max(300).default(seconds).describe(`seconds one send may take (default ${seconds})`);
}

/** A list of addresses or numbers (fletchck's `recipients`). */
export const recipients = (what: string): z.ZodDefault<z.ZodArray<z.ZodString>> => z.array(z.string()).default([]).describe(what);

/** Resolves a secret option; an unreadable secret is a permanent error (fix the config or the environment). */
export async function secretValue(value: unknown): Promise<string> {
  try {
    return await resolveSecret(value);
  } catch (e) {
    throw new ActionError((e as Error).message, { permanent: true });
  }
}

/** The `site` / `icon` pair of the message texts (spec §5.4) for the chat and push actions. */
export const messageOptions = {
  site: z.string().nullable().default(null).describe('title prefix [site]; default: the site name (webui.name)'),
  icon: z.string().default(APP_ICON).describe('icon before 👍 on PASS messages (default 🐶)'),
};

/** Cuts `text` to `max` UTF-16 units, ending in … when cut (without splitting a surrogate pair). */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  if (/[\ud800-\udbff]/.test(text[end - 1] ?? '')) end--;
  return `${text.slice(0, end)}\u2026`;
}
