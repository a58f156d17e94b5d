#!/usr/bin/env node
/**
 * `siteward-token`: API tokens for headless installs (the web UI has a page
 * for the same). Works while siteward runs (SQLite WAL).
 *
 *   siteward-token [--config=FILE] create --name=NAME --scope=read|operate|admin [--expires=30d|ISO]
 *   siteward-token [--config=FILE] list
 *   siteward-token [--config=FILE] revoke ID
 */
import { parseArgs } from 'node:util';
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openDatabase, CORE_MIGRATIONS } from '../store/db.ts';
import { defaultDbPath } from '../site.ts';
import { locateSite, locatedLine } from '../config/locate.ts';
import { migrations } from '../wiring.ts';
import { SCOPES, TokenStore, type Scope } from './tokens.ts';
import { parseExpiry } from './views.ts';

const USAGE = `Usage:
  siteward-token [--config=FILE] create --name=NAME --scope=${SCOPES.join('|')} [--expires=30d|12h|ISO-TIME]
  siteward-token [--config=FILE] list
  siteward-token [--config=FILE] revoke ID`;

const when = (t: number | null): string => (t === null ? '-' : new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z'));

export function tokenCli(argv: string[], out: (s: string) => void = console.log, err: (s: string) => void = console.error): number {
  const {
    values: f,
    positionals: [cmd, ...rest],
  } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { config: { type: 'string' }, name: { type: 'string' }, scope: { type: 'string' }, expires: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (f.help || !cmd) {
    out(USAGE);
    return f.help ? 0 : 2;
  }
  // the same rule as `siteward` (src/config/locate.ts)
  const located = locateSite({ flag: f.config });
  const config = located.path;
  const line = locatedLine(located);
  if (line) err(line);
  if (!existsSync(config)) {
    err(`no site file at ${config} (name it with --config=FILE or SITEWARD_CONFIG)`);
    return 1;
  }
  const db = openDatabase(defaultDbPath(config), [CORE_MIGRATIONS, ...migrations()]);
  try {
    const tokens = new TokenStore(db);
    if (cmd === 'create') {
      if (!f.name || !f.scope || !SCOPES.includes(f.scope as Scope)) {
        err(`create needs --name and --scope=${SCOPES.join('|')}`);
        return 2;
      }
      const expires = f.expires === undefined ? null : parseExpiry(f.expires, Date.now());
      if (f.expires !== undefined && expires === null) {
        err(`--expires: ${JSON.stringify(f.expires)} is not a time or a duration like 30d`);
        return 2;
      }
      const made = tokens.create({ name: f.name, scope: f.scope as Scope, expires });
      err(`token ${made.token.id} "${made.token.name}" (${made.token.scope}${expires ? `, expires ${when(expires)}` : ''}); it is shown only now:`);
      out(made.secret);
      return 0;
    }
    if (cmd === 'list') {
      out('id\tscope\tname\tprefix\tcreated\texpires\tlast used\trevoked');
      for (const t of tokens.list())
        out([t.id, t.scope, t.name, `${t.prefix}…`, when(t.created), when(t.expires), when(t.lastUsed), when(t.revoked)].join('\t'));
      return 0;
    }
    if (cmd === 'revoke') {
      const id = Number(rest[0]);
      if (!Number.isInteger(id) || !tokens.revoke(id)) {
        err(`no active token with id ${JSON.stringify(rest[0] ?? '')}`);
        return 1;
      }
      out(`token ${id} revoked`);
      return 0;
    }
    err(USAGE);
    return 2;
  } finally {
    db.close();
  }
}

// run as a program (also through npm's bin symlink), not when imported by tests
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = tokenCli(process.argv.slice(2));
  } catch (e) {
    console.error(`siteward-token: ${(e as Error).message}`);
    process.exitCode = 2;
  }
}
