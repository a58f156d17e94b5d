#!/usr/bin/env node
/**
 * The `siteward` command (spec §1.2, plus --check-config, --run, --create
 * and `passwd`). Flags are parsed before anything else is loaded, so
 * `--help`, `--version` and a mistyped flag answer at once; the application
 * (engine, SQLite, web UI) is imported only to do the work.
 *
 * Exit status: 0 done (or PASS for --run); 1 an error, or FAIL for --run;
 * 2 a usage error (unknown flag, missing argument, --run of a check that does
 * not exist).
 */
import { parseArgs } from 'node:util';
import { VERSION } from './version.ts';
import { OPTIONS, UsageError } from './cli/flags.ts';

export const HELP = `siteward ${VERSION}: service checks, notifications, MQTT federation and a web UI

Usage: siteward [--config=FILE] [options]
       siteward passwd USER [--config=FILE]     set a web UI user's password

  --config=FILE       the site file. Without it: SITEWARD_CONFIG, else the first that exists
                      of ./site.json, ./fletchck.conf, ./site/site.json (npm start),
                      /var/lib/siteward/site.json (systemd), /data/site.json (Docker);
                      else ./site.json
  --init              create a new site at --config (asks before replacing one on a terminal)
  --create            create the site as --init would when the file does not exist, then run
  --port=N            web UI port (with --init: the stored port; otherwise this run only)
  --webui=false       run without the web UI (with --init: a site with no web UI)
  --node=NAME         this node's name in an HA zone (default: SITEWARD_NODE, else the host name)
  --merge=FILE        merge FILE into the site file first (.csv: check import, else JSON)
  --check-config      validate the site file, print every problem, exit 1 on errors
  --run=NAME          run one check once and print its log and state; exit 0 PASS, 1 FAIL,
                      2 when there is no check of that name
  --logging=LEVEL     debug, info (default), warning, error or none
  --version           print the version
  --help              this text

Environment: SITEWARD_CONFIG (the site file), SITEWARD_WEBUI_HOSTNAME and SITEWARD_WEBUI_PORT
(where the web UI listens), SITEWARD_API_HOSTNAME and SITEWARD_API_PORT (the API's own
listener), SITEWARD_LOG_FORMAT (pretty or json; default pretty on a terminal, else json).

Exit status: 0 done or PASS, 1 an error or FAIL, 2 a usage error.
Signals: SIGTERM and SIGINT stop cleanly (save, exit 0); SIGHUP reloads the site file.`;

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values: f, positionals } = parsed;
  if (f.help) {
    console.log(HELP);
    return 0;
  }
  if (f.version) {
    console.log(VERSION);
    return 0;
  }
  const [command, ...args] = positionals;
  if (command === 'passwd') {
    if (args.length !== 1) throw new UsageError('passwd needs one user name: siteward passwd USER');
    const { passwd } = await import('./cli/passwd.ts');
    return passwd(args[0], f.config);
  }
  if (command !== undefined) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  const { run } = await import('./cli/main.ts');
  return run(f);
}

/** Resolves once everything written to the stream so far is out (a pipe to a slow reader may hold it back). */
function drained(s: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => s.write('', () => resolve()));
}

/** process.exit() drops output still queued for a pipe (`siteward --check-config | less` lost lines). */
async function exit(code: number): Promise<never> {
  await Promise.all([drained(process.stdout), drained(process.stderr)]);
  process.exit(code);
}

main(process.argv.slice(2)).then(
  (code) => exit(code),
  (e: unknown) => {
    if (e instanceof UsageError) {
      console.error(`${(e as Error).message}\nsiteward --help lists the options.`);
      return exit(2);
    }
    console.error(`Error: ${(e as Error).message}`);
    return exit(1);
  },
);
