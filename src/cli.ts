#!/usr/bin/env node
/**
 * The `siteward` command (spec §1.2, plus --check-config, --run, --create).
 */
import { parseArgs } from 'node:util';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { ServiceStartError, Site, SiteLoadError } from './site.ts';
import { StateDbError } from './store/open.ts';
import { parseSiteBytes, readSiteFile } from './config/parse.ts';
import { validateSite } from './config/load.ts';
import { formatIssue, logIssues } from './config/issues.ts';
import { initSite, exists, type InitResult } from './config/init.ts';
import { fletchckWarning } from './config/fletchck-compat.ts';
import { tlsFileIssues } from './config/tls-files.ts';
import { mergeJson, csvToImport } from './config/merge.ts';
import { atomicWrite } from './config/save.ts';
import { createLogger } from './log.ts';
import { isFailing, stateText } from './engine/state.ts';
import { VERSION } from './version.ts';
import * as wiring from './wiring.ts';
import { tuneHeap } from './util/heap.ts';

const HELP = `siteward ${VERSION} — service checks, notifications, MQTT federation and a web UI

Usage: siteward [--config=FILE] [options]

  --config=FILE       site file (default: ./site.json, or ./fletchck.conf if that exists)
  --init              create a new site at --config (asks before replacing one on a terminal)
  --create            create the site as --init would when the file does not exist, then run
  --port=N            web UI port (with --init: the stored port; otherwise this run only)
  --webui=false       run without the web UI (with --init: a site with no web UI)
  --merge=FILE        merge FILE into the site file first (.csv: check import, else JSON)
  --check-config      validate the site file, print every problem, exit 1 on errors
  --run=NAME          run one check once, print its log and state; exit 0 PASS, 1 FAIL
  --logging=LEVEL     debug, info (default), warning, error or none
  --version           print the version
  --help              this text

Signals: SIGTERM and SIGINT stop cleanly (save, exit 0); SIGHUP reloads the site file.`;

function bool(v: string | boolean | undefined, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v === 'boolean') return v;
  return !['false', '0', 'no', 'off', 'f', 'n'].includes(v.toLowerCase());
}

function clampPort(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number.parseInt(v, 10);
  if (!Number.isFinite(n)) throw new Error(`--port: ${JSON.stringify(v)} is not a number`);
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

function defaultConfig(): string {
  if (!existsSync('site.json') && existsSync('fletchck.conf')) return 'fletchck.conf';
  return 'site.json';
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

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const { values: f } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' }, init: { type: 'boolean' }, create: { type: 'boolean' }, port: { type: 'string' },
      webui: { type: 'string' }, merge: { type: 'string' }, 'check-config': { type: 'boolean' }, run: { type: 'string' },
      logging: { type: 'string' }, version: { type: 'boolean' }, help: { type: 'boolean' },
    },
    strict: true,
  });
  if (f.help) {
    console.log(HELP);
    return 0;
  }
  if (f.version) {
    console.log(VERSION);
    return 0;
  }
  const configPath = resolve(f.config ?? defaultConfig());
  const port = clampPort(f.port);
  const webui = bool(f.webui, true);
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);

  let created: InitResult | null = null;
  if (f.init || (f.create && !(await exists(configPath)))) {
    if (f.init && (await exists(configPath))) {
      if (!interactive) {
        console.error('Existing site not overwritten');
        return 1;
      }
      if (!/^y/i.test(await ask('Replace existing site? (y/N) '))) return 0;
    }
    const r = await initSite({ configPath, port, webui });
    console.log(`Site file: ${r.configPath}`);
    if (r.certError) console.log(`Note: no TLS certificate (${r.certError}); the web UI uses plain HTTP`);
    // --create runs at once: the address is printed once the web UI listens there (issue 16)
    if (f.init) console.log(r.address ? `Site address: ${r.address}\nAdmin password: ${r.password}` : 'Configured without web interface.');
    else created = r;
    if (f.init) {
      if (!interactive) return 0;
      if (/^n/i.test(await ask('Start? (Y/n) '))) return 0;
    }
  }

  if (f.merge) await merge(configPath, f.merge);

  if (f['check-config']) {
    const parsed = await readSiteFile(configPath);
    const site = validateSite(parsed.doc, { base: resolve(configPath, '..') }, parsed.issues);
    // what would stop a listener, and whether fletchck could load the file (issue 16)
    const compat = site.fatal ? null : fletchckWarning(site);
    const issues = [...site.issues, ...(site.fatal ? [] : await tlsFileIssues(site.settings.base, site.settings)), ...(compat ? [compat] : [])];
    for (const i of issues) console.log(`${i.severity}: ${formatIssue(i)}`);
    const errors = issues.filter((i) => i.severity === 'error').length;
    console.log(`${configPath}: ${site.checks.size} checks, ${site.actions.size} actions, ${errors} errors, ${issues.length - errors} warnings`);
    return errors > 0 || site.fatal ? 1 : 0;
  }

  const log = createLogger(f.logging ?? (f.run ? 'warning' : 'info'));
  if (f.run === undefined) tuneHeap();
  let site: Site;
  try {
    site = await Site.open({
      configPath, log, readOnly: f.run !== undefined, migrations: wiring.migrations(), notifier: wiring.notifierFactory(),
      dbPath: f.run !== undefined ? ':memory:' : undefined,
    });
  } catch (e) {
    console.error(e instanceof SiteLoadError || e instanceof StateDbError ? e.message : `Error reading site config: ${(e as Error).message}`);
    return 1;
  }
  // a damaged or missing site.db was replaced: say so plainly, not only in the log
  for (const n of site.openNotes) console.error(`siteward: ${n}`);
  logIssues(log, site.loaded.issues);

  if (f.run !== undefined) return runOne(site, f.run);

  const services = await wiring.services(site, { port, webui });
  for (const s of services) site.use(s);
  try {
    await site.start();
  } catch (e) {
    if (!(e instanceof ServiceStartError)) throw e;
    // the site file exists now: its password must not be lost with the address
    if (created?.password) console.log(`Admin password: ${created.password}`);
    await site.stop();
    console.error(`siteward: ${e.message}`);
    return 1;
  }
  if (created) console.log(created.address ? `Site address: ${created.address}\nAdmin password: ${created.password}` : 'Configured without web interface.');
  log.info({ config: configPath, checks: site.loaded.checks.size, version: VERSION }, 'siteward running');
  return new Promise<number>((done) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      site.warn(`Site terminated by ${signal}`);
      site.stop().then(() => done(0), (e: unknown) => {
        log.error({ err: e }, 'stop failed');
        done(1);
      });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => {
      site.reload().catch((e: unknown) => log.error({ err: e }, 'reload failed'));
    });
  });
}

/** `--run NAME`: one run, nothing saved or notified. */
async function runOne(site: Site, name: string): Promise<number> {
  const entry = site.entry(name);
  if (!entry) {
    console.error(`No check named ${JSON.stringify(name)}`);
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
  if (result !== stateText(state, entry.config.paused)) console.log(`(reported state with threshold ${entry.config.threshold}: ${stateText(state, entry.config.paused)})`);
  await site.stop();
  return result === 'FAIL' ? 1 : 0;
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

main().then(
  (code) => exit(code),
  (e: unknown) => {
    console.error(`siteward: ${(e as Error).message}`);
    return exit(1);
  },
);
