/**
 * What a running siteward is made of, built once here and handed to what
 * uses it (the composition root): `openSite` reads the file, opens the
 * database and builds the engine's parts in order, each from the parts
 * before it — config snapshot, store, notifier, ops, scheduler, runtime,
 * runner, bus, the MQTT federation and the HA zone — and the `Site` façade
 * over them; `services` builds the web UI and API around a site. Each part
 * gets a narrow interface of what it uses, never the whole Site (the
 * services' views of it are built in wiring-views.ts).
 */
import { dirname, resolve } from 'node:path';
import type { Database as Db } from 'better-sqlite3';
import { Site, SiteLoadError, defaultDbPath, type SiteOptions, type SiteParts, type SiteService } from './site.ts';
import { readSiteFile } from './config/parse.ts';
import { validateSite, type LoadedSite } from './config/load.ts';
import { loadTypesOf } from './config/types-used.ts';
import { dataToState } from './config/serialize.ts';
import { removeStaleSaves } from './config/save.ts';
import { LiveConfig } from './config/live.ts';
import { CORE_MIGRATIONS, type MigrationSet } from './store/db.ts';
import { openStateDb, ranBefore } from './store/open.ts';
import { StateStore } from './store/state.ts';
import { SiteLogStore } from './store/sitelog.ts';
import { StoreHealth } from './store/health.ts';
import { startPruning } from './store/prune.ts';
import { systemClock } from './engine/clock.ts';
import { Scheduler } from './engine/scheduler.ts';
import { Runner } from './engine/runner.ts';
import { LoopPacer, immediatePacer } from './engine/pacer.ts';
import { SiteBus } from './engine/events.ts';
import { initialState, type CheckState } from './engine/state.ts';
import { DirectNotifier, type NotifierHost } from './actions/dispatch.ts';
import type { Notification } from './actions/types.ts';
import { silentLogger } from './log.ts';
import { SiteRuntime } from './site-runtime.ts';
import { SiteNotes } from './site-notes.ts';
import { createOps, type RemoteFacts } from './ops/site.ts';
import { OUTBOX_MIGRATIONS } from './actions/outbox/store.ts';
import { createOutbox, type OutboxSite } from './actions/outbox/site.ts';
import { MqttFederation, type FederationView } from './federation/mqtt.ts';
import type { FederationDeps } from './federation/deps.ts';
import type { WebService } from './web/server.ts';
import { WEB_MIGRATIONS } from './web/sessions.ts';
import { API_MIGRATIONS } from './api/tokens.ts';
import { apiListenOptions } from './api/listen.ts';
import type { ApiContext, ApiDeps } from './api/app.ts';
import { outboxStats } from './api/providers.ts';
import { ZoneService, type ZoneDeps } from './zone/service.ts';
import { nodeName } from './zone/config.ts';
import { RemoteWriteService } from './export/remote-write/service.ts';
import type { RemoteWriteStats } from './api/providers.ts';
import { VantageService } from './zone/vantage-service.ts';
import type { FleetService } from './fleet/service.ts';
import { apiSiteView, fleetSiteView, remoteWriteSiteView, vantageSiteView, webSiteView } from './wiring-views.ts';

export { apiSiteView, webSiteView } from './wiring-views.ts';

/** Reads, validates and opens a site, its parts built once. Throws SiteLoadError when the file is unusable. */
export async function openSite(opts: SiteOptions): Promise<Site> {
  const path = resolve(opts.configPath);
  const parsed = await readSiteFile(path);
  await loadTypesOf(parsed.doc);
  const loaded = validateSite(parsed.doc, { base: dirname(path), ...opts.env }, parsed.issues);
  if (loaded.fatal) throw new SiteLoadError(loaded.issues);
  const { db, notes } = openStateDb(opts.dbPath ?? defaultDbPath(path), [CORE_MIGRATIONS, ...(opts.migrations ?? [])], {
    ranBefore: ranBefore(loaded),
    now: new Date((opts.clock ?? systemClock).now()),
  });
  const parts = buildParts(opts, loaded, db, notes);
  const site = new Site(parts);
  if (!parts.readOnly) await removeStaleSaves(path);
  // runtime state: the store's, else the file's `data`, else fresh
  const stored = parts.store.loadAll();
  for (const [name, e] of loaded.checks) {
    parts.runtime.setState(name, stored.get(name) ?? dataToState(e.fileData, e.zone, initialState()) ?? initialState());
  }
  parts.siteLog.seed(loaded.doc.log);
  // a state database that was damaged or gone: loud, in the log and the site log (the CLI prints them too)
  for (const n of notes) parts.notes.warn(n);
  return site;
}

