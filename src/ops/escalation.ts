/**
 * Escalation (issue 19, docs/operations.md "Escalation"): while a failure is
 * neither acknowledged nor in maintenance, the steps of its policy notify
 * more people as time passes. Timers follow the reminders' model: a failure
 * episode is identified by its lastFail, timers run on the site clock, and
 * each step done is durable (SQLite), so a restart resumes at the step it
 * had reached. Also the decision of a notification sent later than its
 * transition (a step, the end of a maintenance window), shared with ./ops.ts.
 */
import type { TimerHandle } from '../engine/clock.ts';
import { isFailing, type CheckState } from '../engine/state.ts';
import type { CheckRules, OpsHost } from './host.ts';
import type { OpsStore } from './store.ts';
import { decide, type Decision } from './trace.ts';

/** The decision of notifying a failure again, later than its transition: who of `actions` is notified. */
export function laterFailDecision(host: Pick<OpsHost, 'actionActive'>, now: number, rules: CheckRules, state: CheckState, actions: string[]): Decision {
  return decide({
    t: now,
    event: { to: 'FAIL', from: true, notify: true },
    rules,
    state,
    actions: actions.map((a) => ({ name: a, active: host.actionActive(a) })),
    maintenance: null,
    ack: null,
  });
}

export class Escalation {
  private readonly timers = new Map<string, TimerHandle>();
  private started = false;

  constructor(
    private readonly host: OpsHost,
    private readonly store: OpsStore,
    /** acknowledged, or in maintenance: escalation waits (an ack ends it; a window's end restarts it) */
    private readonly held: (name: string) => boolean,
  ) {}

  /** Arms every check's next step from what SQLite says was done. */
  start(): void {
    this.started = true;
    this.resumeAll();
  }

  stop(): void {
    this.started = false;
    this.cancelAll();
  }

  /** After a config change: the policies may have changed, every timer is re-armed. */
  resumeAll(): void {
    this.cancelAll();
    for (const name of this.host.checks()) this.resume(name);
  }

  /** A failure was announced: its policy's first step is due from now. */
  begin(name: string, s: CheckState): void {
    if (this.steps(name).length === 0) return;
    if (!this.host.readOnly) this.store.putEscalation(name, { episode: s.lastFail ?? -1, base: this.host.clock.now(), step: 0 });
    this.resume(name);
  }

  cancel(name: string): void {
    this.timers.get(name)?.cancel();
    this.timers.delete(name);
  }

  /** (Re)arms the timer of a check's next escalation step from what SQLite says was done. */
  resume(name: string): void {
    this.cancel(name);
    if (!this.started) return;
    const e = this.store.escalation(name);
    const steps = this.steps(name);
    const s = this.host.state(name);
    if (!e || !isFailing(s.failState) || e.episode !== (s.lastFail ?? -1) || e.step >= steps.length) return;
    const due = e.base + steps[e.step].afterMs;
    this.timers.set(
      name,
      this.host.clock.setTimer(() => this.escalate(name, e.step), Math.max(0, due - this.host.clock.now())),
    );
  }

  private cancelAll(): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  private steps(name: string): { afterMs: number; actions: string[] }[] {
    const policy = this.host.rules(name)?.escalation;
    return policy ? (this.host.config().escalation.get(policy) ?? []) : [];
  }

  private escalate(name: string, step: number): void {
    this.timers.delete(name);
    const e = this.store.escalation(name);
    const steps = this.steps(name);
    const rules = this.host.rules(name);
    const s = this.host.state(name);
    if (!e || e.step !== step || !rules?.live || !isFailing(s.failState) || e.episode !== (s.lastFail ?? -1) || step >= steps.length) return;
    if (this.held(name)) return;
    const now = this.host.clock.now();
    const st = steps[step];
    const actions = st.actions.filter((a) => this.host.actionActive(a));
    const d: Decision = { ...laterFailDecision(this.host, now, rules, s, st.actions), kind: 'escalation', escalationStep: step + 1 };
    d.summary = `unacknowledged for ${Math.round((now - e.base) / 60_000)} min: escalation step ${step + 1} ${d.notified.length ? `notified ${d.notified.join(', ')}` : 'had no working action'}`;
    if (this.host.readOnly) return;
    this.store.atomically(() => {
      this.store.putEscalation(name, { ...e, step: step + 1 });
      this.store.addDecision(name, d);
      if (actions.length) this.host.send(name, actions, 'escalation');
    });
    this.host.warn(`${name} escalation step ${step + 1}: ${actions.join(', ') || 'no working action'}`);
    this.resume(name);
  }
}
