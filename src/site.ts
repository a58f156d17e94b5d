/**
 * The site: wires the config, state store, scheduler, runner, notifier and
 * services (web UI, MQTT, API) together and owns their lifecycle. Every
 * config mutation goes through `mutate()`: validate → atomic save → apply the
 * difference to the running engine, without a restart.
 */
import { dirname, resolve, basename, join } from 'node:path';
import type { Database as Db } from 'better-sqlite3';
import type { Logger } from 'pino';
import { readSiteFile } from './config/parse.ts';
import { validateSite, type LoadedSite, type SiteSettings } from './config/load.ts';
import { formatIssue, logIssues, problemSuffix, type Issue } from './config/issues.ts';
import { serializeSite, stateToData, dataToState } from './config/serialize.ts';
import { atomicWrite, removeStaleSaves, type SaveFs } from './config/save.ts';
import { putCheck, type Doc } from './config/edits.ts';
import { rawEntry } from './config/raw.ts';
import type { CheckEntry, ActionEntry } from './config/model.ts';
import { CORE_MIGRATIONS, type MigrationSet } from './store/db.ts';
import { openStateDb, ranBefore } from './store/open.ts';
import { StateStore } from './store/state.ts';
import { SiteLogStore } from './store/sitelog.ts';
import { StoreHealth, storageLine, type StoreProblem } from './store/health.ts';
import { systemClock, type Clock, type TimerHandle } from './engine/clock.ts';
import { Scheduler } from './engine/scheduler.ts';
import { Runner, type Delivered, type RunMeta, type RunReason } from './engine/runner.ts';
import { LoopPacer, immediatePacer } from './engine/pacer.ts';
import { SiteBus } from './engine/events.ts';
import { initialState, type CheckState, type Input, type RemoteData } from './engine/state.ts';
import type { RunEnv } from './checks/types.ts';
import { DirectNotifier, type Notifier, type NotifierHost } from './actions/dispatch.ts';
import { silentLogger } from './log.ts';
import { logStamp } from './util/time.ts';
import { SiteRuntime } from './site-runtime.ts';
import { ServiceStartError } from './site-service.ts';
import type { ZoneHook } from './zone/hook.ts';
import type { Ops } from './ops/ops.ts';
import { createOps, type RemoteFacts } from './ops/site.ts';

export interface SiteService {
  name: string;
  /** true: the site cannot run as asked without it; start() fails with ServiceStartError (a listener that cannot listen) */
  readonly required?: boolean;
  start(site: Site): Promise<void>;
  stop(): Promise<void>;
}

export { ServiceStartError } from './site-service.ts';

export interface SiteOptions {
  configPath: string;
  clock?: Clock;
  log?: Logger;
  env?: Partial<RunEnv>;
  /** SQLite file; default `<config folder>/<config name>.db`; ':memory:' for tests */
  dbPath?: string;
  /** `--run`: nothing is written, nothing is notified */
  readOnly?: boolean;
  random?: () => number;
  /** extra migrations owned by services (outbox, sessions, …) */
  migrations?: MigrationSet[];
  notifier?: (host: NotifierHost, site: Site) => Notifier;
  saveFs?: SaveFs;
  /**
   * The engine's speed-ups (docs/performance.md): bursts of run endings
   * sliced by the pacer, and results committed a turn at a time (group
   * commit). Default: on with the system clock (production), off with an
   * injected clock, where a test steps time and reads results at once. The
   * one switch; test/engine/group-commit.test.ts runs both ways.
   */
  batching?: boolean;
}

export class SiteLoadError extends Error {
  constructor(readonly issues: Issue[]) {
    super(`cannot load the site:\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`);
  }
}

export type MutateResult = { ok: true; issues: Issue[] } | { ok: false; issues: Issue[] };

export function defaultDbPath(configPath: string): string {
  const name = basename(configPath).replace(/\.(json|conf)$/i, '');
  return join(dirname(configPath), `${name}.db`);
}

