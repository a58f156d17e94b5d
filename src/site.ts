/**
 * The site: a small façade over the engine's parts, which src/wiring.ts
 * builds once (`openSite`): the config in force and its one way to change
 * (`mutate()`: validate → atomic save → apply the difference to the running
 * engine, without a restart), the state store, scheduler, runner, notifier,
 * bus, federation and zone. The site owns their lifecycle (start, stop).
 */
import { basename, dirname, join } from 'node:path';
import type { Database as Db } from 'better-sqlite3';
import type { Logger } from 'pino';
import type { LoadedSite, SiteSettings } from './config/load.ts';
import { formatIssue, type Issue } from './config/issues.ts';
import type { SaveFs } from './config/save.ts';
import type { Doc } from './config/edits.ts';
import type { LiveConfig, MutateResult } from './config/live.ts';
import type { CheckEntry, ActionEntry } from './config/model.ts';
import type { MigrationSet } from './store/db.ts';
import type { StateStore } from './store/state.ts';
import type { SiteLogStore } from './store/sitelog.ts';
import type { StoreHealth } from './store/health.ts';
import type { Clock } from './engine/clock.ts';
import type { Scheduler } from './engine/scheduler.ts';
import type { Runner, Delivered, RunMeta, RunReason } from './engine/runner.ts';
import type { SiteBus } from './engine/events.ts';
import type { CheckState, Input, RemoteData } from './engine/state.ts';
import type { RunEnv } from './checks/types.ts';
import type { Notifier, NotifierHost } from './actions/dispatch.ts';
import type { OutboxSite } from './actions/outbox/site.ts';
import type { SiteRuntime } from './site-runtime.ts';
import { ServiceStartError, type SiteService } from './site-service.ts';
import type { SiteNotes } from './site-notes.ts';
import type { ZoneHook } from './zone/hook.ts';
import type { ZoneService } from './zone/service.ts';
import type { MqttFederation } from './federation/mqtt.ts';
import type { Ops } from './ops/ops.ts';
import type { RemoteFacts } from './ops/site.ts';

export { ServiceStartError, type SiteService } from './site-service.ts';
export type { MutateResult } from './config/live.ts';

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
  notifier?: (host: NotifierHost, site: OutboxSite) => Notifier;
  saveFs?: SaveFs;
  /**
   * The engine's speed-ups (docs/performance.md): bursts of run endings
   * sliced by the pacer, and results committed a turn at a time (group
   * commit). Default: on with the system clock (production), off with an
   * injected clock, where a test steps time and reads results at once. The
   * one switch; test/engine/group-commit.test.ts runs both ways.
   */
  batching?: boolean;
  /** `--node`: this node's name in an HA zone (docs/ha.md); default SITEWARD_NODE or the host name */
  node?: string;
}

export class SiteLoadError extends Error {
  constructor(readonly issues: Issue[]) {
    super(`cannot load the site:\n${issues.map((i) => `  ${formatIssue(i)}`).join('\n')}`);
  }
}

export function defaultDbPath(configPath: string): string {
  const name = basename(configPath).replace(/\.(json|conf)$/i, '');
  return join(dirname(configPath), `${name}.db`);
}

/** The engine's parts, each built once by src/wiring.ts from the parts before it. */
export interface SiteParts {
  configPath: string;
  base: string;
  clock: Clock;
  log: Logger;
  readOnly: boolean;
  db: Db;
  bus: SiteBus;
  /** the config in force and its one way to change */
  config: LiveConfig;
  notes: SiteNotes;
  store: StateStore;
  siteLog: SiteLogStore;
  storage: StoreHealth;
  notifier: Notifier;
  ops: Ops;
  scheduler: Scheduler;
  runtime: SiteRuntime;
  runner: Runner;
  /** the MQTT federation (idle without an `mqtt` section) and what it knows of remote instances */
  federation: MqttFederation;
  remotes: RemoteFacts;
  /** the HA zone service (idle without a `zone` key); its hook() is what the engine asks */
  zoneService: ZoneService;
  /** started and not stopped (shared with the runtime) */
  life: { started: boolean };
  /** starts history pruning; returns its stop */
  prune(): () => void;
  /** what opening the state database found */
  openNotes: string[];
}

export class Site {
  readonly bus: SiteBus;
  readonly clock: Clock;
  readonly log: Logger;
  readonly configPath: string;
  readonly base: string;
  readonly db: Db;
  readonly store: StateStore;
  readonly siteLog: SiteLogStore;
  /** what cannot be stored now (a full disk): /healthz, /metrics, the UI banner, 503s */
  readonly storage: StoreHealth;
  readonly readOnly: boolean;
  readonly notifier: Notifier;
  readonly runtime: SiteRuntime;
  readonly scheduler: Scheduler;
  readonly runner: Runner;
  /** maintenance windows, acknowledgements, escalation, decision trace (src/ops) */
  readonly ops: Ops;
  /** which instance each remote check follows, and this instance's name (the federation's view; maintenance windows select by it) */
  readonly remotes: RemoteFacts;
  /** what opening the state database found (moved aside when damaged, missing after earlier runs) */
  readonly openNotes: string[];
  private readonly config: LiveConfig;
  private readonly notes: SiteNotes;
  private readonly services: SiteService[] = [];
  private stopPrune: (() => void) | null = null;

