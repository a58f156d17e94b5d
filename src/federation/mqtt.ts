/**
 * MQTT federation as a site service (spec §7, docs/federation.md): the client
 * lifecycle (connect, back-off, subscribe, birth and will), publishing each
 * check's state after every scheduled or manual run (spec §3.5), the bounded
 * queue for outages, retained-state housekeeping on delete (spec §7.5) and
 * live reconfiguration (spec §7.6). Receiving is in receiver.ts.
 */
import type { IConnackPacket, MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { FederationDeps } from './deps.ts';
import type { SiteService } from '../site-service.ts';
import type { SiteEvents } from '../engine/events.ts';
import { VERSION } from '../version.ts';
import { topicProblem } from '../config/names.ts';
import { encodePayload } from './payload.ts';
import { encodeStatus, statusTopic } from './liveness.ts';
import { OutboundQueue, type Outgoing } from './queue.ts';
import { connectionKey, resolveSettings, type Resolved } from './options.ts';
import { Receiver } from './receiver.ts';
import { batchAcks } from './acks.ts';
import { closeClient, within, STOP_GRACE_MS } from './close.ts';
import { StaleWatch } from './staleness.ts';
import { housekeeping, publishTopics } from './housekeeping.ts';
import { emptyStats, type FederationStats } from './stats.ts';
import { leanClient, loadMqtt, type MqttLib } from './mqtt-lib.ts';

/** Reconnect back-off (fletchck: 2 s doubling to 16 s). */
export const BACKOFF_MIN_MS = 1000;
export const BACKOFF_MAX_MS = 16_000;

type RunEvent = SiteEvents['run'][0];
type ConfigEvent = SiteEvents['config'][0];

/**
 * MQTT 5 CONNECT properties. A persistent session (`persist`, clean false)
 * needs a Session Expiry Interval: without one it ends with the connection
 * (MQTT 5 §3.1.2.11.2) and a backlog is lost; 0xFFFFFFFF never expires, as a
 * 3.1.1 session. Receive Maximum (§3.1.2.11.3) is how many QoS 1 messages the
 * broker may send before their PUBACKs (absent: 65,535; Mosquitto's
 * `max_inflight_messages`, 20 by default, applies to 3.1.1 clients only):
 * enough for a backlog to arrive in large turns, few enough to bound the
 * memory it takes (docs/performance.md "Transitions at line rate, MQTT 5").
 */
export const RECEIVE_MAXIMUM = 100;
export function connectProperties(cfg: Pick<Resolved, 'protocolVersion' | 'clean'>): { sessionExpiryInterval?: number; receiveMaximum: number } | undefined {
  if (cfg.protocolVersion !== 5) return undefined;
  return cfg.clean ? { receiveMaximum: RECEIVE_MAXIMUM } : { sessionExpiryInterval: 0xffffffff, receiveMaximum: RECEIVE_MAXIMUM };
}

/** What the web UI and /metrics read of the federation (wiring.ts hands it to them). */
export type FederationView = Pick<
  MqttFederation,
  'isRunning' | 'connected' | 'instance' | 'snapshot' | 'brokerUrl' | 'problem' | 'remoteInfo' | 'staleDeadline'
>;

export class MqttFederation implements SiteService {
  readonly name = 'mqtt';
  /** live counters; read them with snapshot() */
  private readonly stats: FederationStats = emptyStats();
  private readonly log: Logger;
  private cfg: Resolved | null = null;
  private key: string | null = null;
  private client: MqttClient | null = null;
  /** mqtt.js, once a broker is configured */
  private lib: MqttLib | null = null;
  private readonly queue = new OutboundQueue(1000);
  private readonly receiver: Receiver;
  private readonly stale: StaleWatch;
  /** check name → publish topic, as of the last config (a deleted check's topic is needed after it is gone) */
  private publishTopics = new Map<string, string>();
  private configChain: Promise<void> = Promise.resolve();
  private lastError: string | null = null;
  private lastErrorAt: number | null = null;
  private badTopics = new Set<string>();
  private running = false;
  /** connected and the outage queue drained: new messages may go straight out */
  private ready = false;

  /** `site`: what the federation uses of the site (wiring.ts builds it; never the whole Site). */
  constructor(private readonly site: FederationDeps) {
    this.log = site.log.child({ service: 'mqtt' });
    this.stale = new StaleWatch(site);
    this.receiver = new Receiver({ site, log: this.log, settings: () => this.cfg!, stats: this.stats, stale: this.stale });
  }

  async start(): Promise<void> {
    const site = this.site;
    this.receiver.refresh();
    this.publishTopics = publishTopics(site.loaded);
    this.running = true;
    site.bus.on('run', this.onRun);
    site.bus.on('config', this.onConfig);
    this.stale.start();
    await this.reconfigure();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.site.bus.off('run', this.onRun);
    this.site.bus.off('config', this.onConfig);
    await this.configChain;
    this.stale.stop();
    this.receiver.stop();
    const c = this.client;
    this.client = null;
    if (c && this.cfg) await this.disconnect(c, this.cfg, 'offline', 'shutdown');
  }

  /** True between start() and stop(): the service runs in this process. */
  get isRunning(): boolean {
    return this.running;
  }

  /** True while connected to the broker. */
  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** The instance name this site announces (null when MQTT is off). */
  get instance(): string | null {
    return this.cfg?.instance ?? null;
  }

  /** A copy of the counters. */
  snapshot(): FederationStats {
    return structuredClone({ ...this.stats, connected: this.connected, queued: this.queue.size, dropped: this.queue.dropped, stale: this.stale.expired });
  }

  /** The broker URL in use (no credentials), or null when MQTT is off or never connects. */
  get brokerUrl(): string | null {
    return this.cfg?.enabled ? this.cfg.url : null;
  }

  /** The last connection problem (cleared by a successful connect) or the settings' error, for the UI. */
  get problem(): { message: string; at: number | null } | null {
    if (this.cfg?.error) return { message: `not started: ${this.cfg.error}`, at: null };
    return this.lastError === null ? null : { message: this.lastError, at: this.lastErrorAt };
  }

  /** Where a remote check's updates come from, for the UI: the sender instance (if it says), its offline reason, the topic. */
  remoteInfo(name: string): { instance: string | null; offline: string | null; topic: string | null } {
    const instance = this.receiver.instances.ownerOf(name);
    return {
      instance,
      offline: instance === null ? null : this.receiver.instances.offlineReason(instance),
      topic: this.receiver.remoteTopics.get(name) ?? null,
    };
  }

  /** The local time a remote check will fail for silence, or null (for the UI and tests). */
  staleDeadline(name: string): number | null {
    return this.stale.deadline(name);
  }

  // ---- publishing

  private readonly onRun = (ev: RunEvent): void => {
    // spec §3.5: after every scheduled or manual run (a push heartbeat counts as one); never for a sequence's members
    if (ev.reason !== 'schedule' && ev.reason !== 'manual' && ev.reason !== 'push') return;
    this.publishState(ev.name);
  };

  private publishState(name: string): void {
    const cfg = this.cfg;
    const e = this.site.entry(name);
    const topic = e?.config.publish;
    if (!cfg || !cfg.enabled || !e || !topic) return;
    const payload = encodePayload({
      name,
      type: e.config.type,
      threshold: e.config.threshold,
      state: this.site.state(name),
      zone: e.zone,
      instance: cfg.statusPrefix ? cfg.instance : null,
    });
    this.send({ topic, payload, qos: cfg.qos, retain: cfg.retain });
  }

  private send(m: Outgoing): void {
    const bad = topicProblem(m.topic);
    if (bad !== null) {
      this.stats.publishErrors++;
      if (!this.badTopics.has(m.topic)) {
        this.badTopics.add(m.topic);
        this.site.warn(`MQTT: cannot publish to ${JSON.stringify(m.topic)}: ${bad}`);
      }
      return;
    }
    const c = this.client;
    if (!c || !c.connected || !this.ready) {
      // keep the order: nothing overtakes what waits from the outage
      this.queue.push(m);
      return;
    }
    c.publish(m.topic, m.payload, { qos: m.qos, retain: m.retain }, (err) => {
      if (err) {
        this.stats.publishErrors++;
        this.log.warn({ topic: m.topic, err: err.message }, 'MQTT publish failed');
      } else {
        this.stats.published++;
      }
    });
  }

  // ---- configuration

  private readonly onConfig = (ev: ConfigEvent): void => {
    this.configChain = this.configChain.then(() => this.applyConfig(ev)).catch((e: unknown) => this.log.error({ err: e }, 'MQTT reconfiguration failed'));
  };

  private async applyConfig(ev: ConfigEvent): Promise<void> {
    if (!this.running) return;
    const cfg = this.cfg;
    const hk = housekeeping(ev, this.site.loaded, this.publishTopics, this.receiver.remoteTopics);
    for (const [from, to] of hk.renamed) {
      this.receiver.rename(from, to);
      this.stale.rename(from, to);
    }
    if (cfg?.enabled) {
      for (const topic of hk.clear) this.send({ topic, payload: Buffer.alloc(0), qos: cfg.qos, retain: true });
    }
    for (const name of hk.gone) this.receiver.forget(name);
    this.publishTopics = publishTopics(this.site.loaded);
    this.receiver.refresh();
    this.stale.sync(ev.changed);
    await this.reconfigure();
  }

  /** Starts, keeps or replaces the client to match the site's `mqtt` settings (spec §7.6). */
  private async reconfigure(): Promise<void> {
    // loaded before any state changes, so what follows runs as it always did
    if (this.site.settings.mqtt) this.lib = await loadMqtt();
    const m = this.site.settings.mqtt;
    const next = m ? resolveSettings(m, this.site) : null;
    this.queue.setLimit(next?.enabled ? next.queueSize : 0);
    const key = next ? connectionKey(next) : null;
    const prev = this.cfg;
    this.cfg = next;
    if (key === this.key && (this.client || !next?.enabled || next.error)) return;
    this.key = key;
    const old = this.client;
    this.client = null;
    this.ready = false;
    this.receiver.connectionLost();
    if (old && prev) {
      const sameBroker = next !== null && next.enabled && next.url === prev.url;
      const sameStatus = sameBroker && next.statusPrefix === prev.statusPrefix && next.instance === prev.instance;
      // the old status is overwritten by the new birth, forgotten (same broker), or marked offline (we leave that broker)
      await this.disconnect(old, prev, sameStatus ? 'keep' : sameBroker ? 'clear' : 'offline', next ? 'reconfigured' : 'disabled');
    }
    if (!next) return;
    if (!next.enabled) {
      this.log.info('MQTT hostname is empty: not connecting');
      return;
    }
    if (next.error) {
      this.site.warn(`MQTT not started: ${next.error}`);
      return;
    }
    this.connect(next);
  }

  // ---- the client

  private connect(cfg: Resolved): void {
    const status = cfg.statusPrefix ? statusTopic(cfg.statusPrefix, cfg.instance) : null;
    const offline = (reason: string): Buffer => encodeStatus({ siteward: VERSION, instance: cfg.instance, site: this.site.name, state: 'offline', reason });
    this.log.info({ url: cfg.url, clientId: cfg.clientId, instance: cfg.instance }, 'MQTT connecting');
    const client = this.lib!.connect(cfg.url, {
      clientId: cfg.clientId,
      clean: cfg.clean,
      keepalive: cfg.keepalive,
      protocolVersion: cfg.protocolVersion,
      properties: connectProperties(cfg),
      username: cfg.username,
      password: cfg.password,
      reconnectPeriod: BACKOFF_MIN_MS,
      // fletchck (paho) keeps trying after a refusal: a broker fixed later is found again
      reconnectOnConnackError: true,
      connectTimeout: 10_000,
      // subscriptions are ours to restore (spec §7.1: not when the session is resumed)
      resubscribe: false,
      queueQoSZero: false,
      rejectUnauthorized: true,
      ca: cfg.ca,
      servername: cfg.tls && !/^[\d.:[\]]+$/.test(cfg.host) ? cfg.host : undefined,
      // mqtt.servers: a cluster's servers, tried in turn (docs/ha.md)
      servers: cfg.servers,
      will: status ? { topic: status, payload: offline('connection lost'), qos: 1, retain: true } : undefined,
      // listeners first (debug sees the CONNECT too)
      manualConnect: true,
      // no per-packet trace, no message-id Buffer cache (mqtt-lib.ts)
      ...leanClient(),
    });
    this.client = client;
    let connects = 0;
    let wasConnected = false;
    batchAcks(client, (topic, payload, retain) => this.receiver.handle(topic, payload, retain));
    client.on('connect', (connack: IConnackPacket) => {
      if (this.client !== client) return;
      client.options.reconnectPeriod = BACKOFF_MIN_MS;
      this.lastError = null;
      this.lastErrorAt = null;
      this.stats.connects++;
      wasConnected = true;
      connects++;
      this.onConnect(client, cfg, connack, connects).catch((e: unknown) => this.log.error({ err: e }, 'MQTT connect handling failed'));
    });
    client.on('reconnect', () => {
      // each failed attempt doubles the wait before the next (mqtt.js re-reads it per attempt)
      client.options.reconnectPeriod = Math.min(BACKOFF_MAX_MS, (client.options.reconnectPeriod ?? BACKOFF_MIN_MS) * 2);
    });
    client.on('close', () => {
      if (!wasConnected) return;
      wasConnected = false;
      this.stats.disconnects++;
      if (this.client !== client) return;
      this.ready = false;
      this.receiver.connectionLost();
      if (this.running) this.site.warn(`MQTT connection to ${cfg.url} lost`);
    });
    client.on('error', (e: Error) => {
      // distinct errors once each: a broker that stays down is not a log flood
      if (e.message === this.lastError) return;
      this.lastError = e.message;
      this.lastErrorAt = this.site.clock.now();
      this.log.warn({ url: cfg.url, err: e.message }, 'MQTT connection problem');
      if (this.client === client) this.site.warn(`MQTT ${cfg.url}: ${e.message}`);
    });
    if (cfg.debug) {
      client.on('packetsend', (p) => this.log.debug({ cmd: p.cmd, topic: 'topic' in p ? p.topic : undefined }, 'MQTT packet sent'));
      client.on('packetreceive', (p) => this.log.debug({ cmd: p.cmd, topic: 'topic' in p ? p.topic : undefined }, 'MQTT packet received'));
    }
    client.connect();
  }

  private async onConnect(client: MqttClient, cfg: Resolved, connack: IConnackPacket, connects: number): Promise<void> {
    const resumed = !cfg.clean && connack.sessionPresent;
    const first = connects === 1;
    this.log.info({ url: cfg.url, sessionPresent: connack.sessionPresent }, 'MQTT connected');
    if (!first) this.site.warn(`MQTT reconnected to ${cfg.url}`);
    // spec §7.1: a resumed session keeps its subscriptions. The first connect
    // of a client subscribes anyway: that delivers the retained states this
    // process has not seen (and rebuilds the topic and instance maps).
    if (first || !resumed) {
      const subs: Record<string, { qos: 0 | 1 | 2 }> = {};
      if (cfg.basetopic) subs[cfg.basetopic] = { qos: cfg.qos };
      // statuses only matter to an instance that mirrors remote checks (an agent needs no read access)
      if (cfg.statusPrefix && cfg.basetopic) subs[`${cfg.statusPrefix}/+`] = { qos: 1 };
      if (Object.keys(subs).length) {
        try {
          const granted = await client.subscribeAsync(subs);
          const refused = granted.filter((g) => g.qos === 128).map((g) => g.topic);
          if (refused.length) this.site.warn(`MQTT: the broker refused the subscription to ${refused.join(', ')}`);
        } catch (e) {
          this.log.warn({ err: (e as Error).message }, 'MQTT subscribe failed');
        }
      }
    }
    if (this.client !== client || !client.connected) return;
    if (cfg.statusPrefix) {
      const birth = encodeStatus({ siteward: VERSION, instance: cfg.instance, site: this.site.name, state: 'online' });
      client.publish(statusTopic(cfg.statusPrefix, cfg.instance), birth, { qos: 1, retain: true });
    }
    // what was published during the outage, in order, then every check's current state
    this.ready = true;
    for (const m of this.queue.take()) this.send(m);
    for (const name of this.publishTopics.keys()) {
      // a check that never ran has nothing to say yet
      if (this.site.state(name).lastCheck !== null) this.publishState(name);
    }
  }

  private async disconnect(client: MqttClient, cfg: Resolved, status: 'keep' | 'clear' | 'offline', reason: string): Promise<void> {
    if (client.connected && cfg.statusPrefix && status !== 'keep') {
      const payload =
        status === 'clear' ? Buffer.alloc(0) : encodeStatus({ siteward: VERSION, instance: cfg.instance, site: this.site.name, state: 'offline', reason });
      await within(client.publishAsync(statusTopic(cfg.statusPrefix, cfg.instance), payload, { qos: 1, retain: true }), STOP_GRACE_MS);
    }
    // a graceful DISCONNECT (the broker does not publish the will), bounded: close.ts
    await closeClient(client, STOP_GRACE_MS);
    client.removeAllListeners();
    client.on('error', () => undefined);
  }
}