export class Site {
  readonly bus = new SiteBus();
  readonly clock: Clock;
  readonly log: Logger;
  readonly configPath: string;
  readonly base: string;
  private readonly envOverride: Partial<RunEnv>;
  readonly db: Db;
  readonly store: StateStore;
  readonly siteLog: SiteLogStore;
  /** what cannot be stored now (a full disk): /healthz, /metrics, the UI banner, 503s */
  readonly storage: StoreHealth;
  readonly readOnly: boolean;
  readonly notifier: Notifier;
  loaded: LoadedSite;
  readonly runtime: SiteRuntime;
  readonly scheduler: Scheduler;
  readonly runner: Runner;
  /** what opening the state database found (moved aside when damaged, missing after earlier runs) */
  openNotes: string[] = [];
  /** the HA zone's hook (src/zone/), installed by the zone service; null: every check runs and notifies here */
  zone: ZoneHook | null = null;
  /**
   * Which instance each remote check follows, and this instance's name: the
   * MQTT federation's view, handed over by wiring.ts when it builds the
   * federation (null without one). Maintenance windows select by it (src/ops).
   */
  remotes: RemoteFacts | null = null;
  /** maintenance windows, acknowledgements, escalation, decision trace (src/ops) */
  readonly ops: Ops;
  private readonly services: SiteService[] = [];
  private lock: Promise<unknown> = Promise.resolve();
  private pruneTimer: TimerHandle | null = null;
  private started = false;
  private readonly saveFs?: SaveFs;
  private readonly envs = new WeakMap<LoadedSite, RunEnv>();

  private constructor(opts: SiteOptions, loaded: LoadedSite, db: Db) {
    this.configPath = resolve(opts.configPath);
    this.base = dirname(this.configPath);
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? silentLogger();
    this.readOnly = opts.readOnly ?? false;
    this.saveFs = opts.saveFs;
    this.loaded = loaded;
    this.envOverride = opts.env ?? {};
    this.db = db;
    this.store = new StateStore(db);
    this.storage = new StoreHealth(
      () => this.clock.now(),
      (problem, was) => this.storageChanged(problem, was),
    );
    this.siteLog = new SiteLogStore(db, this.storage);
    const notifierHost: NotifierHost = {
      action: (n) => this.loaded.actions.get(n),
      log: this.log,
      warn: (m, level) => this.warn(m, level),
      now: () => this.clock.now(),
      storage: this.storage,
    };
    this.notifier = opts.notifier ? opts.notifier(notifierHost, this) : new DirectNotifier(notifierHost);
    this.ops = createOps(this);
    this.scheduler = new Scheduler({
      clock: this.clock,
      jitterMs: loaded.settings.scheduler.jitter * 1000,
      random: opts.random,
      // in a zone, only the check's owner runs it (docs/ha.md)
      onDue: (name, planned) => {
        if (this.zone && !this.zone.runsHere(name)) return;
        void this.runner.run(name, 'schedule', undefined, planned);
      },
    });
    const batching = opts.batching ?? this.clock === systemClock;
    this.runtime = new SiteRuntime(
      {
        db,
        store: this.store,
        bus: this.bus,
        clock: this.clock,
        log: this.log,
        notifier: this.notifier,
        scheduler: this.scheduler,
        readOnly: this.readOnly,
        config: () => this.loaded,
        env: () => this.env,
        warn: (m, level) => this.warn(m, level),
        saveOptions: (name, patch) => this.saveOptions(name, patch),
        isStarted: () => this.started,
        runMember: (name, signal) => this.runner.run(name, 'member', signal),
        storage: this.storage,
        ops: this.ops,
        zone: () => this.zone,
      },
      batching,
    );
    this.runner = new Runner(this.runtime, loaded.settings.scheduler.concurrency, batching ? new LoopPacer() : immediatePacer);
  }

