/**
 * State replication (issue 23, docs/ha.md "State"): the node that ran a
 * check publishes its state — PASS/FAIL/WARN, level, last run, the log tail —
 * retained at `<prefix>/<zone>/state/<check>`, in the federation's wire
 * format (federation/payload.ts). Every other node feeds it to its engine
 * through the one entry (SiteRuntime.input, the remote path), so its UI and
 * API show the whole zone. It does not notify there: only the owner notifies
 * (hook.ts). Local checks (disk, memory, …: every node its own) are not
 * shared. A state older than what the node has is ignored, so a late or
 * replayed message never moves a check back.
 */
import type { Logger } from 'pino';
import type { CheckState, RemoteData } from '../engine/state.ts';
import { decodeMessage, encodePayload } from '../federation/payload.ts';

/** What state replication needs from the site: no more. */
export interface StateHost {
  readonly node: string;
  readonly log: Logger;
  /** the check's owner (hook.ts): a node, `"*"` for a local check, null for no such check */
  owner(check: string): string | null;
  /** type, threshold and time zone of a configured check */
  check(name: string): { type: string; threshold: number; zone: string | null } | null;
  state(name: string): CheckState;
  /** the engine's one entry, remote path (no notification outside the owner) */
  input(name: string, data: RemoteData): void;
  publish(check: string, payload: Buffer | null): void;
  maxBytes: number;
}

export class StateSync {
  constructor(private readonly h: StateHost) {}

  /** A run committed here (not a received state): the zone hears it. */
  onRun(name: string, reason: string, state: CheckState): void {
    if (reason === 'remote') return;
    const owner = this.h.owner(name);
    const c = this.h.check(name);
    if (owner === null || owner === '*' || !c) return;
    const payload = encodePayload({ name, type: c.type, threshold: c.threshold, state, zone: c.zone, instance: this.h.node });
    if (payload.length > this.h.maxBytes) {
      this.h.log.warn({ check: name, bytes: payload.length }, 'zone: check state larger than mqtt.maxpayload, not shared');
      return;
    }
    this.h.publish(name, payload);
  }

  /** Checks removed from the config: their retained states are cleared. */
  onRemoved(names: string[]): void {
    for (const n of names) this.h.publish(n, null);
  }

  onMessage(check: string, payload: Buffer): void {
    if (payload.length === 0) return; // cleared
    const c = this.h.check(check);
    const d = decodeMessage(payload, { maxBytes: this.h.maxBytes, zone: c?.zone ?? null });
    if (!d.ok) {
      this.h.log.warn({ check, reason: d.reason, detail: d.detail }, 'zone: malformed check state dropped');
      return;
    }
    // our own, echoed; a check this node does not have (yet); a local check (each node its own)
    if (d.instance === this.h.node || d.name !== check || !c || this.h.owner(check) === '*') return;
    const mine = this.h.state(check).lastCheck;
    if (d.data.lastCheck === null || (mine !== null && d.data.lastCheck <= mine)) return;
    this.h.input(check, d.data);
  }
}
