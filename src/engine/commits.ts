/**
 * Where the engine's one path ends (SiteRuntime.input): a result is
 * committed — written to SQLite with the transitions and the notifications
 * they cause in one transaction — then announced on the bus and in the site
 * log. Results the store refuses (a full disk) are kept (engine/unstored.ts)
 * and tried again. Group commit: with `batch`, every result of one
 * event-loop turn shares one transaction (docs/performance.md).
 */
import type { Logger } from 'pino';
import type { Database as Db } from 'better-sqlite3';
import type { CheckEntry } from '../config/model.ts';
import { isFailing, type CheckState, type StateEvent, type Step } from './state.ts';
import type { RunMeta } from './runner.ts';
import type { Clock, TimerHandle } from './clock.ts';
import type { SiteBus } from './events.ts';
import { Unstored } from './unstored.ts';
import { isStorageError, type StoreHealth } from '../store/health.ts';
import type { StateStore } from '../store/state.ts';
import type { Notifier } from '../actions/dispatch.ts';
import type { Notification } from '../actions/types.ts';
import type { Ops } from '../ops/ops.ts';
import type { Decision } from '../ops/trace.ts';
import type { ZoneHook, ZoneNotify } from '../zone/hook.ts';
import { withNote } from '../zone/notified.ts';
import { repr } from '../util/pyrepr.ts';

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

/** Outside a zone every transition notifies here, with no extra line. */
const HERE: ZoneNotify = { send: true, note: null };

/** How often results the store refused are tried again (site clock). */
export const STORE_RETRY_MS = 5_000;

/**
 * Results one group commit holds at most. A backlog arrives in turns of
 * thousands of messages (Node reads up to 32 socket chunks before it turns
 * to setImmediate): held to the end of such a turn, every result, its
 * decisions and its notification outlived young-generation collections and
 * grew the heap (docs/performance.md "Memory while ingesting"). Past this
 * many, the batch is written and announced at once, in the turn.
 */
export const MAX_BATCH = 256;

/** What committing uses: the site's parts, passed in (built once in wiring.ts). */
export interface CommitParts {
  db: Db;
  store: StateStore;
  bus: SiteBus;
  clock: Clock;
  log: Logger;
  notifier: Pick<Notifier, 'queue' | 'hold'>;
  readOnly: boolean;
  /** a line of the site log */
  warn(message: string, level?: 'info' | 'warn'): void;
  /** what cannot be stored now (a full disk): told when results are refused and when they are taken again */
  storage: Pick<StoreHealth, 'failed' | 'worked' | 'problem'>;
  /** maintenance, WARN rules, the decision trace (src/ops): asked in commit, told in the write */
  ops: Pick<Ops, 'gate' | 'committed' | 'rolledBack'>;
  /** the HA zone's hook (src/zone/), null outside a zone */
  zone(): ZoneHook | null;
}

/** What a commit asks of the runtime about the check: its display type and the notification it sends now. */
export interface CommitWords {
  displayType(e: CheckEntry): string;
  notification(name: string, kind: Notification['kind']): Notification;
}

export class Commits {
  /**
   * Runs a function in one transaction. Built once: better-sqlite3's
   * transaction() makes four wrapper closures on every call, a measurable
   * share of a commit at thousands of commits a second (docs/performance.md).
   */
  private readonly inTransaction: (fn: () => void) => void;
  private pending: Commit[] = [];
  /** a flush is waiting for the end of this turn */
  private scheduled = false;
  private waiters: (() => void)[] = [];
  /** results the store refused (a full disk), oldest first: written before anything newer */
  private readonly unstored: Unstored<Commit>;
  private retry: TimerHandle | null = null;

  /** `batch`: one transaction per event-loop turn (see commit()). */
  constructor(
    private readonly site: CommitParts,
    private readonly words: CommitWords,
    private readonly batch = false,
  ) {
    this.unstored = new Unstored((m) => site.warn(m));
    this.inTransaction = site.db.transaction((fn: () => void) => fn());
  }

  /**
   * Commits a run's (or a remote update's) result (its state is in memory
   * already): in SQLite, the state, the history row, the transitions and the
   * notifications they cause in one transaction; then the bus events and
   * site-log lines. With `batch` (real time) the SQLite part and the
   * announcements wait for the end of the event-loop turn, and every result
   * of that turn shares one transaction (up to MAX_BATCH: a longer turn
   * writes a batch as soon as it is full): a commit costs a fraction of its own
   * transaction (docs/performance.md "Group commit"). Nothing is announced
   * before it is written, so a crash loses at most results nobody heard of.
   */
  commit(name: string, result: Step, meta: RunMeta, entry: CheckEntry | undefined, now: number): void {
    const { state } = result;
    // maintenance, WARN rules and the decision trace (src/ops): which actions, and why not the others
    const gated = this.site.ops.gate(name, result.events, state, now);
    const { events, decisions } = gated;
    // in a zone, only the check's owner notifies (docs/ha.md)
    const zone = entry && events.some((e) => e.notify) ? (this.site.zone()?.notifies(name, isFailing(state.failState)) ?? HERE) : null;
    const actions = zone?.send ? gated.actions : [];
    const note = zone?.send ? zone.note : null;
    const made = actions.length ? this.words.notification(name, 'transition') : null;
    const notification = made && note ? withNote(made, note) : made;
    // the zone records it as undelivered before the outbox sends it (docs/ha.md)
    if (notification && events.some((e) => e.notify)) this.site.zone()?.queued(name, actions, notification);
    const job: Commit = {
      name,
      state,
      events,
      meta,
      entry,
      now,
      actions: events.some((e) => e.notify) ? actions : [],
      decisions,
      // built now: a later result in the same turn must not change what this one says
      notification,
    };
    this.pending.push(job);
    if (!this.batch || this.pending.length >= MAX_BATCH) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.atTurnEnd);
    }
  }

  private readonly atTurnEnd = (): void => {
    this.scheduled = false;
    this.flush();
  };

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
      this.retry ??= this.site.clock.setTimer(() => {
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
    if (!isStorageError(e)) this.site.log.error({ check: j.name, err: e }, 'could not store a result');
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
      // a check with several results in the batch (a flapping remote, a backlog): its state row is written once, with the last
      const last = jobs.length > 1 ? lastOf(jobs) : null;
      this.inTransaction(() => {
        for (let i = 0; i < jobs.length; i++) {
          const j = jobs[i]!;
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
            last === null || last.get(j.name) === i,
          );
          if (j.events.length) this.site.ops.committed(j.name, j.events, j.state, j.decisions);
          if (!j.notification || j.held) continue;
          for (const e of j.events) if (e.notify) this.site.notifier.queue(j.actions, j.notification);
        }
      });
    } catch (e) {
      store.rolledBack();
      this.site.ops.rolledBack();
      throw e;
    }
  }

  private announce(j: Commit): void {
    const { name, state, meta, entry } = j;
    this.site.bus.emit('run', { name, state, reason: meta.reason, durationMs: meta.durationMs, outcome: meta.outcome });
    this.site.bus.emit('state', { name, state });
    if (!entry) return;
    const label = `${name} (${this.words.displayType(entry)})`;
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
}

/** The index of each check's last result in a batch. */
function lastOf(jobs: readonly Commit[]): Map<string, number> {
  const m = new Map<string, number>();
  for (let i = 0; i < jobs.length; i++) m.set(jobs[i]!.name, i);
  return m;
}
