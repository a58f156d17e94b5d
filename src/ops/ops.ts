/**
 * Operations at run time (issue 19, docs/operations.md): maintenance windows,
 * acknowledgements, escalation and the decision trace. The engine asks two
 * things of it — `gate()` for each committed step (who is notified, and why
 * not) and `quiet()` for reminders — and tells it nothing else; everything it
 * needs comes through the narrow OpsHost (./host.ts). Escalation's timers
 * are ./escalation.ts.
 *
 * Timers follow the reminders' model (src/actions/outbox/reminders.ts): a
 * failure episode is identified by its lastFail, timers run on the site
 * clock, and what was done is durable (SQLite), so a restart resumes at the
 * step it had reached.
 */
import type { TimerHandle } from '../engine/clock.ts';
import { isFailing, type CheckState, type StateEvent } from '../engine/state.ts';
import { activeAt, covers, endedSince, nextChangeOf, occurrenceAt, type MaintenanceWindow } from './maintenance.ts';
import { OpsStore, type Ack } from './store.ts';
import { decide, type Decision } from './trace.ts';
import { Escalation, laterFailDecision } from './escalation.ts';
import type { OpsHost } from './host.ts';
import type { AckLinks } from './ack-link.ts';

export interface MaintenanceNow {
  window: string;
  start: number;
  end: number;
  reason: string | null;
  by: string | null;
}

export class Ops {
  readonly store: OpsStore;
  private readonly escalation: Escalation;
  private windowTimer: TimerHandle | null = null;
  private pruneTimer: TimerHandle | null = null;
  /** window occurrences active at the last look: name → the window */
  private active = new Map<string, MaintenanceWindow>();
  private started = false;

  constructor(
    private readonly host: OpsHost,
    store: OpsStore,
    /** signed one-click acknowledgement links (./ack-link.ts); null: none */
    readonly links: AckLinks | null = null,
  ) {
    this.store = store;
    this.escalation = new Escalation(host, store, (name) => this.quiet(name));
  }

  // ---- queries

  /** The maintenance window covering a check now, or null. */
  maintenance(name: string, now = this.host.clock.now()): MaintenanceNow | null {
    const windows = this.host.config().maintenance;
    // no window, nothing to match: the check's facts (tags, sequences, owner) are not built for every transition
    if (windows.length === 0) return null;
    const facts = this.host.facts(name);
    if (!facts) return null;
    for (const w of windows) {
      if (!covers(w, facts)) continue;
      const o = occurrenceAt(w, now);
      if (o) return { window: w.name, start: o.start, end: o.end, reason: w.reason, by: w.by };
    }
    return null;
  }

  /** Every window covering a check now. */
  covering(name: string, now = this.host.clock.now()): MaintenanceWindow[] {
    const facts = this.host.facts(name);
    return facts ? this.host.config().maintenance.filter((w) => covers(w, facts) && occurrenceAt(w, now)) : [];
  }

  /** The acknowledgement of the check's current failure, or null. */
  ack(name: string): Ack | null {
    const a = this.store.ack(name);
    const s = this.host.state(name);
    return a && isFailing(s.failState) && a.episode === (s.lastFail ?? -1) ? a : null;
  }

  /** Reminders and escalation keep quiet: the failure is acknowledged or the check is in maintenance. */
  quiet(name: string): boolean {
    return this.ack(name) !== null || this.maintenance(name) !== null;
  }

  decisions(name: string, limit?: number): Decision[] {
    return this.store.decisions(name, limit);
  }

  // ---- the engine's hook

