/**
 * The `siteward` command's flags (src/cli.ts parses them before loading
 * anything else) and its usage error.
 */
export const OPTIONS = {
  config: { type: 'string' },
  init: { type: 'boolean' },
  create: { type: 'boolean' },
  port: { type: 'string' },
  webui: { type: 'string' },
  merge: { type: 'string' },
  'check-config': { type: 'boolean' },
  run: { type: 'string' },
  logging: { type: 'string' },
  node: { type: 'string' },
  version: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

export interface Flags {
  config?: string;
  init?: boolean;
  create?: boolean;
  port?: string;
  webui?: string;
  merge?: string;
  'check-config'?: boolean;
  run?: string;
  logging?: string;
  node?: string;
  version?: boolean;
  help?: boolean;
}

/** Thrown for a usage error: printed with a pointer to --help, exit 2. */
export class UsageError extends Error {}
