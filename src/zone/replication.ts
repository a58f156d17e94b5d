/**
 * Wires config and state replication (config-sync.ts, state-sync.ts) to the
 * zone's MQTT connection and to the site, through the narrow part of the
 * site they use. service.ts owns the connection and hands messages over.
 */
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { FederationDeps } from '../federation/deps.ts';
import type { SiteEvents } from '../engine/events.ts';
import { ConfigSync } from './config-sync.ts';
import { StateSync } from './state-sync.ts';
import type { ZoneTopics } from './config.ts';

/** The part of the site that replication touches. */
export type ReplicaSite = { readonly readOnly: boolean } & Pick<
  FederationDeps,
  'configPath' | 'loaded' | 'mutate' | 'warn' | 'clock' | 'entry' | 'state' | 'applyRemote' | 'bus'
>;

export interface Replication {
  config: ConfigSync;
  state: StateSync;
  /** a message on one of the replication topics; false: not one of them */
  onMessage(topic: string, payload: Buffer, retained: boolean): boolean;
  /** the zone was heard after a (re)connect */
  onReady(): void;
  stop(): Promise<void>;
}

export function startReplication(
  site: ReplicaSite,
  o: {
    node: string;
    log: Logger;
    client: () => MqttClient | null;
    topics: ZoneTopics;
    configBytes: number;
    stateBytes: number;
    owner: (c: string) => string | null;
  },
): Replication {
  const { topics: t, log } = o;
  const publish = (topic: string, payload: Buffer | string): Promise<void> => {
    const c = o.client();
    if (!c?.connected) return Promise.reject(new Error('not connected to the broker'));
    return c.publishAsync(topic, payload, { qos: 1, retain: true }).then(() => undefined);
  };
  const config = new ConfigSync({
    node: o.node,
    log,
    warn: (m, level) => site.warn(m, level),
    now: () => site.clock.now(),
    doc: () => site.loaded.doc,
    mutate: (edit, renamed) => site.mutate(edit, { renamed, allowErrors: true }),
    publish: (p) => publish(t.config, p),
    // UNSUBSCRIBE first (MQTT 3.1.1 §3.10), then SUBSCRIBE: a new subscription gets the retained revision (§3.3.1.3).
    // A SUBSCRIBE alone of a filter already held should replace it (§3.8.4), but a NATS server (2.9) that lost the
    // JetStream consumer behind it keeps the dead one and sends nothing (test/zone/config-hearing.test.ts)
    resubscribe: () => {
      const c = o.client();
      c?.unsubscribe(t.config, () =>
        c.subscribe(t.config, { qos: 1 }, (err) => {
          if (err) log.warn({ err: err.message }, 'zone: the config subscription was refused');
        }),
      );
    },
    statePath: site.readOnly ? null : `${site.configPath}.zone.json`,
    maxBytes: o.configBytes,
  });
  const state = new StateSync({
    node: o.node,
    log,
    owner: o.owner,
    check: (n) => {
      const e = site.entry(n);
      return e ? { type: e.config.type, threshold: e.config.threshold, zone: e.zone } : null;
    },
    state: (n) => site.state(n),
    input: (n, data) => void site.applyRemote(n, data),
    publish: (check, p) =>
      void publish(t.state(check), p ?? '').catch((e: unknown) => log.debug({ check, err: (e as Error).message }, 'zone: check state not sent')),
    maxBytes: o.stateBytes,
  });
  const onConfig = ({ removed, renamed }: SiteEvents['config'][0]): void => {
    config.onLocalChange(renamed);
    state.onRemoved([...removed, ...renamed.map(([from]) => from)]);
  };
  const onRun = ({ name, reason, state: s }: SiteEvents['run'][0]): void => state.onRun(name, reason, s);
  site.bus.on('config', onConfig);
  site.bus.on('run', onRun);
  const statePrefix = t.state('');
  return {
    config,
    state,
    onMessage(topic, payload, retained) {
      if (topic === t.config) config.onMessage(payload, retained);
      else if (topic.startsWith(statePrefix)) {
        let check: string;
        try {
          check = decodeURIComponent(topic.slice(statePrefix.length));
        } catch {
          log.warn({ topic }, 'zone: malformed state topic dropped');
          return true;
        }
        state.onMessage(check, payload);
      } else return false;
      return true;
    },
    onReady: () => config.onReady(),
    async stop() {
      site.bus.off('config', onConfig);
      site.bus.off('run', onRun);
      await config.idle();
    },
  };
}
