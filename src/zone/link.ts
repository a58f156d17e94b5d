/**
 * One MQTT connection for a zone-side service (the zone views, the fleet
 * watcher): the site's broker settings (federation/options.ts), plain MQTT
 * 3.1.1, a stable client id per purpose and site file, reconnect forever.
 */
import { createHash } from 'node:crypto';
import type { IClientOptions, MqttClient } from 'mqtt';
import type { SiteSettings } from '../config/load.ts';
import { resolveSettings, type Resolved } from '../federation/options.ts';
import { leanClient, loadMqtt } from '../federation/mqtt-lib.ts';
import { ZoneGuard } from './guard.ts';

export interface LinkSite {
  readonly settings: SiteSettings;
  readonly configPath: string;
  readonly base: string;
}

/**
 * The client, or a sentence saying why there is none (no `mqtt` section, a
 * bad password reference). `guard` seals and opens its messages (guard.ts):
 * the zone's own guard on a node of a zone, else a reader that unwraps the
 * readable envelopes of zones with a key (node statuses, views).
 */
export async function openLink(
  site: LinkSite,
  purpose: string,
  node: string,
  guard: ZoneGuard = ZoneGuard.reader(),
): Promise<{ client: MqttClient; url: string } | { error: string }> {
  const mqtt = site.settings.mqtt;
  if (!mqtt || mqtt.hostname === '') return { error: 'no MQTT broker (the mqtt section)' };
  const m = resolveSettings(mqtt, site);
  if (m.error) return { error: m.error };
  const lib = await loadMqtt();
  const clientId = `s${purpose.slice(0, 2)}${createHash('sha256').update(`${purpose}\n${node}\n${site.configPath}`).digest('hex').slice(0, 20)}`;
  const client = guard.wrap(lib.connect(m.url, zoneClientOptions(m, clientId, 30)));
  return { client, url: m.url };
}

/**
 * The connection options every zone-side client uses (the zone service, the
 * zone views, the fleet watcher): plain MQTT 3.1.1, clean session, reconnect
 * every second, verified TLS, and the cluster's other servers (`mqtt.servers`).
 */
export function zoneClientOptions(m: Resolved, clientId: string, keepalive: number): IClientOptions {
  return {
    clientId,
    clean: true,
    keepalive,
    protocolVersion: 4,
    username: m.username,
    password: m.password,
    reconnectPeriod: 1000,
    reconnectOnConnackError: true,
    connectTimeout: 10_000,
    rejectUnauthorized: true,
    ca: m.ca,
    servername: m.tls && !/^[\d.:[\]]+$/.test(m.host) ? m.host : undefined,
    // mqtt.servers: when the connected server of a cluster dies, the next one (docs/ha.md)
    servers: m.servers,
    // no per-packet trace, no message-id Buffer cache (mqtt-lib.ts)
    ...leanClient(),
  };
}