  /** Reads, validates and opens a site. Throws SiteLoadError when the file is unusable. */
  static async open(opts: SiteOptions): Promise<Site> {
    const path = resolve(opts.configPath);
    const parsed = await readSiteFile(path);
    const loaded = validateSite(parsed.doc, { base: dirname(path), ...opts.env }, parsed.issues);
    if (loaded.fatal) throw new SiteLoadError(loaded.issues);
    const { db, notes } = openStateDb(opts.dbPath ?? defaultDbPath(path), [CORE_MIGRATIONS, ...(opts.migrations ?? [])], {
      ranBefore: ranBefore(loaded),
      now: new Date((opts.clock ?? systemClock).now()),
    });
    const site = new Site(opts, loaded, db);
    site.openNotes = notes;
    if (!site.readOnly) await removeStaleSaves(path);
    site.seedStates();
    site.siteLog.seed(loaded.doc.log);
    // a state database that was damaged or gone: loud, in the log and the site log (the CLI prints them too)
    for (const n of notes) site.warn(n);
    return site;
  }

  /** What checks may need from the site; plugin folders follow the current config (one object per config: every run reads it). */
  get env(): RunEnv {
    let env = this.envs.get(this.loaded);
    if (!env) {
      env = Object.freeze({
        base: this.base,
        pluginDirs: this.loaded.settings.plugins.dirs.map((d) => resolve(this.base, d)),
        sysRoot: '/sys',
        procRoot: '/proc',
        ...this.envOverride,
      });
      this.envs.set(this.loaded, env);
    }
    return env;
  }

  get settings(): SiteSettings {
    return this.loaded.settings;
  }

  get name(): string {
    return this.loaded.settings.name;
  }

  // ---- queries

  entry(name: string): CheckEntry | undefined {
    return this.loaded.checks.get(name);
  }

  action(name: string): ActionEntry | undefined {
    return this.loaded.actions.get(name);
  }

  state(name: string): CheckState {
    return this.runtime.state(name);
  }

  /** Checks ordered by (priority, position in the file) (spec §3.6). */
  sortedChecks(): CheckEntry[] {
    return [...this.loaded.checks.values()].sort((a, b) => a.config.priority - b.config.priority || a.index - b.index);
  }

  issuesFor(name: string): Issue[] {
    return this.loaded.issues.filter((i) => i.path[0] === 'checks' && i.path[1] === name);
  }

  get isStarted(): boolean {
    return this.started;
  }

  nextRun(name: string): number | null {
    return this.scheduler.nextRun(name);
  }

  // ---- lifecycle

  use(service: SiteService): this {
    this.services.push(service);
    return this;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.notifier.start();
    this.ops.start();
    for (const e of this.loaded.checks.values()) {
      if (e.active && e.schedule) this.scheduler.set(e.config.name, e.schedule);
    }
    this.schedulePrune(60_000);
    for (const s of this.services) {
      try {
        await s.start(this);
      } catch (e) {
        if (s.required) {
          // the CLI prints it as its last line; the site log keeps it for the next start's UI
          const err = new ServiceStartError(s.name, (e as Error).message);
          this.note(err.message);
          throw err;
        }
        this.log.error({ service: s.name, err: e }, `${s.name} failed to start`);
        this.warn(`${s.name} failed to start: ${(e as Error).message}`);
      }
    }
    this.warn('Starting', 'info');
  }

  /** Stops scheduling, lets running checks finish (or time out), flushes, saves. */
  async stop(): Promise<void> {
    this.scheduler.stop();
    this.pruneTimer?.cancel();
    this.ops.stop();
    await this.runner.idle();
    this.runtime.flush();
    for (const s of [...this.services].reverse()) {
      await s.stop().catch((e: unknown) => this.log.error({ service: s.name, err: e }, 'stop failed'));
    }
    // what the services committed while stopping
    this.runtime.flush();
    this.runtime.close();
    await this.notifier.stop();
    if (!this.readOnly) await this.save().catch((e: unknown) => this.log.error({ err: e }, 'save at shutdown failed'));
    this.siteLog.flush();
    this.db.close();
  }