  constructor(private readonly parts: SiteParts) {
    ({
      bus: this.bus,
      clock: this.clock,
      log: this.log,
      configPath: this.configPath,
      base: this.base,
      db: this.db,
      store: this.store,
      siteLog: this.siteLog,
      storage: this.storage,
      readOnly: this.readOnly,
      notifier: this.notifier,
      runtime: this.runtime,
      scheduler: this.scheduler,
      runner: this.runner,
      ops: this.ops,
      remotes: this.remotes,
      openNotes: this.openNotes,
      config: this.config,
      notes: this.notes,
    } = parts);
  }

  /** the config in force now (replaced whole by `mutate` and `reload`) */
  get loaded(): LoadedSite {
    return this.config.loaded;
  }

  /** the MQTT federation part (wiring.ts adds it as a service) */
  get federation(): MqttFederation {
    return this.parts.federation;
  }

  /** the HA zone service part (wiring.ts adds it as a service) */
  get zoneService(): ZoneService {
    return this.parts.zoneService;
  }

  /** the HA zone's hook (src/zone/): null while this node is in no zone (every check runs and notifies here) */
  get zone(): ZoneHook | null {
    return this.parts.zoneService.hook();
  }

  /** What checks may need from the site (RunContext.env). */
  get env(): RunEnv {
    return this.config.env;
  }

  get settings(): SiteSettings {
    return this.config.loaded.settings;
  }

  get name(): string {
    return this.config.loaded.settings.name;
  }

  // ---- queries

  entry(name: string): CheckEntry | undefined {
    return this.config.entry(name);
  }

  action(name: string): ActionEntry | undefined {
    return this.config.action(name);
  }

  state(name: string): CheckState {
    return this.runtime.state(name);
  }

  /** Checks ordered by (priority, position in the file) (spec §3.6). */
  sortedChecks(): CheckEntry[] {
    return this.config.sortedChecks();
  }

  issuesFor(name: string): Issue[] {
    return this.config.issuesFor(name);
  }

  get isStarted(): boolean {
    return this.parts.life.started;
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
    if (this.parts.life.started) return;
    this.parts.life.started = true;
    this.notifier.start();
    this.ops.start();
    for (const e of this.loaded.checks.values()) {
      if (e.active && e.schedule) this.scheduler.set(e.config.name, e.schedule);
    }
    this.stopPrune = this.parts.prune();
    for (const s of this.services) {
      try {
        await s.start();
      } catch (e) {
        if (s.required) {
          // the CLI prints it as its last line; the site log keeps it for the next start's UI
          const err = new ServiceStartError(s.name, (e as Error).message);
          this.notes.note(err.message);
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
    this.stopPrune?.();
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

  // ---- the engine's inputs

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
    return this.runtime.applyRemote(name, data);
  }

  /** The engine's one entry (SiteRuntime.input): state machine → commit → bus. */
  input(name: string, input: Input, meta: RunMeta): CheckState | null {
    return this.runtime.input(name, input, meta);
  }

  /**
   * A line of the volatile site log (spec §1.5: fletchck keeps its WARNING
   * records there). `level` is the process log's level: routine lines (a
   * recovery, a start) are `info` there.
   */
  warn(message: string, level: 'info' | 'warn' = 'warn'): void {
    this.notes.warn(message, level);
  }

  // ---- config mutation (src/config/live.ts)

  /**
   * Validates an edited document, refuses it if it adds errors, otherwise
   * saves it atomically and applies it to the running site. Mutations are
   * serialised. `renamed` moves runtime state from old to new names.
   */
  mutate(edit: (doc: Doc) => Doc, opts: { renamed?: [string, string][]; allowErrors?: boolean } = {}): Promise<MutateResult> {
    return this.config.mutate(edit, opts);
  }

  /** Stores option values into a check (e.g. an SSH host key learned on first use). */
  saveOptions(name: string, patch: Record<string, unknown>): Promise<void> {
    return this.config.saveOptions(name, patch);
  }

  /** Re-reads the site file (SIGHUP). Keeps running the old config if the file is unusable. */
  reload(): Promise<Issue[]> {
    return this.config.reload();
  }

  /** After the config changed as a whole (reload, the raw editor): every problem logged, and the site-log line `event`. */
  announceConfig(event: string, quiet: 'info' | 'warn' = 'warn'): void {
    this.config.announce(event, quiet);
  }

  /** Writes the site file: config as loaded plus every check's runtime `data`. */
  save(): Promise<void> {
    return this.config.save();
  }
}