  /**
   * Decides the notifications of one committed step: events lose `notify`
   * in maintenance; returns the actions to notify and a decision per event.
   */
  gate(name: string, events: StateEvent[], state: CheckState, now = this.host.clock.now()): { events: StateEvent[]; actions: string[]; decisions: Decision[] } {
    if (events.length === 0) return { events, actions: [], decisions: [] };
    const rules = this.host.rules(name);
    if (!rules) return { events, actions: [], decisions: [] };
    const m = this.maintenance(name, now);
    const ack = this.store.ack(name);
    const actions = rules.actions.map((a) => ({ name: a, active: this.host.actionActive(a), warn: this.host.actionWarns?.(a) ?? false }));
    const decisions: Decision[] = [];
    const out: StateEvent[] = [];
    let notify: string[] = [];
    for (const e of events) {
      const d = decide({
        t: now,
        event: e,
        rules,
        state,
        actions,
        maintenance: m?.window ?? null,
        ack: ack && ack.episode === (state.lastFail ?? -1) ? { by: ack.by, at: ack.at, comment: ack.comment } : null,
      });
      decisions.push(d);
      // `notify` stays what the rules say (the transitions table); maintenance overrides it
      out.push(m ? { ...e, notify: false, maintenance: m.window } : e);
      if (d.notified.length) notify = d.notified;
    }
    return { events: out, actions: notify, decisions };
  }

  /** The commit's transaction was rolled back: what committed() cleared may be back. */
  rolledBack(): void {
    this.store.reload();
  }

  /** Inside the commit's transaction: keeps the decisions, ends acks on recovery, starts escalation on an announced FAIL. */
  committed(name: string, events: StateEvent[], state: CheckState, decisions: Decision[]): void {
    for (const d of decisions) this.store.addDecision(name, d);
    // the live state, not the job's: with group commit (site-runtime.ts) a job is
    // written a turn later, and an ack made meanwhile belongs to the newer failure
    const live = this.host.state(name);
    if (!isFailing(live.failState)) {
      if (this.store.ack(name)) this.store.clearAck(name);
      this.store.clearEscalation(name);
      this.escalation.cancel(name);
      return;
    }
    const announced = events.some((e) => e.to === 'FAIL' && e.notify);
    if (announced && state.lastFail === live.lastFail) this.escalation.begin(name, live);
  }

  // ---- acknowledgement

  acknowledge(name: string, by: string, comment: string): { ok: true; ack: Ack } | { ok: false; error: string } {
    const s = this.host.state(name);
    if (!this.host.rules(name)) return { ok: false, error: `no check named ${JSON.stringify(name)}` };
    if (!isFailing(s.failState)) return { ok: false, error: `${name} is not failing: there is nothing to acknowledge` };
    const ack: Ack = { episode: s.lastFail ?? -1, by, at: this.host.clock.now(), comment };
    if (!this.host.readOnly) this.store.putAck(name, ack);
    this.escalation.cancel(name);
    this.host.warn(`${name} acknowledged ${by.startsWith('via ') ? by : `by ${by}`}${comment ? `: ${comment}` : ''}`, 'info');
    this.host.quietChanged(name);
    return { ok: true, ack };
  }

  /** Whether a check exists and fails, and since when (one-click links, ./ack-by-link.ts); null: no such check. */
  failure(name: string): { failing: boolean; lastFail: number | null } | null {
    if (!this.host.rules(name)) return null;
    const s = this.host.state(name);
    return { failing: isFailing(s.failState), lastFail: s.lastFail };
  }

  // ---- lifecycle

  start(): void {
    this.started = true;
    const now = this.host.clock.now();
    this.endedWhileDown(now);
    this.active = this.activeWindows(now);
    for (const w of this.active.values()) this.remember(w, now);
    this.scheduleWindows();
    this.escalation.start();
    this.prune(60_000);
  }

  stop(): void {
    this.started = false;
    this.pruneTimer?.cancel();
    this.windowTimer?.cancel();
    this.windowTimer = null;
    this.escalation.stop();
  }

  /** After a config change: windows may have been added, ended or removed; policies changed. */
  configChanged(renamed: [string, string][], removed: string[]): void {
    if (!this.host.readOnly) {
      for (const [from, to] of renamed) this.store.rename(from, to);
      for (const n of removed) this.store.remove(n);
    }
    if (!this.started) return;
    this.windowsChanged();
    this.escalation.resumeAll();
  }

  private prune(delayMs: number): void {
    this.pruneTimer = this.host.clock.setTimer(() => {
      if (!this.host.readOnly && this.store.db.open) this.store.prune(this.host.clock.now() - this.host.keepDays() * 86_400_000);
      this.prune(3_600_000);
    }, delayMs);
  }

  // ---- maintenance windows