  /**
   * Runs a check now (manual run); waits for and shares a run already in
   * flight. Resolves once the result is stored and announced (whoever asked
   * reports it).
   */
  async runNow(name: string, reason: RunReason = 'manual'): Promise<CheckState | null> {
    if (!this.loaded.checks.has(name)) return null;
    const state = await this.runner.run(name, reason);
    await this.runtime.committed();
    return state;
  }

  /**
   * Feeds an outcome that arrived from outside (a push heartbeat) to the
   * engine: it takes the check's turn like a run (runner.deliver), then
   * state machine → commit → bus. Resolves once stored and announced.
   */
  async deliver(name: string, reason: RunReason, outcome: Delivered): Promise<CheckState | null> {
    if (!this.loaded.checks.has(name)) return null;
    const state = await this.runner.deliver(name, reason, outcome);
    await this.runtime.committed();
    return state;
  }

  /** Applies an update received from another instance (spec §4.14). */
  applyRemote(name: string, data: RemoteData): CheckState | null {
    return this.input(name, { kind: 'remote', data }, { reason: 'remote', durationMs: null, outcome: null });
  }

  /** The engine's one entry (SiteRuntime.input): state machine → commit → bus. */
  input(name: string, input: Input, meta: RunMeta): CheckState | null {
    return this.runtime.input(name, input, meta);
  }

  /** Says loudly that storing began or stopped failing (logger, site log, the bus for the UI). */
  private storageChanged(problem: StoreProblem | null, was: StoreProblem | null): void {
    this.bus.emit('storage', { problem });
    const line = storageLine(problem, was, (t) => logStamp(t, this.settings.timezone));
    this.log[problem ? 'error' : 'warn'](line);
    // after the write that failed has finished (the site log may be what failed)
    queueMicrotask(() => this.note(line));
  }

  /**
   * A line of the volatile site log (spec §1.5: fletchck keeps its WARNING
   * records there). `level` is the process log's level: routine lines (a
   * recovery, a start) are `info` there.
   */
  warn(message: string, level: 'info' | 'warn' = 'warn'): void {
    this.log[level](message);
    this.note(message);
  }

  /** A line in the site log only (the caller tells the operator in its own way). */
  private note(message: string): void {
    if (this.readOnly) return;
    const line = `${logStamp(this.clock.now(), this.settings.timezone)} ${message}`;
    this.siteLog.append(line);
    this.bus.emit('log', { line });
  }

  // ---- config mutation

  /**
   * Validates an edited document, refuses it if it adds errors, otherwise
   * saves it atomically and applies it to the running site. Mutations are
   * serialised. `renamed` moves runtime state from old to new names.
   */
  mutate(edit: (doc: Doc) => Doc, opts: { renamed?: [string, string][]; allowErrors?: boolean } = {}): Promise<MutateResult> {
    const run = async (): Promise<MutateResult> => {
      const doc = edit(this.loaded.doc);
      const next = validateSite(doc, { base: this.base, ...this.envOverrides() }, []);
      if (next.fatal) return { ok: false, issues: next.issues };
      const before = new Set(this.loaded.issues.filter((i) => i.severity === 'error').map(formatIssue));
      const added = next.issues.filter((i) => i.severity === 'error' && !before.has(formatIssue(i)));
      if (added.length && !opts.allowErrors) return { ok: false, issues: added };
      const prev = this.loaded;
      this.loaded = next;
      try {
        await this.save();
      } catch (e) {
        this.loaded = prev;
        this.warn(`Saving the site failed: ${(e as Error).message}`);
        return { ok: false, issues: [{ path: [], message: `could not save the site file: ${(e as Error).message}`, severity: 'error' }] };
      }
      this.runtime.apply(prev, next, opts.renamed ?? []);
      return { ok: true, issues: next.issues };
    };
    const p = this.lock.then(run, run);
    this.lock = p.catch(() => undefined);
    return p;
  }

