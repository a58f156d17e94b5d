/**
 * The running half of the site: runtime state of every check, the runner's
 * host (run contexts, commits), the read-only site view checks see, the
 * notifications built from transitions, and applying a new config to the
 * scheduler.
 */
import type { Logger } from 'pino';
import type { Database as Db } from 'better-sqlite3';
import type { LoadedSite } from './config/load.ts';
import type { CheckEntry } from './config/model.ts';
import type { Issue } from './config/issues.ts';
import { checkType } from './checks/registry.ts';
import type { AnyCheckType, CheckView, RunContext, SiteView } from './checks/types.ts';
import { initialState, isFailing, rulesOf, stateText, step, type CheckState, type Input, type StateEvent, type Step } from './engine/state.ts';
import type { RunMeta, RunnerHost } from './engine/runner.ts';
import type { Clock } from './engine/clock.ts';
import type { Scheduler } from './engine/scheduler.ts';
import type { SiteBus } from './engine/events.ts';
import type { StateStore } from './store/state.ts';
import type { Notifier } from './actions/dispatch.ts';
import type { RunEnv } from './checks/types.ts';
import type { Notification } from './actions/types.ts';
import { repr } from './util/pyrepr.ts';
import { sleepOn } from './checks/shared/errors.ts';

/** A result waiting to be written and announced. */
interface Commit {
  name: string;
  state: CheckState;
  events: StateEvent[];
  meta: RunMeta;
  entry: CheckEntry | undefined;
  now: number;
  /** active actions to notify of its transitions */
  actions: string[];
  notification: Notification | null;
}

/**
 * What the runtime uses of the rest of the site: its parts, passed in (built
 * once in site.ts), and the few site operations it calls. Not the Site.
 */
export interface RuntimeParts {
  db: Db;
  store: StateStore;
  bus: SiteBus;
  clock: Clock;
  log: Logger;
  notifier: Notifier;
  scheduler: Scheduler;
  readOnly: boolean;
  /** the config in force now */
  config(): LoadedSite;
  /** what checks may need from the host (RunContext.env) */
  env(): RunEnv;
  /** a line of the site log */
  warn(message: string, level?: 'info' | 'warn'): void;
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

  /**
   * Runs a function in one transaction. Built once: better-sqlite3's
   * transaction() makes four wrapper closures on every call, a measurable
   * share of a commit at thousands of commits a second (docs/performance.md).
   */
  private readonly inTransaction: (fn: () => void) => void;
  private pending: Commit[] = [];
  private waiters: (() => void)[] = [];

