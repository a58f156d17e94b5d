/**
 * What `siteward` does once its flags are parsed (src/cli.ts): create a site
 * (--init, --create), merge into it, check it, run one check, or run the
 * site until a signal.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { ServiceStartError, Site, SiteLoadError } from '../site.ts';
import { StateDbError } from '../store/open.ts';
import { parseSiteBytes, readSiteFile } from '../config/parse.ts';
import { validateSite } from '../config/load.ts';
import { loadTypesOf } from '../config/types-used.ts';
import { formatIssue, logIssues } from '../config/issues.ts';
import { fletchckWarning } from '../config/fletchck-compat.ts';
import { tlsFileIssues } from '../config/tls-files.ts';
import { initSite, exists, type InitResult } from '../config/init.ts';
import { locateSite, locatedLine, searchPlaces } from '../config/locate.ts';
import { mergeJson, csvToImport } from '../config/merge.ts';
import { atomicWrite } from '../config/save.ts';
import { createLogger, logFormat } from '../log.ts';
import { isFailing, stateText } from '../engine/state.ts';
import { VERSION } from '../version.ts';
import * as wiring from '../wiring.ts';
import { tuneHeap } from '../util/heap.ts';
import { webListenOverride } from '../web/listen-env.ts';
import { UsageError, type Flags } from './flags.ts';
import { removePid, writePid } from './pidfile.ts';

function bool(v: string | boolean | undefined, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v === 'boolean') return v;
  return !['false', '0', 'no', 'off', 'f', 'n'].includes(v.toLowerCase());
}

function clampPort(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number.parseInt(v, 10);
  if (!Number.isFinite(n)) throw new UsageError(`--port: ${JSON.stringify(v)} is not a number`);
  const c = Math.min(65535, Math.max(1, n));
  if (c !== n) console.error(`warning: --port ${n} clamped to ${c}`);
  return c;
}

async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    return await rl.question(question);
  } finally {
    rl.close();
  }
}

async function merge(configPath: string, file: string): Promise<void> {
  if (resolve(file) === configPath) {
    console.error('Ignored import from existing config');
    return;
  }
  const target = parseSiteBytes(await readFile(configPath));
  if (target.issues.length || target.doc === null || typeof target.doc !== 'object') {
    throw new Error(`cannot merge into ${configPath}: ${target.issues.map(formatIssue).join('; ')}`);
  }
  let imp: Record<string, unknown>;
  const messages: string[] = [];
  if (file.toLowerCase().endsWith('csv')) {
    const r = csvToImport(await readFile(file, 'utf8'));
    imp = r.doc;
    messages.push(...r.messages);
  } else {
    const p = parseSiteBytes(await readFile(file));
    if (p.issues.length) throw new Error(`cannot read ${file}: ${p.issues.map(formatIssue).join('; ')}`);
    imp = p.doc as Record<string, unknown>;
  }
  const r = mergeJson(target.doc as Record<string, unknown>, imp);
  for (const m of [...messages, ...r.messages]) console.error(m);
  if (r.changed) await atomicWrite(configPath, `${JSON.stringify(r.doc, null, 1)}\n`);
}

/** What a new site's first start prints: where, who, and why the browser will warn. */
export function welcome(r: InitResult): string {
  if (!r.address) return `Site file: ${r.configPath}\nConfigured without web interface.`;
  const lines = [
    `Site file: ${r.configPath}`,
    `Site address: ${r.address}`,
    `User name: ${r.user}`,
    `Password: ${r.password}`,
    `  (change it on the web UI's Password page, or with: siteward passwd ${r.user})`,
  ];
  if (r.certError) {
    lines.push(`Note: no TLS certificate (${r.certError}); the web UI uses plain HTTP`);
  } else {
    lines.push(
      '',
      'Your browser will warn that the connection is not private: the site made its own',
      '(self-signed) certificate, which no browser knows. The connection is still encrypted;',
      'accept the warning once for this address. To use a real certificate, put the paths of',
      'its PEM files in the site file as webui.cert and webui.key (README: HTTPS certificate).',
    );
  }
  return lines.join('\n');
}

