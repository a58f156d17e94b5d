/**
 * Receiving (spec §7.4, §4.14): every message on `basetopic` or on the status
 * topics goes through `handle()`, one at a time. Whatever the payload, the
 * message ends applied, ignored or rejected — counted, and a rejection logged
 * once with its reason — and the next message is handled (fletchck's MQTT
 * thread could die on one bad payload, spec §7.4 [bug]).
 */
import type { Logger } from 'pino';
import type { FederationDeps } from './deps.ts';
import type { TimerHandle } from '../engine/clock.ts';
import { putCheck, type Doc } from '../config/edits.ts';
import { nameProblem } from '../config/names.ts';
import { decodeMessage, type RemoteMessage } from './payload.ts';
import { decodeStatus, InstanceTable, offlineLine } from './liveness.ts';
import { failRemote, type StaleWatch } from './staleness.ts';
import type { Resolved } from './options.ts';
import type { FederationStats, RejectCode } from './stats.ts';
import { isObject } from '../util/guard.ts';

export interface ReceiverHost {
  site: FederationDeps;
  log: Logger;
  settings(): Resolved;
  stats: FederationStats;
  stale: StaleWatch;
}

export class Receiver {
  /** local check name → the topic its last remote message came from (spec §7.4 step 3, §7.5) */
  readonly remoteTopics = new Map<string, string>();
  readonly instances = new InstanceTable();
  /** remoteId → local name (spec §7.4 step 2) */
  private remoteIds = new Map<string, string>();
  /** offline statuses waiting out the grace period, by instance */
  private readonly pending = new Map<string, TimerHandle>();

  constructor(private readonly h: ReceiverHost) {
    this.refresh();
  }

  /** Re-reads the remoteId mapping from the config. */
  refresh(): void {
    const m = new Map<string, string>();
    for (const e of this.h.site.loaded.checks.values()) {
      if (e.config.remoteId) m.set(e.config.remoteId, e.config.name);
    }
    this.remoteIds = m;
  }

  /** The local name a remote name maps to. */
  localName(remoteName: string): string {
    return this.remoteIds.get(remoteName) ?? remoteName;
  }

  rename(from: string, to: string): void {
    const t = this.remoteTopics.get(from);
    this.remoteTopics.delete(from);
    if (t !== undefined) this.remoteTopics.set(to, t);
    this.instances.rename(from, to);
  }

  forget(name: string): void {
    this.remoteTopics.delete(name);
    this.instances.forget(name);
  }

  /**
   * Our own connection dropped. A broker that goes down publishes the will
   * of every client it had (Mosquitto does), so an offline status that
   * arrived just before says nothing about that instance: drop it.
   */
  connectionLost(): void {
    for (const t of this.pending.values()) t.cancel();
    this.pending.clear();
  }

  stop(): void {
    this.connectionLost();
  }

  /** Instances whose offline status is waiting out the grace period (for tests and the UI). */
  pendingOffline(): string[] {
    return [...this.pending.keys()];
  }

  /**
   * Handles one message. `retained`: the broker delivered a stored message
   * (at subscribe time), not a live one. Never throws, never rejects. Returns
   * a promise only when the message needs a config save first (autoadd, a new
   * subType): the common case allocates no promise (docs/performance.md).
   */
  handle(topic: string, payload: Buffer, retained: boolean): Promise<void> | undefined {
    this.h.stats.received++;
    try {
      const cfg = this.h.settings();
      if (cfg.statusPrefix && topic.startsWith(`${cfg.statusPrefix}/`)) {
        this.status(cfg, topic, payload);
        return undefined;
      }
      return this.check(cfg, topic, payload, retained)?.catch((e: unknown) => this.failed(topic, e));
    } catch (e) {
      this.failed(topic, e);
      return undefined;
    }
  }

  /** A bug in handling must cost one message, never the receiver. */
  private failed(topic: string, e: unknown): void {
    this.reject(topic, 'invalid-data', `internal error: ${(e as Error).message}`);
  }

  private check(cfg: Resolved, topic: string, payload: Buffer, retained: boolean): Promise<void> | undefined {
    const { site, stats } = this.h;
    // an empty retained payload is how a deleted check's state is cleared (spec §7.5)
    if (payload.byteLength === 0) {
      stats.ignored.cleared++;
      return undefined;
    }
    const m = decodeMessage(payload, { maxBytes: cfg.maxPayload });
    if (!m.ok) {
      if (m.name !== undefined) this.remoteTopics.set(this.localName(m.name), topic);
      this.reject(topic, m.reason, m.detail, m.name);
      return undefined;
    }
    if (m.instance !== null && m.instance === cfg.instance) {
      // our own publish echoed by a basetopic that covers it
      stats.ignored.own++;
      return undefined;
    }
    const name = this.localName(m.name);
    // the kept topic stays when it is the same: each message's own copy then dies young instead of living until the check's next message
    if (this.remoteTopics.get(name) !== topic) this.remoteTopics.set(name, topic);
    const e = site.entry(name);
    if (!e) {
      if (!cfg.autoadd) {
        this.reject(topic, 'unknown-check', `no check named ${JSON.stringify(name)} and autoadd is off`, m.name);
        return undefined;
      }
      return this.added(name, topic, m, retained);
    }
    if (e.config.type !== 'remote') {
      this.reject(topic, 'not-remote', `local check ${JSON.stringify(name)} is a ${e.config.type} check, not remote`, m.name);
      return undefined;
    }
    if (e.config.subType !== m.type) return this.setSubType(name, m.type).then(() => this.apply(name, m, retained));
    this.apply(name, m, retained);
    return undefined;
  }