  /** Stores option values into a check (e.g. an SSH host key learned on first use). */
  async saveOptions(name: string, patch: Record<string, unknown>): Promise<void> {
    const r = await this.mutate((doc) => {
      const raw = rawEntry(doc, 'checks', name);
      if (!raw) return doc;
      return putCheck(doc, name, { ...raw, options: { ...((raw.options as object | undefined) ?? {}), ...patch } });
    });
    if (!r.ok) throw new Error(r.issues.map(formatIssue).join('; '));
  }

  /** Re-reads the site file (SIGHUP). Keeps running the old config if the file is unusable. */
  async reload(): Promise<Issue[]> {
    const parsed = await readSiteFile(this.configPath);
    const next = validateSite(parsed.doc, { base: this.base, ...this.envOverrides() }, parsed.issues);
    if (next.fatal) {
      this.warn(`Reload refused: ${next.issues.map(formatIssue).join('; ')}`);
      return next.issues;
    }
    const prev = this.loaded;
    this.loaded = next;
    this.runtime.apply(prev, next, []);
    // every problem, as at start: a check that stops running must say why (issue 16)
    this.announceConfig('Site reloaded', 'info');
    return next.issues;
  }

  /**
   * After the config changed as a whole (reload, the raw editor): every
   * problem logged with its path, as at start, and the site-log line `event`
   * naming them and the checks that do not run.
   */
  announceConfig(event: string, quiet: 'info' | 'warn' = 'warn'): void {
    logIssues(this.log, this.loaded.issues);
    const problems = problemSuffix(this.loaded.issues, this.loaded.checks.values());
    this.warn(`${event}${problems}`, problems ? 'warn' : quiet);
  }

  /** Writes the site file: config as loaded plus every check's runtime `data`. */
  async save(): Promise<void> {
    if (this.readOnly) return;
    const text = serializeSite({
      doc: this.loaded.doc,
      base: this.base,
      data: (name) => {
        const e = this.entry(name);
        return e ? stateToData(this.state(name), e.zone) : undefined;
      },
      log: this.siteLog.all(),
    });
    await atomicWrite(this.configPath, text, this.saveFs);
  }

  // ---- internals

  private envOverrides(): Partial<RunEnv> {
    return this.envOverride;
  }

  private seedStates(): void {
    const stored = this.store.loadAll();
    for (const [name, e] of this.loaded.checks) {
      const s = stored.get(name) ?? dataToState(e.fileData, e.zone, initialState()) ?? initialState();
      this.runtime.setState(name, s);
    }
  }

  private schedulePrune(delayMs: number): void {
    this.pruneTimer = this.clock.setTimer(() => {
      const now = this.clock.now();
      const h = this.settings.history;
      // nothing is kept longer than `days`, whatever the finer tiers say
      const hourly = now - h.days * 86_400_000;
      const cuts = { raw: Math.max(now - h.rawHours * 3_600_000, hourly), fiveMinute: Math.max(now - h.fiveMinuteDays * 86_400_000, hourly), hourly };
      // a stop closes the database between two steps
      const live = (): boolean => !this.readOnly && this.db.open;
      // then the closed hours are rolled up (raw runs are pruned only once rolled up: the next pass takes them)
      const rollup = (): void => {
        if (live() && this.store.rollupStep(now)) setImmediate(rollup);
      };
      const prune = (): void => {
        if (!live()) return;
        // small steps, each its own turn of the event loop: checks keep running meanwhile
        if (this.store.pruneBatch(cuts).more) setImmediate(prune);
        else setImmediate(rollup);
      };
      prune();
      this.schedulePrune(600_000);
    }, delayMs);
  }
}