/**
 * The engine's parts, in order. A part that needs one built after it (the
 * runtime for the config's apply, the runner for the scheduler) is handed a
 * function that reaches it when called, never while building.
 */
export function buildParts(opts: SiteOptions, loaded: LoadedSite, db: Db, openNotes: string[]): SiteParts {
  const configPath = resolve(opts.configPath);
  const base = dirname(configPath);
  const clock = opts.clock ?? systemClock;
  const log = opts.log ?? silentLogger();
  const readOnly = opts.readOnly ?? false;
  const bus = new SiteBus();
  const life = { started: false };
  const store = new StateStore(db);
  const storage = new StoreHealth(
    () => clock.now(),
    (problem, was) => notes.storageChanged(problem, was),
  );
  const siteLog = new SiteLogStore(db, storage);
  const notes = new SiteNotes({ log, clock, bus, readOnly, siteLog, timezone: () => config.loaded.settings.timezone });
  const warn = (m: string, level?: 'info' | 'warn'): void => notes.warn(m, level);
  const state = (name: string): CheckState => runtime.state(name);
  const notification = (name: string, kind: Notification['kind']): Notification => runtime.notification(name, kind);
  const config = new LiveConfig(loaded, {
    configPath,
    base,
    log,
    readOnly,
    saveFs: opts.saveFs,
    envOverride: opts.env ?? {},
    warn,
    apply: (prev, next, renamed) => runtime.apply(prev, next, renamed),
    state,
    logLines: () => siteLog.all(),
  });
  const notifierHost: NotifierHost = {
    action: (n) => config.action(n),
    log,
    warn,
    now: () => clock.now(),
    storage,
    delivered: (action, n, sent) => bus.emit('delivered', { action, n, sent }),
  };
  const outboxSite: OutboxSite = {
    get loaded() {
      return config.loaded;
    },
    get settings() {
      return config.loaded.settings;
    },
    readOnly,
    db,
    clock,
    bus,
    runtime: { notification },
    ops: {
      quiet: (name) => ops.quiet(name),
      get links() {
        return ops.links;
      },
    },
    entry: (n) => config.entry(n),
    action: (n) => config.action(n),
    state,
  };
  const notifier = opts.notifier ? opts.notifier(notifierHost, outboxSite) : new DirectNotifier(notifierHost);
  // maintenance windows select by a remote check's instance (src/ops): nothing is known of remote instances while the federation is not running
  const remotes: RemoteFacts = {
    get instance() {
      return federation.isRunning ? federation.instance : null;
    },
    remoteInfo: (name) => (federation.isRunning ? federation.remoteInfo(name) : { instance: null }),
  };
  const ops = createOps({
    ...outboxSite,
    notifier,
    remotes,
    warn,
    get loaded() {
      return config.loaded;
    },
  });
  const scheduler = new Scheduler({
    clock,
    jitterMs: loaded.settings.scheduler.jitter * 1000,
    random: opts.random,
    // in a zone, only the check's owner runs it (docs/ha.md)
    onDue: (name, planned) => {
      const zone = zoneService.hook();
      if (zone && !zone.runsHere(name)) return;
      void runner.run(name, 'schedule', undefined, planned);
    },
  });
  const batching = opts.batching ?? clock === systemClock;
  const runtime = new SiteRuntime(
    {
      db,
      store,
      bus,
      clock,
      log,
      notifier,
      scheduler,
      readOnly,
      config: () => config.loaded,
      env: () => config.env,
      warn,
      saveOptions: (name, patch) => config.saveOptions(name, patch),
      isStarted: () => life.started,
      runMember: (name, signal): Promise<CheckState | null> => runner.run(name, 'member', signal),
      storage,
      ops,
      zone: () => zoneService.hook(),
    },
    batching,
  );
  const runner: Runner = new Runner(runtime, loaded.settings.scheduler.concurrency, batching ? new LoopPacer() : immediatePacer);
  const facts: FederationDeps & ZoneDeps = {
    ...outboxSite,
    get loaded() {
      return config.loaded;
    },
    get settings() {
      return config.loaded.settings;
    },
    get name() {
      return config.loaded.settings.name;
    },
    configPath,
    base,
    log,
    notifier,
    warn,
    mutate: (edit, o) => config.mutate(edit, o),
    applyRemote: (name, data) => runtime.applyRemote(name, data),
    input: (name, input, meta) => runtime.input(name, input, meta),
  };
  // MQTT federation: idle without an `mqtt` section, and it follows config edits (spec §7.6)
  const federation = new MqttFederation(facts);
  // HA zone membership (src/zone/): idle without a `zone` key
  const zoneService = new ZoneService({ node: nodeName(opts.node) }, facts);
  return {
    configPath,
    base,
    clock,
    log,
    readOnly,
    db,
    bus,
    config,
    notes,
    store,
    siteLog,
    storage,
    notifier,
    ops,
    scheduler,
    runtime,
    runner,
    federation,
    remotes,
    zoneService,
    life,
    prune: () => startPruning({ clock, db, store, readOnly, history: () => config.loaded.settings.history }),
    openNotes,
  };
}