  /** spec §7.4 step 5: an unknown check is added, then the message applied. */
  private async added(name: string, topic: string, m: RemoteMessage, retained: boolean): Promise<void> {
    const problem = await this.autoadd(name, m.type);
    const e = this.h.site.entry(name);
    if (problem || !e) {
      this.reject(topic, 'autoadd-failed', `could not add remote check ${JSON.stringify(name)}: ${problem ?? 'not added'}`, m.name);
      return;
    }
    this.h.stats.autoadded++;
    this.h.site.warn(`Added remote check ${name} (remote.${m.type}) from ${topic}`);
    if (e.config.type !== 'remote') {
      this.reject(topic, 'not-remote', `local check ${JSON.stringify(name)} is a ${e.config.type} check, not remote`, m.name);
      return;
    }
    if (e.config.subType !== m.type) await this.setSubType(name, m.type);
    this.apply(name, m, retained);
  }

  /** The message goes through the engine's one entry (applyRemote: state machine, commit, bus). */
  private apply(name: string, m: RemoteMessage, retained: boolean): void {
    const { site, stats } = this.h;
    site.applyRemote(name, m.data);
    stats.applied++;
    this.instances.setOwner(name, m.instance);
    this.h.stale.heard(name);
    if (m.instance === null) return;
    if (!retained) {
      // a live message proves its sender is up, whatever its last status said
      this.cancelOffline(m.instance);
      this.instances.setState(m.instance, 'online');
    } else {
      // a stored state of an instance known to be gone is not news that it is fine
      const why = this.instances.offlineReason(m.instance);
      if (why !== null && failRemote(site, name, offlineLine(m.instance, why))) stats.offline++;
    }
  }

  private status(cfg: Resolved, topic: string, payload: Buffer): void {
    const { site, stats } = this.h;
    const s = decodeStatus(cfg.statusPrefix!, topic, payload);
    if (s.kind === 'invalid') {
      this.reject(topic, 'status-invalid', s.detail);
      return;
    }
    if (s.instance === cfg.instance) {
      stats.ignored.own++;
      return;
    }
    stats.statuses++;
    this.cancelOffline(s.instance);
    if (s.kind === 'cleared') {
      this.instances.setState(s.instance, 'unknown');
      return;
    }
    if (s.state === 'online') {
      this.instances.setState(s.instance, 'online');
      return;
    }
    const grace = cfg.offlineGraceMs;
    if (grace <= 0) {
      this.goOffline(s.instance, s.reason);
      return;
    }
    this.pending.set(
      s.instance,
      site.clock.setTimer(() => {
        this.pending.delete(s.instance);
        this.goOffline(s.instance, s.reason);
      }, grace),
    );
  }

  private cancelOffline(instance: string): void {
    this.pending.get(instance)?.cancel();
    this.pending.delete(instance);
  }

  /** The instance is gone: every remote check it owns fails now. */
  private goOffline(instance: string, reason: string | null): void {
    const checks = this.instances.setState(instance, 'offline', reason);
    this.h.log.info({ instance, reason, checks: checks.length }, 'MQTT instance offline');
    for (const name of checks) {
      if (failRemote(this.h.site, name, offlineLine(instance, reason))) this.h.stats.offline++;
    }
  }

  private reject(topic: string, reason: RejectCode, detail: string, name?: string): void {
    const { stats } = this.h;
    stats.rejected[reason] = (stats.rejected[reason] ?? 0) + 1;
    stats.rejectedTotal++;
    this.h.log.warn({ topic, reason, name, detail }, `Ignored MQTT message: ${detail}`);
  }

  /** spec §7.4 step 5: a remote check with no trigger and no actions, saved at once. */
  private async autoadd(name: string, type: string): Promise<string | null> {
    // the name rule of the site file: a name it refuses is never added
    const bad = nameProblem(name);
    if (bad) return bad;
    const r = await this.h.site.mutate((doc: Doc) => {
      const checks = isObject(doc.checks) ? doc.checks : {};
      if (name in checks) return doc;
      return putCheck(doc, name, { type: 'remote', subType: type, trigger: null, remoteId: null, actions: [] });
    });
    return r.ok ? null : r.issues.map((i) => i.message).join('; ') || 'refused';
  }

  /** spec §4.14: subType = the payload's type (kept in the site file). */
  private async setSubType(name: string, type: string): Promise<void> {
    const r = await this.h.site.mutate((doc: Doc) => {
      const raw = isObject(doc.checks) ? doc.checks[name] : undefined;
      return isObject(raw) ? putCheck(doc, name, { ...raw, subType: type }) : doc;
    });
    if (!r.ok) this.h.log.warn({ check: name, issues: r.issues }, 'could not record the remote type');
  }
}
