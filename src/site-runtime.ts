/**
 * The running half of the site: runtime state of every check, the runner's
 * host (run contexts, the engine's one entry `input`), the read-only site
 * view checks see, the notifications built from transitions, and applying a
 * new config to the scheduler. Writing and announcing results is
 * engine/commits.ts.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { LoadedSite } from './config/load.ts';
import type { CheckEntry } from './config/model.ts';
import type { Issue } from './config/issues.ts';
import { checkType } from './checks/catalog.ts';
import type { AnyCheckType, CheckView, RunContext, SiteView } from './checks/types.ts';
import { initialState, isFailing, rulesOf, stateText, step, type CheckState, type Input, type RemoteData, type Step } from './engine/state.ts';
import type { RunMeta, RunnerHost } from './engine/runner.ts';
import type { Clock } from './engine/clock.ts';
import { isStorageError } from './store/health.ts';
import { Commits, type CommitParts } from './engine/commits.ts';
import type { Scheduler } from './engine/scheduler.ts';
import type { RunEnv } from './checks/types.ts';
import type { Notification } from './actions/types.ts';
import { sleepOn } from './checks/shared/errors.ts';
import { withSiteDefaults } from './actions/template.ts';

export { MAX_UNSTORED } from './engine/unstored.ts';
export { STORE_RETRY_MS } from './engine/commits.ts';

/**
 * What the runtime uses of the rest of the site: its parts, passed in (built
 * once in wiring.ts), and the few site operations it calls. Not the Site.
 */
export interface RuntimeParts extends CommitParts {
  scheduler: Scheduler;
  /** the config in force now */
  config(): LoadedSite;
  /** what checks may need from the host (RunContext.env) */
  env(): RunEnv;
  /** stores option values into a check's config (RunContext.saveOptions) */
  saveOptions(name: string, patch: Record<string, unknown>): Promise<void>;
  isStarted(): boolean;
  /** runs a sequence member inside its sequence's slot (the runner) */
  runMember(name: string, signal: AbortSignal): Promise<CheckState | null>;
}

export class SiteRuntime implements RunnerHost {
  private readonly states = new Map<string, CheckState>();
  private readonly scratch = new Map<string, Record<string, unknown>>();
  readonly siteView: SiteView;
  /** writing and announcing results (engine/commits.ts) */
  private readonly commits: Commits;

  /** `batchCommits`: one transaction per event-loop turn (engine/commits.ts). */
  constructor(
    private readonly site: RuntimeParts,
    batchCommits = false,
  ) {
    this.commits = new Commits(site, this, batchCommits);
    this.siteView = {
      get name() {
        return site.config().settings.name;
      },
      get timezone() {
        return site.config().settings.timezone;
      },
      check: (n) => this.view(n),
      runMember: async (n, signal) => (await site.runMember(n, signal)) ?? this.state(n),
    };
  }

  get clock(): Clock {
    return this.site.clock;
  }

  get log(): Logger {
    return this.site.log;
  }

  entry(name: string): CheckEntry | undefined {
    return this.site.config().checks.get(name);
  }

  checkType(type: string): AnyCheckType | undefined {
    return checkType(type);
  }

  state(name: string): CheckState {
    let s = this.states.get(name);
    if (!s) {
      s = initialState();
      this.states.set(name, s);
    }
    return s;
  }

  setState(name: string, s: CheckState): void {
    this.states.set(name, s);
  }

  issues(name: string): Issue[] {
    return this.site.config().issues.filter((i) => i.path[0] === 'checks' && i.path[1] === name);
  }

  displayType(e: CheckEntry): string {
    return checkType(e.config.type)?.displayType?.(e.config) ?? e.config.type;
  }

  view(name: string): CheckView | undefined {
    const e = this.entry(name);
    if (!e) return undefined;
    return { config: e.config, state: this.state(name), displayType: this.displayType(e) };
  }

  /** A check's in-memory scratch between its own runs (RunContext.scratch); nothing else feeds it. */
  private scratchFor(name: string): Record<string, unknown> {
    let scratch = this.scratch.get(name);
    if (!scratch) {
      scratch = {};
      this.scratch.set(name, scratch);
    }
    return scratch;
  }

  lateness(name: string, ms: number): void {
    this.site.bus.emit('lateness', { name, ms });
  }

  context(name: string, entry: CheckEntry, signal: AbortSignal): RunContext {
    const scratch = this.scratchFor(name);
    const parent = this.log;
    let log: Logger | null = null;
    return {
      signal,
      now: () => this.clock.now(),
      sleep: (ms) => sleepOn(this.clock, ms, signal),
      check: this.view(name)!,
      zone: entry.zone,
      site: this.siteView,
      // made when first used: most runs never log, and a pino child per run was a good share of a run's garbage
      get log() {
        return (log ??= parent.child({ check: name }));
      },
      saveOptions: (patch) => this.site.saveOptions(name, patch),
      env: this.site.env(),
      scratch,
    };
  }