export interface RunFlags {
  /** `--port`: overrides webui.port for this run */
  port?: number;
  /** `--webui=false`: run without the web UI */
  webui: boolean;
}

export function migrations(): MigrationSet[] {
  return [OUTBOX_MIGRATIONS, WEB_MIGRATIONS, API_MIGRATIONS];
}

/** The durable outbox (docs/actions.md) delivers notifications. */
export function notifierFactory(): SiteOptions['notifier'] {
  return createOutbox;
}

/** What /metrics reads from the outbox and the federation (handed over, never looked up). */
export function apiDeps(site: Site, federation: FederationView | null, remoteWrite?: RemoteWriteStats): ApiDeps {
  return {
    remoteWrite,
    zone: () => site.zoneService.trust(),
    outbox: outboxStats(site.notifier, () => site.loaded.actions.keys()),
    federation: {
      connected: () => federation?.isRunning === true && federation.connected,
      received: () => (federation?.isRunning ? federation.snapshot().received : 0),
      rejected: () => (federation?.isRunning ? federation.snapshot().rejectedTotal : 0),
    },
  };
}

/**
 * The web UI (when enabled), with the REST API, /metrics, /push, /badge and
 * /healthz on the same server: those authenticate with bearer tokens (or are
 * public), so they are exempt from the session CSRF check. The web UI and
 * the API (Hono, JSX views, argon2, zod-openapi, prom-client) are imported
 * only when they will listen: a headless agent does not carry them
 * (docs/performance.md). `api` is the API state this process shares between
 * its listeners.
 */
export async function webService(
  site: Site,
  flags: RunFlags,
  api: ApiContext,
  federation: FederationView | null,
  fleet: FleetService | null = null,
): Promise<WebService | null> {
  if (!flags.webui || !site.settings.webui) return null;
  const [{ WebService: Web }, { API_PATH_PREFIXES, apiRoutes }] = await Promise.all([import('./web/server.ts'), import('./api/app.ts')]);
  const routes = apiRoutes(api, { listenHost: () => site.settings.webui?.hostname ?? null });
  return new Web(webSiteView(site), { port: flags.port, app: { federation, fleet } }).mount('/', routes, { exempt: API_PATH_PREFIXES });
}

/**
 * The services of a running siteward, each part built once here and handed
 * to what uses it: the MQTT federation (to /metrics and the UI), one API
 * state (to the web UI's mount and the API's own listener).
 */
export async function services(site: Site, flags: RunFlags): Promise<SiteService[]> {
  const federation = site.federation;
  // Prometheus remote-write (src/export/remote-write/): idle without a `remoteWrite` key
  const remoteWrite = new RemoteWriteService(remoteWriteSiteView(site));
  const listen = apiListenOptions(site);
  const web = flags.webui && site.settings.webui;
  // the API's state (tokens, counters, push hub) exists once, for whichever listener serves it
  const api = web || listen ? (await import('./api/app.ts')).createApiContext(apiSiteView(site), apiDeps(site, federation, remoteWrite.stats)) : null;
  const out: SiteService[] = [];
  // the zones this instance watches on /fleet (src/fleet/): only with a `fleet` key, and only then loaded
  const fleetCfg = site.settings.fleet;
  const fleet = fleetCfg ? new (await import('./fleet/service.ts')).FleetService(fleetCfg, site.zoneService.node, fleetSiteView(site)) : null;
  const webui = api ? await webService(site, flags, api, federation, fleet) : null;
  if (webui) out.push(webui);
  out.push(federation);
  if (fleet) out.push(fleet);
  // HA zone membership (src/zone/), and multi-vantage checks' verdicts: idle without a `zone` key
  out.push(site.zoneService, new VantageService({ node: site.zoneService.node }, vantageSiteView(site)));
  out.push(remoteWrite);
  // the API's own listener (`api.port`), e.g. for push heartbeats with the web UI off
  if (listen && api) {
    const { ApiService } = await import('./api/service.ts');
    out.push(new ApiService(listen, api, api.site));
  }
  return out;
}
