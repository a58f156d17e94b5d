/**
 * The zone service (issue 23, docs/ha.md): membership over the site's MQTT
 * broker with plain MQTT 3.1.1 (retained status, last will, QoS 1), so
 * Mosquitto and a NATS cluster's MQTT listener both work. It has its own
 * connection (its own will), next to the federation's, and installs the
 * site's ZoneHook: who runs a check and who notifies.
 */
import { createHash } from 'node:crypto';
import type { IPublishPacket, MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { SiteService } from '../site-service.ts';
import type { LoadedSite, SiteSettings } from '../config/load.ts';
import type { ActionEntry, CheckEntry } from '../config/model.ts';
import type { Clock } from '../engine/clock.ts';
import type { SiteBus } from '../engine/events.ts';
import type { CheckState } from '../engine/state.ts';
import type { Notifier } from '../actions/dispatch.ts';
import type { Notification } from '../actions/types.ts';
import type { TimerHandle } from '../engine/clock.ts';
import { VERSION } from '../version.ts';
import { resolveSettings } from '../federation/options.ts';
import { zoneTopics, type ZoneConfig } from './config.ts';
import { Members, decodeStatus, type MemberView, type NodeStatus } from './members.ts';
import { candidates, ownerOf, type Placement, type ZoneView } from './ownership.ts';
import type { ZoneHook, ZoneNotify } from './hook.ts';
import type { FederationDeps } from '../federation/deps.ts';
import { catchUp, decodeRecord, encodeRecord, possiblyRepeated, sendTransition, withNote, unsureAfterTakeover, type NotifiedRecord } from './notified.ts';
import { isFailing } from '../engine/state.ts';
import { startReplication, type Replication } from './replication.ts';
import { isVantageCheck } from './vantage.ts';
import { zoneClientOptions } from './link.ts';
import { zoneGuard, type ZoneGuard, type ZoneTrust } from './guard.ts';

export interface ZoneServiceOptions {
  /** this node's name (cli: --node, SITEWARD_NODE, host name) */
  node: string;
}

/** What the zone uses of the site (passed in by wiring.ts; never the whole Site). */
export interface ZoneDeps {
  readonly loaded: LoadedSite;
  readonly settings: SiteSettings;
  readonly configPath: string;
  readonly base: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly bus: SiteBus;
  readonly readOnly: boolean;
  readonly notifier: Pick<Notifier, 'queue' | 'hold'>;
  readonly runtime: { notification(name: string, kind: Notification['kind']): Notification };
  entry(name: string): CheckEntry | undefined;
  action(name: string): ActionEntry | undefined;
  state(name: string): CheckState;
  warn(message: string, level?: 'info' | 'warn'): void;
  /** config replication saves a received revision through the site's one mutation path */
  mutate: FederationDeps['mutate'];
  /** state replication feeds the owner's runs in through the remote path */
  applyRemote: FederationDeps['applyRemote'];
}

export class ZoneService implements SiteService, ZoneHook {
  readonly name = 'zone';
  readonly node: string;
  /** the site, from start() while this node is configured for a zone */
  private site: ZoneDeps | null = null;
  /** in a zone: the engine asks this hook (hook()) */
  private joined = false;
  private cfg: ZoneConfig | null = null;
  private client: MqttClient | null = null;
  private table = new Members();
  private startedAt = 0;
  private heartbeat: TimerHandle | null = null;
  private expiry: TimerHandle | null = null;
  private cands: string[] | null = null;
  private lastLive = '';
  private log: Logger | null = null;
  /** the zone's last notified state per check (retained records) */
  private readonly records = new Map<string, NotifiedRecord>();
  /** when this node last heard (or wrote) each check's record, its clock */
  private readonly heardAt = new Map<string, number>();
  /** the movable checks this node owns, and since when (a takeover, after ready; its clock) */
  private readonly ownedSince = new Map<string, number>();
  private ready = false;
  /** config and state replication (replication.ts) */
  private repl: Replication | null = null;
  /** connected and our "up" status is out */
  connected = false;

  /** `deps`: what the zone uses of the site (wiring.ts builds it). */
  constructor(
    o: ZoneServiceOptions,
    private readonly deps: ZoneDeps,
  ) {
    this.node = o.node;
  }

  /** The hook the engine asks (the scheduler, the commit): this service while it is in a zone, else null (everything runs here). */
  hook(): ZoneHook | null {
    return this.joined ? this : null;
  }

  get zone(): string {
    return this.cfg?.name ?? '';
  }

  async start(): Promise<void> {
    const site = this.deps;
    const cfg = site.settings.zone;
    if (!cfg) return;
    this.site = site;
    this.log = site.log.child({ zone: cfg.name, node: this.node });
    if (!site.settings.mqtt || site.settings.mqtt.hostname === '') {
      site.warn(`zone ${cfg.name}: no MQTT broker (the mqtt section) — this node runs every check alone`);
      return;
    }
    this.cfg = cfg;
    this.table = new Members(cfg.misses);
    this.startedAt = site.clock.now();
    this.joined = true;
    const m = resolveSettings(site.settings.mqtt, site);
    if (m.error) {
      site.warn(`zone ${cfg.name}: ${m.error} — this node runs every check alone`);
      return;
    }
    // zone.key: every message of the zone sealed and verified at the client (guard.ts, docs/ha.md "Trust")
    const guard = await zoneGuard(cfg, this.node, {
      base: site.base,
      now: () => site.clock.now(),
      quietMs: cfg.heartbeat * cfg.misses * 1000,
      log: this.log,
      warn: (msg, l) => site.warn(msg, l),
    });
    if ('error' in guard) {
      site.warn(`zone ${cfg.name}: ${guard.error} — this node runs every check alone`);
      return;
    }
    this.guard = guard;
    if (!guard.keyed) site.warn(`zone ${cfg.name}: ${guard.trust().warning ?? ''}`);
    const t = zoneTopics(cfg);
    const lib = await import('mqtt');
    const client = lib.connect(m.url, {
      ...zoneClientOptions(
        m,
        `sz${createHash('sha256').update(`${this.node}\n${site.configPath}`).digest('hex').slice(0, 21)}`,
        Math.max(5, Math.min(60, Math.ceil(cfg.heartbeat * 2))),
      ),
      will: { topic: t.node(this.node), payload: guard.seal(t.node(this.node), this.status('down', 'connection lost')), qos: 1, retain: true },
    });
    guard.wrap(client);
    this.client = client;
    this.repl = startReplication(site, {
      node: this.node,
      log: this.log,
      client: () => this.client,
      topics: t,
      configBytes: cfg.configbytes,
      stateBytes: m.maxPayload,
      owner: (c) => this.owner(c),
    });
    client.on('connect', () => {
      this.log?.info({ server: `${client.options.host ?? m.host}:${client.options.port ?? m.port}` }, 'zone connected');
      client.subscribe([t.nodes, t.notifiedAll, t.config, t.stateAll], { qos: 1 }, (err) => {
        if (err) this.log?.warn({ err: err.message }, 'zone subscribe failed');
        // the retained statuses and records follow the SUBACK; wait a heartbeat more for them
        else
          site.clock.setTimer(() => {
            this.ready = true;
            this.changed();
            this.repl?.onReady();
          }, cfg.heartbeat * 1000);
      });
      this.beat();
    });
    client.on('close', () => {
      if (this.connected) site.warn(`zone ${cfg.name}: connection to ${m.url} lost`);
      this.connected = false;
    });
    client.on('error', (e) => this.log?.warn({ err: e.message }, 'zone connection problem'));
    client.on('message', (topic: string, payload: Buffer, packet: IPublishPacket) => this.onMessage(topic, payload, packet.retain));
    site.bus.on('run', this.onRun);
    this.armExpiry();
  }

  async stop(): Promise<void> {
    this.heartbeat?.cancel();
    this.expiry?.cancel();
    this.heartbeat = this.expiry = null;
    const c = this.client;
    this.client = null;
    this.joined = false;
    this.connected = false; // a clean stop is not a lost connection
    this.site?.bus.off('run', this.onRun);
    await this.repl?.stop();
    this.repl = null;
    if (!c || !this.cfg) return;
    if (c.connected) {
      await c.publishAsync(zoneTopics(this.cfg).node(this.node), this.status('down', 'shutdown'), { qos: 1, retain: true }).catch(() => undefined);
    }
    // with the broker gone, in-flight messages (a notified record) can never be acknowledged: do not wait for them
    await c.endAsync(!c.connected).catch(() => undefined);
  }

  /** the zone's message authentication (guard.ts): null before start, or when the zone key cannot be read */
  guard: ZoneGuard | null = null;

  trust(): ZoneTrust | null {
    return this.guard?.trust() ?? null;
  }

  /** the zone config revision this node runs (config-sync.ts), null before the first */
  get configRevision(): { rev: number; hash: string; node: string } | null {
    return this.repl?.config.revision ?? null;
  }

  // ---- ZoneHook

  runsHere(check: string): boolean {
    const o = this.owner(check);
    if (o === null || o === '*') return true;
    // cold start: nothing movable runs before this node has heard the zone (the
    // retained statuses and records), unless the broker stays silent all grace long
    if (!this.ready && this.cfg && this.site && this.site.clock.now() < this.startedAt + this.cfg.grace * 1000) return false;
    return o === this.node;
  }

  notifies(check: string, failing: boolean): ZoneNotify {
    if (!this.runsHere(check)) return { send: false };
    if (this.owner(check) === '*') return { send: true, note: null }; // a local check: each node notifies its own
    if (isVantageCheck(this.site?.entry(check)?.config.options)) return { send: false }; // decided by quorum: vantage-service.ts notifies
    if (!sendTransition(this.records.get(check), failing)) {
      this.log?.info({ check, failing }, 'zone: transition already notified by the previous owner, not sent again');
      return { send: false };
    }
    const note = this.unsure(check);
    if (note) this.log?.info({ check, failing }, 'zone: sent and marked possibly repeated');
    this.record(check, failing);
    return { send: true, note };
  }

  /**
   * The "possibly repeated" line, or null when this node can be sure: it is
   * unsure while its zone connection is down (the zone hears nothing of it,
   * and other nodes may run its checks), and just after a takeover while its
   * record may be stale (notified.ts unsureAfterTakeover).
   */
  private unsure(check: string): string | null {
    if (!this.site || !this.cfg) return null;
    if (!this.connected) return possiblyRepeated(this.node, true);
    const takeover = unsureAfterTakeover(this.ownedSince.get(check), this.heardAt.get(check), this.site.clock.now(), this.cfg.heartbeat * 1000);
    return takeover ? possiblyRepeated(this.node) : null;
  }

  /** Records (retained, QoS 1) that this state of the check was notified. */
  private record(check: string, failing: boolean): void {
    if (!this.cfg || !this.site) return;
    const rec: NotifiedRecord = { failing, at: this.site.clock.now(), node: this.node };
    this.records.set(check, rec);
    this.heardAt.set(check, rec.at);
    this.client
      ?.publishAsync(zoneTopics(this.cfg).notified(check), encodeRecord(rec), { qos: 1, retain: true })
      .catch((e: unknown) => this.log?.warn({ check, err: (e as Error).message }, 'zone: notified record not sent'));
  }

  /**
   * After a run of an owned check: a notification the zone still owes (the
   * previous owner died before it, or this node's copy of the state was stale).
   */
  private readonly onRun = ({ name }: { name: string }): void => {
    const site = this.site;
    if (!site || !this.ready || this.owner(name) !== this.node) return;
    const e = site.entry(name);
    const st = site.state(name);
    if (!e || e.config.paused || site.readOnly || isVantageCheck(e.config.options)) return;
    const failing = isFailing(st.failState);
    const c = catchUp(this.records.get(name), failing);
    if (!c.send) return;
    const unsure = this.unsure(name) ?? (c.repeated ? possiblyRepeated(this.node) : null);
    this.record(name, failing);
    if (!(failing ? e.config.failAction : e.config.passAction)) return;
    const actions = e.config.actions.filter((a) => site.action(a)?.active);
    if (!actions.length) return;
    const n = site.runtime.notification(name, 'transition');
    const note = unsure ?? `sent by node ${this.node}, which took this check over`;
    site.warn(`zone ${this.zone}: ${name}: ${note}`, 'info');
    const sent = withNote(n, note);
    try {
      site.notifier.queue(actions, sent);
    } catch (e) {
      site.notifier.hold(actions, sent, e); // the store refused it (a full disk): delivered from memory
    }
  };

  owner(check: string): string | null {
    const p = this.placement(check);
    if (!p) return null;
    this.cands ??= candidates(this.view());
    return ownerOf(p, this.view(), this.cands);
  }

  members(): MemberView[] {
    const now = this.site?.clock.now() ?? 0;
    const v = this.table.view(now);
    const own = v.find((x) => x.name === this.node);
    const checks = this.runCount();
    const self: MemberView = { name: this.node, status: 'up', heardAt: now, checks, version: VERSION };
    return own ? v.map((x) => (x.name === this.node ? self : x)) : [...v, self].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The membership as this node sees it now (tests, the API). */
  view(): ZoneView {
    const now = this.site?.clock.now() ?? 0;
    return {
      self: this.node,
      live: this.table.live(now),
      known: this.table.all(),
      inGrace: this.cfg ? now - this.startedAt < this.cfg.grace * 1000 : false,
    };
  }

  // ---- internals

  /** How many checks this node runs: the ones it owns and the local ones (each node its own). */
  private runCount(): number {
    if (!this.site) return 0;
    return [...this.site.loaded.checks.keys()].filter((c) => {
      const o = this.owner(c);
      return o === this.node || o === '*';
    }).length;
  }

  private placement(check: string): Placement | null {
    const e = this.site?.entry(check);
    return e ? { name: check, type: e.config.type, node: e.config.node ?? null } : null;
  }

  private status(state: 'up' | 'down', reason?: string): Buffer {
    const s: NodeStatus = { node: this.node, state, heartbeat: this.cfg?.heartbeat ?? 10, version: VERSION, reason };
    if (state === 'up' && this.site) s.checks = this.runCount();
    if (state === 'up' && this.configRevision) s.config = this.configRevision;
    return Buffer.from(JSON.stringify(s));
  }

  /** Publishes "up" (retained) and re-arms the heartbeat. */
  private beat(): void {
    this.heartbeat?.cancel();
    const c = this.client;
    if (!c || !this.cfg || !this.site) return;
    const cfg = this.cfg;
    this.heartbeat = this.site.clock.setTimer(() => this.beat(), cfg.heartbeat * 1000);
    if (!c.connected) return;
    c.publishAsync(zoneTopics(cfg).node(this.node), this.status('up'), { qos: 1, retain: true }).then(
      () => {
        if (!this.connected) this.site?.warn(`zone ${cfg.name}: node ${this.node} is up`, 'info');
        this.connected = true;
      },
      (e: unknown) => this.log?.warn({ err: (e as Error).message }, 'zone heartbeat not sent'),
    );
  }

  private onMessage(topic: string, payload: Buffer, retained: boolean): void {
    if (!this.cfg || !this.site) return;
    if (this.repl?.onMessage(topic, payload, retained)) return;
    if (topic.includes('/notified/')) {
      let check: string | null = null;
      try {
        check = decodeURIComponent(topic.slice(topic.lastIndexOf('/') + 1));
      } catch {
        // not one of ours
      }
      const rec = payload.length ? decodeRecord(payload) : null;
      if (check !== null && rec) {
        this.records.set(check, rec);
        this.heardAt.set(check, this.site.clock.now());
      } else if (check !== null && payload.length === 0) this.records.delete(check);
      else this.log?.warn({ topic }, 'zone: malformed notified record dropped');
      return;
    }
    const node = topic.slice(topic.lastIndexOf('/') + 1);
    if (payload.length === 0) {
      if (this.table.forget(node)) this.changed();
      return;
    }
    const s = decodeStatus(payload);
    if (!s || s.node !== node) {
      this.log?.warn({ topic, bytes: payload.length }, 'zone: malformed node status dropped');
      return;
    }
    if (s.node === this.node) {
      // our own will from an earlier connection (or a stale retained "down"): say we are up
      if (s.state === 'down' && this.client?.connected) this.beat();
      return;
    }
    // a retained "up" replayed at subscribe time may be old: it counts as heard now, and expires after `misses` heartbeats
    void retained;
    if (this.table.onStatus(s, this.site.clock.now())) this.changed();
    if (s.state === 'up') this.repl?.config.onPeer(s.node, s.config ?? null);
  }

  /** Membership may have changed: forget the cached candidates, log, and re-arm the expiry timer. */
  private changed(): void {
    this.cands = null;
    this.noteTakeovers();
    const live = this.table.live(this.site!.clock.now()).join(',');
    if (live !== this.lastLive) {
      this.log?.info({ live }, 'zone membership');
      this.lastLive = live;
    }
    this.armExpiry();
  }

  /** Once ready: the movable checks that became this node's (a membership change, or its start) are taken over now. */
  private noteTakeovers(): void {
    if (!this.ready || !this.site) return;
    const now = this.site.clock.now();
    for (const c of this.site.loaded.checks.keys()) {
      if (this.owner(c) !== this.node) this.ownedSince.delete(c);
      else if (!this.ownedSince.has(c)) this.ownedSince.set(c, now);
    }
  }

  private armExpiry(): void {
    this.expiry?.cancel();
    this.expiry = null;
    if (!this.site || !this.cfg) return;
    const now = this.site.clock.now();
    const graceEnd = this.startedAt + this.cfg.grace * 1000;
    const next = [this.table.nextExpiry(now), graceEnd > now ? graceEnd + 1 : null].filter((x): x is number => x !== null);
    if (next.length === 0) return;
    this.expiry = this.site.clock.setTimer(() => this.changed(), Math.max(0, Math.min(...next) - now));
  }
}