  /** getSummary (spec §3.2): the type's own, or the last log line when failing. */
  summary(name: string): string {
    const v = this.view(name);
    if (!v) return '';
    const custom = checkType(v.config.type)?.summary;
    if (custom) return custom(v, this.siteView);
    return isFailing(v.state.failState) ? (v.state.log[v.state.log.length - 1] ?? '') : '';
  }

  notification(name: string, kind: Notification['kind']): Notification {
    const v = this.view(name)!;
    const s = v.state;
    return withSiteDefaults(
      {
        site: this.site.config().settings.name,
        kind,
        // its own id: each action's delivery id derives from it (outbox/delivery-id.ts), the same on every node
        id: randomUUID(),
        at: this.clock.now(),
        check: {
          name,
          type: v.displayType,
          state: stateText(s, v.config.paused),
          failState: s.failState,
          softFail: s.softFail,
          level: s.level,
          log: s.log,
          summary: this.summary(name),
          lastFail: s.lastFail,
          lastPass: s.lastPass,
          lastCheck: s.lastCheck,
          zone: this.entry(name)?.zone ?? null,
        },
      },
      this.site.config().settings.notifications,
    );
  }

  /**
   * The one entry into the engine. Every input — a run's outcome (scheduled,
   * manual, sequence member, CLI), a push heartbeat, a remote update, a
   * staleness or offline verdict — takes the same path: the state machine
   * with the check's rules (engine/state.ts), then commit() (SQLite, the
   * outbox), then the bus. Returns the new state; null for an unknown check.
   */
  input(name: string, input: Input, meta: RunMeta): CheckState | null {
    const e = this.entry(name);
    if (!e) return null;
    // one clock read for the step, the notification gate and the stored rows (a read is ~0.4 µs on a VM's clock)
    const now = this.clock.now();
    const result = step(rulesOf(e.config), this.state(name), input, now);
    this.commit(name, result, meta, now);
    return result.state;
  }

  /** Applies an update received from another instance (spec §4.14): a remote input, not a run of this instance's. */
  applyRemote(name: string, data: RemoteData): CheckState | null {
    return this.input(name, { kind: 'remote', data }, { reason: 'remote', durationMs: null, outcome: null });
  }

  /** The state at once in memory; then written and announced (engine/commits.ts). */
  private commit(name: string, result: Step, meta: RunMeta, now: number): void {
    this.states.set(name, result.state);
    this.commits.commit(name, result, meta, this.entry(name), now);
  }

  /** Results in memory that the store has not taken yet (a full disk). */
  get unstoredCount(): number {
    return this.commits.unstoredCount;
  }

  /** Resolves once every result committed so far is written and announced. */
  committed(): Promise<void> {
    return this.commits.committed();
  }

  /** Writes and announces what is pending now (the end of a turn, a stop). */
  flush(): void {
    this.commits.flush();
  }

  /** At a stop, after the last flush: results the store still refuses are said loudly. */
  close(): void {
    this.commits.close();
  }

  /** A rename or removal in the store: the config change stands when the store refuses it (its history stays under the old name). */
  private storeChange(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      if (!isStorageError(e)) throw e;
      this.site.storage.failed('results', e);
    }
  }

  /** Brings the scheduler and runtime state in line with a new config. */
  apply(prev: LoadedSite, next: LoadedSite, renamed: [string, string][]): void {
    const { scheduler } = this.site;
    const moved = new Map(renamed);
    for (const [from, to] of renamed) {
      const s = this.states.get(from);
      if (s) this.states.set(to, s);
      this.states.delete(from);
      const sc = this.scratch.get(from);
      if (sc) this.scratch.set(to, sc);
      this.scratch.delete(from);
      scheduler.remove(from);
      if (!this.site.readOnly) this.storeChange(() => this.site.store.rename(from, to));
    }
    const removed: string[] = [];
    for (const name of prev.checks.keys()) {
      if (next.checks.has(name) || moved.has(name)) continue;
      removed.push(name);
      scheduler.remove(name);
      this.states.delete(name);
      this.scratch.delete(name);
      if (!this.site.readOnly) this.storeChange(() => this.site.store.remove(name));
    }
    const zoneChanged = prev.settings.timezone !== next.settings.timezone;
    const prevChecks = (prev.doc.checks ?? {}) as Record<string, unknown>;
    const nextChecks = (next.doc.checks ?? {}) as Record<string, unknown>;
    const changed: string[] = [];
    for (const [name, e] of next.checks) {
      const old = prev.checks.get(name);
      const same =
        old !== undefined &&
        !zoneChanged &&
        old.active === e.active &&
        (prevChecks[name] === nextChecks[name] || JSON.stringify(prevChecks[name]) === JSON.stringify(nextChecks[name]));
      if (same && !renamedTo(renamed, name)) continue;
      changed.push(name);
      if (!this.states.has(name)) this.states.set(name, initialState());
      if (this.site.isStarted()) scheduler.set(name, e.active ? e.schedule : null);
    }
    this.site.bus.emit('config', { changed, removed, renamed });
  }
}

function renamedTo(renamed: [string, string][], name: string): boolean {
  return renamed.some(([, to]) => to === name);
}
