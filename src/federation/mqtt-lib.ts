/**
 * mqtt.js as every client of this process uses it (the federation link, the
 * HA zone, its views, the fleet watcher, the mqtt check). It is loaded when a
 * site first configures a broker or runs an mqtt check, so a site without
 * one does not carry it (docs/performance.md), and its per-packet tracing is
 * made quiet first unless DEBUG asks for it (quiet-debug.ts). Node's import()
 * of mqtt.js' CommonJS build gives its named exports, also from the bundle
 * (scripts/bundle.mjs keeps packages external): no `.default` fallback.
 */
import type { IClientOptions } from 'mqtt';
import { quietMqttDebug } from './quiet-debug.ts';

export type MqttLib = typeof import('mqtt');
let mqttLib: Promise<MqttLib> | null = null;

export const loadMqtt = (): Promise<MqttLib> => (mqttLib ??= (quietMqttDebug(), import('mqtt')));

const noTrace = (): void => undefined;

/**
 * The options that keep a client lean; each client adds them to its own.
 * One client without them would undo them for the whole process: the
 * message-id cache is mqtt-packet's module state (docs/performance.md
 * "Memory while ingesting").
 */
export function leanClient(): Pick<IClientOptions, 'log' | 'writeCache'> {
  return {
    // mqtt.js traces every packet through `debug` (several calls each, ~2 % of
    // draining a backlog even when nothing prints): only when DEBUG asks for it
    log: process.env.DEBUG ? undefined : noTrace,
    // mqtt-packet's default builds 65,536 two-byte Buffers for message ids at the first packet
    // (~6 MB of heap kept for the process's life); a PUBACK's id is written as it comes instead
    writeCache: false,
  };
}
