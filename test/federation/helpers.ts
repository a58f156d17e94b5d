/**
 * In-process helpers for the federation tests: a site with the MQTT service
 * in a temp folder, a bare MQTT client to play a peer, and polling.
 */
import * as wiring from '../../src/wiring.ts';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { expect } from 'vitest';
import { pino, type Logger } from 'pino';
import { Site } from '../../src/site.ts';
import type { Clock } from '../../src/engine/clock.ts';
import type { MqttFederation } from '../../src/federation/mqtt.ts';
import { tempDir } from '../servers/common.ts';

export interface TestSite {
  site: Site;
  fed: MqttFederation;
  dir: string;
  configPath: string;
  /** the site file as saved on disk now */
  file(): Record<string, unknown>;
  stop(): Promise<void>;
}

/**
 * Polls until `fn` is truthy (usable in hooks, where expect.poll is not).
 * `what` names the condition; as a function it is called when the wait times
 * out, so the error can say what the test saw instead.
 */
export async function until(fn: () => unknown, timeoutMs = 5000, what: string | (() => string) = 'condition'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A pino logger whose JSON lines are kept in memory. */
export function captureLogger(): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { log, lines };
}

export async function openSite(doc: Record<string, unknown>, opts: { clock?: Clock; start?: boolean; log?: Logger; dir?: string } = {}): Promise<TestSite> {
  const own = opts.dir ? null : tempDir('swfed-');
  const dir = opts.dir ?? own!.dir;
  const cleanup = own ? own.cleanup : () => undefined;
  const configPath = join(dir, 'site.json');
  writeFileSync(configPath, JSON.stringify({ scheduler: { jitter: 0 }, ...doc }, null, 1));
  const site = await wiring.openSite({ configPath, dbPath: ':memory:', clock: opts.clock, random: () => 0, log: opts.log });
  const fed = site.federation;
  site.use(fed);
  if (opts.start !== false) await site.start();
  let stopped = false;
  return {
    site,
    fed,
    dir,
    configPath,
    file: () => JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await site.stop();
      cleanup();
    },
  };
}

export function mqttSection(port: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { hostname: '127.0.0.1', port, ...extra };
}

/** A bare client playing a peer (fletchck, or a test probe). */
export async function peer(
  port: number,
  opts: mqtt.IClientOptions = {},
): Promise<MqttClient & { messages: { topic: string; payload: Buffer; retain: boolean }[] }> {
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
  const messages: { topic: string; payload: Buffer; retain: boolean }[] = [];
  c.on('message', (topic, payload, packet) => messages.push({ topic, payload, retain: packet.retain }));
  return Object.assign(c, { messages });
}

/**
 * The retained message on `topic` right now ('' = none): subscribes a fresh
 * client together with a marker topic, publishes the marker, and reads what
 * arrived before it (the broker sends retained messages first).
 */
export async function retainedOn(port: number, topic: string): Promise<string> {
  const c = await peer(port);
  const marker = `marker/${Math.random().toString(36).slice(2)}`;
  await c.subscribeAsync([topic, marker], { qos: 1 });
  await c.publishAsync(marker, 'x', { qos: 1 });
  await expect.poll(() => c.messages.some((m) => m.topic === marker), { timeout: 5000 }).toBe(true);
  const got = c.messages.filter((m) => m.topic === topic && m.retain).map((m) => m.payload.toString());
  await c.endAsync();
  return got.at(-1) ?? '';
}

/** A payload in exactly fletchck's shape (spec §7.3). */
export function fletchckPayload(name: string, type: string, data: Partial<Record<string, unknown>> = {}): string {
  return JSON.stringify({
    name,
    type,
    data: {
      threshold: 1,
      failState: false,
      failCount: 0,
      log: [],
      softFail: null,
      lastCheck: '2026-11-22T09:28:17.895594+00:00',
      lastFail: null,
      lastPass: '2026-11-22T09:20:02+00:00',
      level: null,
      ...data,
    },
  });
}
