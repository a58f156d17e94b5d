/**
 * One MQTT connection for a zone-side service (the zone views, the fleet
 * watcher): the site's broker settings (federation/options.ts), plain MQTT
 * 3.1.1, a stable client id per purpose and site file, reconnect forever.
 */
import { createHash } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import type { Site } from '../site.ts';
import { resolveSettings } from '../federation/options.ts';

export type LinkSite = Pick<Site, 'settings' | 'configPath' | 'base'>;

/** The client, or a sentence saying why there is none (no `mqtt` section, a bad password reference). */
export async function openLink(site: LinkSite, purpose: string, node: string): Promise<{ client: MqttClient; url: string } | { error: string }> {
  const mqtt = site.settings.mqtt;
  if (!mqtt || mqtt.hostname === '') return { error: 'no MQTT broker (the mqtt section)' };
  const m = resolveSettings(mqtt, site);
  if (m.error) return { error: m.error };
  const lib = await import('mqtt');
  const client = lib.connect(m.url, {
    clientId: `s${purpose.slice(0, 2)}${createHash('sha256').update(`${purpose}\n${node}\n${site.configPath}`).digest('hex').slice(0, 20)}`,
    clean: true,
    keepalive: 30,
    protocolVersion: 4,
    username: m.username,
    password: m.password,
    reconnectPeriod: 1000,
    reconnectOnConnackError: true,
    connectTimeout: 10_000,
    rejectUnauthorized: true,
    ca: m.ca,
    servername: m.tls && !/^[\d.:[\]]+$/.test(m.host) ? m.host : undefined,
  });
  return { client, url: m.url };
}
