/**
 * The runner: depends → retries → timeout → CheckType.run() → state machine
 * (spec §3.2, §3.5). It guarantees:
 *
 * - never two runs of one check at once: a scheduled run that finds the check
 *   busy is skipped (coalesced, spec §6.1); a manual or sequence run waits for
 *   the one in flight and shares its result;
 * - bounded, FIFO concurrency; members of a sequence run inside their
 *   sequence's slot, so nesting cannot deadlock;
 * - every run ends by its timeout: the AbortSignal fires, and a check that
 *   ignores it is abandoned shortly after with a TimeoutError line;
 * - nothing a check does (throwing, returning garbage) escapes as an exception.
 */
import type { Logger } from 'pino';
import type { Clock, TimerHandle } from './clock.ts';
import { immediatePacer, type Pacer } from './pacer.ts';
import { retryLog, finishRetries, isFailing, type CheckState, type Input } from './state.ts';
import type { CheckEntry } from '../config/model.ts';
import { runTarget, runTimeout, type AnyCheckType, type Outcome, type RunContext } from '../checks/types.ts';
import { detailLine } from '../checks/shared/errors.ts';
import { formatIssue, type Issue } from '../config/issues.ts';

/** Why a result came: a run (scheduled, manual, sequence member, CLI), a push heartbeat, or another instance. */
export type RunReason = 'schedule' | 'manual' | 'member' | 'cli' | 'push' | 'remote';

/** An outcome that arrives from outside instead of from a run (a push heartbeat), made from the check's options. */
export type Delivered = (opts: Record<string, unknown>) => Outcome;

/**
 * The abort reason of a run's signal once the run is over (what a check left
 * behind stops on it). One shared Error: a new one per run captured a stack
 * trace for every run, a share of the start burst's garbage (issue 20).
 */
const RUN_FINISHED = new Error('run finished');

/** How long a check may ignore its abort signal (once it fired) before the runner gives up on it. */
export const ABORT_GRACE_MS = 250;

export interface RunMeta {
  reason: RunReason;
  durationMs: number | null;
  /** the outcome when the check actually ran (not paused, not soft-failed) */
  outcome: Outcome | null;
}

export interface RunnerHost {
  clock: Clock;
  log: Logger;
  entry(name: string): CheckEntry | undefined;
  /** the check type for a type name (the registry; tests inject their own) */
  checkType(type: string): AnyCheckType | undefined;
  state(name: string): CheckState;
  issues(name: string): Issue[];
  context(name: string, entry: CheckEntry, signal: AbortSignal, opts: Record<string, unknown>): RunContext;
  /**
   * The engine's one entry (site-runtime.ts): the input goes through the
   * state machine with the check's rules, is committed and announced.
   * Returns the new state (null for a check that no longer exists).
   */
  input(name: string, input: Input, meta: RunMeta): CheckState | null;
  /** a scheduled run started `ms` after its planned (jittered) time, slot wait included (for /metrics) */
  lateness?(name: string, ms: number): void;
}

class Semaphore {
  private active = 0;
  private readonly queue: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    await new Promise<void>((r) => this.queue.push(r));
  }
  release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.active--;
  }
  get running(): number {
    return this.active;
  }
  get waiting(): number {
    return this.queue.length;
  }
}

export class Runner {
  private readonly inflight = new Map<string, Promise<CheckState>>();
  private readonly slots: Semaphore;

  /**
   * `pacer` slices bursts of run endings across event-loop turns (pacer.ts);
   * the default runs everything at once, as tests on a fake clock need.
   */
  constructor(
    private readonly host: RunnerHost,
    concurrency: number,
    private readonly pacer: Pacer = immediatePacer,
  ) {
    this.slots = new Semaphore(concurrency);
  }