  /** `batchCommits`: one transaction per event-loop turn (see commit()); off for fake clocks in tests. */
  constructor(private readonly site: RuntimeParts, private readonly batchCommits = false) {
    this.inTransaction = site.db.transaction((fn: () => void) => fn());
    this.siteView = {
      get name() { return site.config().settings.name; },
      get timezone() { return site.config().settings.timezone; },
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
    return {
      site: this.site.config().settings.name,
      kind,
      at: this.clock.now(),
      check: {
        name, type: v.displayType, state: stateText(s, v.config.paused), failState: s.failState, softFail: s.softFail,
        level: s.level, log: s.log, summary: this.summary(name), lastFail: s.lastFail, lastPass: s.lastPass,
        lastCheck: s.lastCheck, zone: this.entry(name)?.zone ?? null,
      },
    };
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
    const result = step(rulesOf(e.config), this.state(name), input, this.clock.now());
    this.commit(name, result, meta);
    return result.state;
  }

  /**
   * Commits a run's (or a remote update's) result: the state at once in
   * memory; in SQLite, the state, the history row, the transitions and the
   * notifications they cause in one transaction; then the bus events and
   * site-log lines. With `batchCommits` (real time) the SQLite part and the
   * announcements wait for the end of the event-loop turn, and every result
   * of that turn shares one transaction: a commit costs a fraction of its own
   * transaction (docs/performance.md "Group commit"). Nothing is announced
   * before it is written, so a crash loses at most results nobody heard of.
   */
  private commit(name: string, result: Step, meta: RunMeta): void {
    const { state, events } = result;
    this.states.set(name, state);
    const entry = this.entry(name);
    const actions = entry && events.some((e) => e.notify) ? entry.config.actions.filter((a) => this.site.config().actions.get(a)?.active) : [];
    const job: Commit = {
      name, state, events, meta, entry, now: this.clock.now(), actions,
      // built now: a later result in the same turn must not change what this one says
      notification: actions.length ? this.notification(name, 'transition') : null,
    };
    if (!this.batchCommits) {
      this.write([job]);
      this.announce(job);
      return;
    }
    this.pending.push(job);
    if (this.pending.length === 1) setImmediate(this.flush);
  }

  /** Resolves once every result committed so far is written and announced. */
  committed(): Promise<void> {
    if (this.pending.length === 0) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  /** Writes and announces what is pending now (the end of a turn, or a stop). */
  readonly flush = (): void => {
    if (this.pending.length === 0) return;
    const jobs = this.pending;
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    let done = jobs;
    try {
      this.write(jobs);
    } catch {
      // one bad result must not cost the others theirs: each alone
      done = jobs.filter((j) => {
        try {
          this.write([j]);
          return true;
        } catch (e) {
          this.log.error({ check: j.name, err: e }, 'could not store a result');
          return false;
        }
      });
    }
    for (const j of done) this.announce(j);
    for (const w of waiters) w();
  };

  /** The state and the notifications it causes are committed together, so a crash can never keep the one and lose the other (docs/actions.md). */
  private write(jobs: Commit[]): void {
    if (this.site.readOnly) return;
    const store = this.site.store;
    try {
      this.inTransaction(() => {
        for (const j of jobs) {
          const ran = j.meta.reason !== 'remote' && j.state.log[0] !== 'PAUSED';
          store.write(j.name, j.state, j.now, ran ? {
            t: j.now, fail: isFailing(j.state.failState), durationMs: j.meta.durationMs, level: j.state.level, softFail: j.state.softFail,
            metrics: j.state.metrics,
          } : undefined, j.events);
          if (!j.notification) continue;
          for (const e of j.events) if (e.notify) this.site.notifier.notify(j.actions, j.notification);
        }
      });
    } catch (e) {
      store.rolledBack();
      throw e;
    }
  }

  private announce(j: Commit): void {
    const { name, state, meta, entry } = j;
    this.site.bus.emit('run', { name, state, reason: meta.reason, durationMs: meta.durationMs, outcome: meta.outcome });
    this.site.bus.emit('state', { name, state });
    if (!entry) return;
    const label = `${name} (${this.displayType(entry)})`;
    for (const event of j.events) {
      if (event.to === 'FAIL') {
        this.site.warn(`${label} Log: ${repr(state.log)}`);
        this.site.warn(`${label} FAIL`);
      } else {
        // a recovery is routine: info in the process log, still a line of the site log
        this.site.warn(`${label} PASS`, 'info');
      }
      this.site.bus.emit('transition', { name, event, state });
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
      if (!this.site.readOnly) this.site.store.rename(from, to);
    }
    const removed: string[] = [];
    for (const name of prev.checks.keys()) {
      if (next.checks.has(name) || moved.has(name)) continue;
      removed.push(name);
      scheduler.remove(name);
      this.states.delete(name);
      this.scratch.delete(name);
      if (!this.site.readOnly) this.site.store.remove(name);
    }
    const zoneChanged = prev.settings.timezone !== next.settings.timezone;
    const prevChecks = (prev.doc.checks ?? {}) as Record<string, unknown>;
    const nextChecks = (next.doc.checks ?? {}) as Record<string, unknown>;
    const changed: string[] = [];
    for (const [name, e] of next.checks) {
      const old = prev.checks.get(name);
      const same = old !== undefined && !zoneChanged && old.active === e.active &&
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