export async function run(f: Flags): Promise<number> {
  const located = locateSite({ flag: f.config });
  const configPath = located.path;
  const port = clampPort(f.port);
  const webui = bool(f.webui, true);
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const line = locatedLine(located);
  if (line) console.error(line);

  let created: InitResult | null = null;
  if (f.init || (f.create && !(await exists(configPath)))) {
    if (f.init && (await exists(configPath))) {
      if (!interactive) {
        console.error('Existing site not overwritten');
        return 1;
      }
      if (!/^y/i.test(await ask('Replace existing site? (y/N) '))) return 0;
    }
    // a container's fixed port is also the stored one (0, "any port", is for one run only)
    const r = await initSite({ configPath, port: port ?? (webListenOverride().port || undefined), webui });
    // --create runs at once: the address is printed once the web UI listens there (issue 16)
    if (f.init) console.log(welcome(r));
    else created = r;
    if (f.init) {
      if (!interactive) return 0;
      if (/^n/i.test(await ask('Start? (Y/n) '))) return 0;
    }
  } else if (located.how === 'default' && !(await exists(configPath))) {
    console.error(
      [
        `No site file: ${configPath} does not exist, nor do ${searchPlaces(process.cwd(), process.env).slice(1).join(', ')}.`,
        'Create a site here with: siteward --create (or name the file with --config=FILE or SITEWARD_CONFIG)',
      ].join('\n'),
    );
    return 1;
  }

  if (f.merge) await merge(configPath, f.merge);

  if (f['check-config']) {
    const parsed = await readSiteFile(configPath);
    await loadTypesOf(parsed.doc);
    const site = validateSite(parsed.doc, { base: resolve(configPath, '..') }, parsed.issues);
    // what would stop a listener, and whether fletchck could load the file (issue 16)
    const compat = site.fatal ? null : fletchckWarning(site);
    const issues = [...site.issues, ...(site.fatal ? [] : await tlsFileIssues(site.settings.base, site.settings)), ...(compat ? [compat] : [])];
    for (const i of issues) console.log(`${i.severity}: ${formatIssue(i)}`);
    const errors = issues.filter((i) => i.severity === 'error').length;
    const n = (k: number, word: string): string => `${k} ${word}${k === 1 ? '' : 's'}`;
    console.log(
      `${configPath}: ${n(site.checks.size, 'check')}, ${n(site.actions.size, 'action')}, ${n(errors, 'error')}, ${n(issues.length - errors, 'warning')}`,
    );
    return errors > 0 || site.fatal ? 1 : 0;
  }

  const once = f.run !== undefined;
  // --run prints for a person: no log lines unless asked for, and then readable ones
  const log = createLogger(f.logging ?? (once ? 'none' : 'info'), 2, once ? 'pretty' : logFormat(Boolean(process.stderr.isTTY)));
  if (!once) tuneHeap();
  let site: Site;
  try {
    site = await wiring.openSite({
      configPath,
      node: f.node,
      log,
      readOnly: once,
      migrations: wiring.migrations(),
      notifier: wiring.notifierFactory(),
      dbPath: once ? ':memory:' : undefined,
    });
  } catch (e) {
    console.error(e instanceof SiteLoadError || e instanceof StateDbError ? e.message : `Error reading site config: ${(e as Error).message}`);
    return 1;
  }
  // a damaged or missing site.db was replaced: say so plainly, not only in the log
  for (const n of site.openNotes) console.error(`siteward: ${n}`);
  if (once) {
    for (const i of site.loaded.issues) console.error(`${i.severity}: ${formatIssue(i)}`);
    return runOne(site, f.run!);
  }
  logIssues(log, site.loaded.issues);

  for (const s of await wiring.services(site, { port, webui })) site.use(s);
  try {
    await site.start();
  } catch (e) {
    if (!(e instanceof ServiceStartError)) throw e;
    // the site file exists now: its password must not be lost with the address
    if (created?.password) console.log(`Site file: ${created.configPath}\nUser name: ${created.user}\nPassword: ${created.password}`);
    await site.stop();
    console.error(`siteward: ${e.message}`);
    return 1;
  }
  if (created) console.log(welcome(created));
  writePid(configPath);
  log.info({ config: configPath, checks: site.loaded.checks.size, version: VERSION }, 'siteward running');
  return new Promise<number>((done) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      site.warn(`Site terminated by ${signal}`, 'info');
      site.stop().then(
        () => {
          removePid(configPath);
          done(0);
        },
        (e: unknown) => {
          log.error({ err: e }, 'stop failed');
          removePid(configPath);
          done(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => {
      site.reload().catch((e: unknown) => log.error({ err: e }, 'reload failed'));
    });
  });
}

/** `--run NAME`: one run, nothing saved or notified. Exit 2 when there is no such check. */
async function runOne(site: Site, name: string): Promise<number> {
  const entry = site.entry(name);
  if (!entry) {
    const names = [...site.loaded.checks.keys()];
    console.error(
      `No check named ${JSON.stringify(name)}${names.length ? ` (checks: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''})` : ''}`,
    );
    await site.stop();
    return 2;
  }
  let raw: boolean | string = true;
  site.bus.on('run', (e) => {
    if (e.name === name) raw = e.outcome ? e.outcome.fail : e.state.failState;
  });
  const state = (await site.runNow(name, 'cli'))!;
  const type = site.runtime.displayType(entry);
  const result = entry.config.paused ? 'PAUSED' : isFailing(raw) ? 'FAIL' : 'PASS';
  console.log(`${name} (${type}): ${result}${state.level ? ` ${state.level}` : ''}`);
  for (const l of state.log) console.log(`  ${l}`);
  if (result !== stateText(state, entry.config.paused))
    console.log(`(reported state with threshold ${entry.config.threshold}: ${stateText(state, entry.config.paused)})`);
  await site.stop();
  return result === 'FAIL' ? 1 : 0;
}