  /** Resolves when no run is in flight (each ends by its timeout). */
  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight.values()]);
  }

  isRunning(name: string): boolean {
    return this.inflight.has(name);
  }

  get load(): { running: number; waiting: number; inflight: number } {
    return { running: this.slots.running, waiting: this.slots.waiting, inflight: this.inflight.size };
  }

  /**
   * Runs a check. Resolves with its state afterwards, or null when a
   * scheduled run was skipped because the check was still running.
   */
  run(name: string, reason: RunReason, parentSignal?: AbortSignal, planned?: number): Promise<CheckState | null> {
    const busy = this.inflight.get(name);
    if (busy) {
      if (reason === 'schedule') {
        this.host.log.debug({ check: name }, 'skipped: previous run still in progress');
        return Promise.resolve(null);
      }
      return busy;
    }
    const p = this.execute(name, reason, parentSignal, planned).finally(() => this.settle(name, p));
    this.inflight.set(name, p);
    return p;
  }

  /**
   * An outcome that arrives from outside (a push heartbeat): it takes the
   * check's turn like a run — after the run in flight, and a scheduled run
   * meanwhile is coalesced — passes the same gates (paused, not runnable, a
   * failing dependency) and goes to the engine's one entry.
   */
  deliver(name: string, reason: RunReason, outcome: Delivered): Promise<CheckState> {
    const before = this.inflight.get(name);
    const p: Promise<CheckState> = (async () => {
      if (before) await before.catch(() => undefined);
      try {
        return await this.runOnce(name, reason, undefined, outcome);
      } catch (e) {
        this.host.log.error({ check: name, err: e }, 'a delivered outcome failed inside the engine');
        return this.host.state(name);
      }
    })().finally(() => this.settle(name, p));
    this.inflight.set(name, p);
    return p;
  }

  private settle(name: string, p: Promise<CheckState | null>): void {
    if (this.inflight.get(name) === p) this.inflight.delete(name);
  }

  private async execute(name: string, reason: RunReason, parentSignal?: AbortSignal, planned?: number): Promise<CheckState> {
    const member = reason === 'member';
    if (!member) await this.slots.acquire();
    try {
      if (planned !== undefined) this.host.lateness?.(name, this.host.clock.now() - planned);
      return await this.runOnce(name, reason, parentSignal);
    } catch (e) {
      // a bug in the engine itself must not take the process down
      this.host.log.error({ check: name, err: e }, 'run failed inside the engine');
      return this.host.state(name);
    } finally {
      if (!member) this.slots.release();
    }
  }

  private async runOnce(name: string, reason: RunReason, parentSignal?: AbortSignal, delivered?: Delivered): Promise<CheckState> {
    const { clock } = this.host;
    const entry = this.host.entry(name);
    if (!entry) return this.host.state(name);
    const c = entry.config;
    const type = this.host.checkType(c.type);
    // the engine reads the state when the result arrives: a long run must not overwrite a newer one
    const commit = (input: Input, meta: RunMeta): CheckState => this.host.input(name, input, meta) ?? this.host.state(name);

    if (c.paused) return commit({ kind: 'paused' }, { reason, durationMs: null, outcome: null });

    if (!entry.active || !type || !entry.opts) {
      const errors = this.host.issues(name).filter((i) => i.severity === 'error');
      const log = errors.length ? errors.map((i) => `config error: ${formatIssue(i)}`) : ['config error: the check is not runnable'];
      return commit({ kind: 'result', fail: true, log }, { reason, durationMs: null, outcome: null });
    }

    // spec §3.2 step 3: the first failing dependency makes this run a soft fail
    for (const dep of c.depends) {
      if (isFailing(this.host.state(dep).failState)) {
        return commit({ kind: 'softfail', dependency: dep }, { reason, durationMs: null, outcome: null });
      }
    }

    const retries = delivered ? 0 : type.retries === false ? 1 : c.retries;
    const started = clock.now();
    let outcome: Outcome = delivered ? wellFormed(delivered(entry.opts)) : { fail: true, log: [] };
    let attempt = delivered ? 1 : 0;
    while (attempt < retries) {
      attempt++;
      // attempt() returns an outcome of its own (wellFormed's or a failure's): its log is set in place
      outcome = await this.attempt(name, entry, type, entry.opts, parentSignal);
      outcome.log = retryLog(outcome.log, attempt, retries);
      if (!isFailing(outcome.fail) || outcome.softFail) break;
      if (parentSignal?.aborted) break;
    }
    const log = finishRetries(outcome.log, attempt, isFailing(outcome.fail));
    outcome.log = log;
    const durationMs = clock.now() - started;
    // in a burst of results, wait for a slice of the event loop (pacer.ts)
    const turn = this.pacer.turn();
    if (turn) await turn;
    return commit(
      {
        kind: 'result',
        fail: outcome.fail,
        log,
        level: outcome.level,
        softFail: outcome.softFail ?? null,
        metrics: outcome.metrics,
        warn: outcome.warn === true,
      },
      { reason, durationMs, outcome },
    );
  }

  /** One attempt under the check's timeout. Always resolves with a well-formed Outcome. */
  private async attempt(name: string, entry: CheckEntry, type: AnyCheckType, opts: Record<string, unknown>, parentSignal?: AbortSignal): Promise<Outcome> {
    const { clock } = this.host;
    const seconds = runTimeout(type, opts);
    const controller = new AbortController();
    const subject = runTarget(type, opts, name);
    const timeoutError = (): Error => {
      const e = new Error(`no result within ${seconds} s`);
      e.name = 'TimeoutError';
      return e;
    };
    const onParentAbort = (): void => controller.abort(parentSignal?.reason);
    parentSignal?.addEventListener('abort', onParentAbort, { once: true });

    let abandon: ((o: Outcome) => void) | null = null;
    const abandoned = new Promise<Outcome>((r) => (abandon = r));
    let grace: TimerHandle | null = null;
    // the abort (closing sockets, ending the run) goes through the pacer: a
    // thousand runs timing out together are wound down a slice at a time;
    // the grace period starts once the signal has actually fired
    const timeout =
      seconds === null
        ? null
        : clock.setTimer(
            () =>
              this.pacer.later(() => {
                if (controller.signal.aborted) return;
                controller.abort(timeoutError());
                grace = clock.setTimer(() => abandon?.({ fail: true, log: [detailLine(subject, timeoutError())] }), ABORT_GRACE_MS);
              }),
            seconds * 1000,
          );
    try {
      const ctx = this.host.context(name, entry, controller.signal, opts);
      const running = (async (): Promise<Outcome> => type.run(opts, ctx))().then(
        (o) => wellFormed(o),
        (e: unknown) => ({ fail: true, log: [detailLine(subject, e)] }),
      );
      return await Promise.race([running, abandoned]);
    } catch (e) {
      return { fail: true, log: [detailLine(subject, e)] };
    } finally {
      timeout?.cancel();
      (grace as TimerHandle | null)?.cancel();
      parentSignal?.removeEventListener('abort', onParentAbort);
      if (!controller.signal.aborted) controller.abort(RUN_FINISHED);
    }
  }
}

/** A check that returns something that is not an Outcome fails with a clear line. */
function wellFormed(o: unknown): Outcome {
  const x = o as Partial<Outcome> | null;
  const failOk = x !== null && typeof x === 'object' && (typeof x.fail === 'boolean' || typeof x.fail === 'string');
  const logOk = failOk && Array.isArray(x.log);
  if (!failOk || !logOk) return { fail: true, log: ['internal error: the check returned no valid outcome'] };
  return {
    fail: x.fail!,
    log: x.log!.map((l) => (typeof l === 'string' ? l : String(l))),
    level: typeof x.level === 'string' || x.level === null ? x.level : undefined,
    softFail: typeof x.softFail === 'string' ? x.softFail : null,
    metrics: Array.isArray(x.metrics) ? x.metrics.filter((m) => m && typeof m.name === 'string' && Number.isFinite(m.value)) : undefined,
    warn: x.warn === true,
    ...(x.cert && typeof x.cert === 'object' ? { cert: x.cert } : {}),
    ...(x.nas && typeof x.nas === 'object' ? { nas: x.nas } : {}),
  };
}