  private activeWindows(now: number): Map<string, MaintenanceWindow> {
    return activeAt(this.host.config().maintenance, now);
  }

  private scheduleWindows(): void {
    this.windowTimer?.cancel();
    const now = this.host.clock.now();
    const next = nextChangeOf(this.host.config().maintenance, now);
    this.windowTimer = next === null ? null : this.host.clock.setTimer(() => this.windowsChanged(), Math.max(0, next - now));
  }

  private windowsChanged(): void {
    const now = this.host.clock.now();
    const before = this.active;
    const after = this.activeWindows(now);
    this.active = after;
    const touched = new Set<string>();
    const ended: MaintenanceWindow[] = [];
    // by name: a config change makes new window objects, and a window still active is not over
    for (const [n, w] of before) if (!after.has(n)) ended.push(w);
    for (const [n, w] of after) if (!before.has(n)) this.eachCovered(w, (c) => touched.add(c));
    for (const w of ended) {
      this.host.warn(`Maintenance "${w.name}" ended`, 'info');
      this.windowEnded(w, (c) => touched.add(c));
    }
    for (const [n, w] of after)
      if (!before.has(n)) {
        this.remember(w, now);
        this.host.warn(`Maintenance "${n}" started${w.reason ? `: ${w.reason}` : ''}`, 'info');
      }
    for (const c of touched) this.host.quietChanged(c);
    this.scheduleWindows();
  }

  /** The end of a window's occurrence: checks still failing notify once (notifyAtEnd); its record goes in the same transaction. */
  private windowEnded(w: MaintenanceWindow | undefined, touched: (check: string) => void, name = w?.name ?? ''): void {
    const run = (): void => {
      if (!this.host.readOnly) this.store.clearWindow(name);
      if (!w) return; // removed from the config meanwhile: nothing to cover
      this.eachCovered(w, (c) => {
        touched(c);
        if (w.notifyAtEnd) this.stillFailing(c, w);
        else this.escalation.resume(c);
      });
    };
    if (this.host.readOnly) run();
    else this.store.atomically(run);
  }

  /** Keeps an active occurrence in SQLite, so that its end is handled even when siteward is down then. */
  private remember(w: MaintenanceWindow, now: number): void {
    const o = occurrenceAt(w, now);
    if (o && !this.host.readOnly) this.store.putWindow({ name: w.name, start: o.start, end: o.end });
  }

  /**
   * At start: occurrences seen active before a stop that have ended since
   * (siteward was down at their end) are handled now, once — the record
   * goes with the notification, so a second restart does not repeat it.
   */
  private endedWhileDown(now: number): void {
    if (this.host.readOnly) return;
    for (const { name, window } of endedSince(this.store.openWindows(), this.host.config().maintenance, now)) {
      if (window) this.host.warn(`Maintenance "${name}" ended while siteward was not running`, 'info');
      this.windowEnded(window, (c) => this.host.quietChanged(c), name);
    }
  }

  private eachCovered(w: MaintenanceWindow, fn: (check: string) => void): void {
    for (const name of this.host.checks()) {
      const f = this.host.facts(name);
      if (f && covers(w, f)) fn(name);
    }
  }

  /** The end of a window: a check still failing (and in no other window) notifies once. */
  private stillFailing(name: string, w: MaintenanceWindow): void {
    const rules = this.host.rules(name);
    const s = this.host.state(name);
    if (!rules?.live || !isFailing(s.failState) || s.silent || !rules.failAction || this.maintenance(name) !== null || this.ack(name)) return;
    const now = this.host.clock.now();
    const actions = rules.actions.filter((a) => this.host.actionActive(a));
    const d: Decision = { ...laterFailDecision(this.host, now, rules, s, rules.actions), kind: 'maintenance-end', from: 'maintenance' };
    d.summary = `still failing when maintenance "${w.name}" ended: ${d.notified.length ? `notified ${d.notified.join(', ')}` : 'nobody to notify'}`;
    if (this.host.readOnly) return;
    this.store.atomically(() => {
      this.store.addDecision(name, d);
      if (actions.length) this.host.send(name, actions, 'transition');
      this.escalation.begin(name, s);
    });
  }
}
