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
import type { Clock, TimerHandle } from './engine/clock.ts';
import { isStorageError, type StoreHealth } from './store/health.ts';
import { Unstored } from './engine/unstored.ts';
import type { Scheduler } from './engine/scheduler.ts';
import type { SiteBus } from './engine/events.ts';
import type { StateStore } from './store/state.ts';
import type { Notifier } from './actions/dispatch.ts';
import type { RunEnv } from './checks/types.ts';
import type { Ops } from './ops/ops.ts';
import type { ZoneHook } from './zone/hook.ts';
import type { Notification } from './actions/types.ts';
import { repr } from './util/pyrepr.ts';
import { sleepOn } from './checks/shared/errors.ts';
import { withSiteDefaults } from './actions/template.ts';
import type { Decision } from './ops/trace.ts';

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
  /** announced on the bus already (a result the store refused is announced once, before it is stored) */
  announced?: boolean;
  /** its notifications went to the notifier's memory (the store refused them): never queued again */
  held?: boolean;
  /** why each transition notified whom (src/ops/trace.ts) */
  decisions: Decision[];
}

export { MAX_UNSTORED } from './engine/unstored.ts';
/** How often results the store refused are tried again (site clock). */
export const STORE_RETRY_MS = 5_000;

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
  /** what cannot be stored now (a full disk): told when results are refused and when they are taken again */
  storage: Pick<StoreHealth, 'failed' | 'worked' | 'problem'>;
  /** maintenance, WARN rules, the decision trace (src/ops): asked in commit, told in the write */
  ops: Pick<Ops, 'gate' | 'committed'>;
  /** the HA zone's hook (src/zone/), null outside a zone */
  zone(): ZoneHook | null;
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
  /** results the store refused (a full disk), oldest first: written before anything newer */
  private readonly unstored: Unstored<Commit>;
  private retry: TimerHandle | null = null;

  /** `batchCommits`: one transaction per event-loop turn (see commit()); off for fake clocks in tests. */
  constructor(
    private readonly site: RuntimeParts,
    private readonly batchCommits = false,
  ) {
    this.unstored = new Unstored((m) => site.warn(m));
    this.inTransaction = site.db.transaction((fn: () => void) => fn());
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
    const { state } = result;
    this.states.set(name, state);
    const entry = this.entry(name);
    // maintenance, WARN rules and the decision trace (src/ops): which actions, and why not the others
    const gated = this.site.ops.gate(name, result.events, state);
    const { events, decisions } = gated;
    // in a zone, only the check's owner notifies (docs/ha.md)
    const notifies = entry && events.some((e) => e.notify) && (this.site.zone()?.notifies(name, isFailing(state.failState)) ?? true);
    const actions = notifies ? gated.actions : [];
    const job: Commit = {
      name,
      state,
      events,
      meta,
      entry,
      now: this.clock.now(),
      actions: events.some((e) => e.notify) ? actions : [],
      decisions,
      // built now: a later result in the same turn must not change what this one says
      notification: actions.length ? this.notification(name, 'transition') : null,
    };
    this.pending.push(job);
    if (!this.batchCommits) this.flush();
    else if (this.pending.length === 1) setImmediate(this.flush);
  }

  /** Results in memory that the store has not taken yet (a full disk). */
  get unstoredCount(): number {
    return this.unstored.items.length;
  }

  /** Resolves once every result committed so far is written and announced. */
  committed(): Promise<void> {
    if (this.pending.length === 0) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }

  /**
   * Writes and announces what is pending now (the end of a turn, a stop, a
   * retry). Results the store refuses — a full disk — stay in memory
   * (bounded) and are tried again first; they are announced at once all the
   * same (loud beats quiet: the UI, MQTT and the site log show the truth),
   * and their notifications go to the notifier's memory to be delivered from
   * there (at-least-once holds). The site's storage health hears of both.
   */
  readonly flush = (): void => {
    if (this.pending.length === 0 && this.unstored.items.length === 0) return;
    const jobs = [...this.unstored.items, ...this.pending];
    const waiters = this.waiters;
    this.pending = [];
    this.waiters = [];
    let failed: Commit[] = [];
    const lost = new Set<Commit>();
    let error: unknown = null;
    try {
      this.write(jobs);
    } catch (e) {
      error = e;
      // a disk that refuses one refuses all; otherwise one bad result must not cost the others theirs
      if (isStorageError(e)) failed = jobs;
      else {
        for (const j of jobs) {
          const e2 = this.writeAlone(j);
          if (e2 === null) continue;
          error = e2;
          if (isStorageError(e2)) failed.push(j);
          else lost.add(j);
        }
      }
    }
    for (const j of failed) this.holdNotifications(j, error);
    this.unstored.keep(failed);
    for (const j of jobs) {
      if (j.announced || lost.has(j)) continue;
      j.announced = true;
      this.announce(j);
    }
    if (this.unstored.items.length) {
      this.site.storage.failed('results', error);
      this.retry ??= this.clock.setTimer(() => {
        this.retry = null;
        this.flush();
      }, STORE_RETRY_MS);
    } else {
      this.retry?.cancel();
      this.retry = null;
      this.site.storage.worked('results');
    }
    for (const w of waiters) w();
  };

  /**
   * One result in its own transaction; when that fails, its notifications go
   * to the notifier's memory and the result is tried without them. Returns
   * the error when it still cannot be written (logged unless the storage
   * itself refuses: then it is kept and retried).
   */
  private writeAlone(j: Commit): unknown {
    try {
      this.write([j]);
      return null;
    } catch (e) {
      if (!j.notification || j.held || isStorageError(e)) return this.unwritten(j, e);
      this.holdNotifications(j, e);
      try {
        this.write([j]);
        return null;
      } catch (e2) {
        return this.unwritten(j, e2);
      }
    }
  }

  private unwritten(j: Commit, e: unknown): unknown {
    if (!isStorageError(e)) this.log.error({ check: j.name, err: e }, 'could not store a result');
    return e;
  }

  /** Hands a result's notifications to the notifier's memory, once. */
  private holdNotifications(j: Commit, error: unknown): void {
    if (j.held || !j.notification) return;
    j.held = true;
    for (const e of j.events) if (e.notify) this.site.notifier.hold(j.actions, j.notification, error);
  }

  /** At a stop, after the last flush: results the store still refuses are lost with the process — said loudly. */
  close(): void {
    this.retry?.cancel();
    this.retry = null;
    const n = this.unstored.items.length;
    if (n)
      this.site.warn(
        `${n} result${n === 1 ? '' : 's'} could not be stored before siteward stopped (${this.site.storage.problem?.message ?? 'the database refused them'})`,
      );
  }

  /** The state and the notifications it causes are committed together, so a crash can never keep the one and lose the other (docs/actions.md). */
  private write(jobs: Commit[]): void {
    if (this.site.readOnly) return;
    const store = this.site.store;
    try {
      this.inTransaction(() => {
        for (const j of jobs) {
          const ran = j.meta.reason !== 'remote' && j.state.log[0] !== 'PAUSED';
          store.write(
            j.name,
            j.state,
            j.now,
            ran
              ? {
                  t: j.now,
                  fail: isFailing(j.state.failState),
                  durationMs: j.meta.durationMs,
                  level: j.state.level,
                  softFail: j.state.softFail,
                  metrics: j.state.metrics,
                }
              : undefined,
            j.events,
          );
          if (j.events.length) this.site.ops.committed(j.name, j.events, j.state, j.decisions);
          if (!j.notification || j.held) continue;
          for (const e of j.events) if (e.notify) this.site.notifier.queue(j.actions, j.notification);
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
      const quiet = event.maintenance === undefined ? '' : ` (in maintenance "${event.maintenance}")`;
      if (event.to === 'FAIL') {
        this.site.warn(`${label} Log: ${repr(state.log)}`);
        this.site.warn(`${label} FAIL${quiet}`);
      } else if (event.to === 'WARN') {
        this.site.warn(`${label} WARN${quiet} Log: ${repr(state.log)}`);
      } else {
        // a recovery is routine: info in the process log, still a line of the site log
        this.site.warn(`${label} PASS${quiet}`, 'info');
      }
      this.site.bus.emit('transition', { name, event, state });
    }
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
