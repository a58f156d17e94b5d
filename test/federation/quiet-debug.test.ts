/**
 * mqtt.js's and mqtt-packet's per-packet `debug` tracing (federation/quiet-debug.ts):
 * without DEBUG, the `debug` those packages load hands out a function that
 * does nothing (no arguments gathered per packet); with DEBUG set, tracing
 * prints as before. Each case runs in its own process: a module loaded once
 * stays loaded.
 */
import { it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const quiet = pathToFileURL(join(import.meta.dirname, '../../src/federation/quiet-debug.ts')).href;
// loads mqtt.js the way the federation does, then parses a PUBLISH with mqtt-packet and reports what its `debug` is
const script = `
import { createRequire } from 'node:module';
const { quietMqttDebug } = await import(${JSON.stringify(quiet)});
const installed = quietMqttDebug();
await import('mqtt');
const here = createRequire(${JSON.stringify(quiet)});
const fromPacket = createRequire(createRequire(here.resolve('mqtt')).resolve('mqtt-packet'));
const d = fromPacket('debug')('mqtt-packet:parser');
const mqttPacket = fromPacket('mqtt-packet');
const parser = mqttPacket.parser();
const got = [];
parser.on('packet', (p) => got.push(p.topic));
parser.parse(mqttPacket.generate({ cmd: 'publish', topic: 'peer/a', payload: Buffer.from('{}'), qos: 1, messageId: 7, retain: false, dup: false }));
console.log(JSON.stringify({ installed, quiet: fromPacket('debug').quiet === true, enabled: d.enabled, namespace: d.namespace, got }));
`;

function run(env: NodeJS.ProcessEnv): { out: Record<string, unknown>; stderr: string } {
  const clean = { ...process.env };
  delete clean.DEBUG;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...clean, ...env },
  });
  expect(r.status, r.stderr).toBe(0);
  return { out: JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>, stderr: r.stderr };
}

it('without DEBUG, mqtt-packet traces through a function that does nothing', () => {
  const { out, stderr } = run({});
  expect(out).toEqual({ installed: true, quiet: true, enabled: false, namespace: '', got: ['peer/a'] });
  expect(stderr).not.toMatch(/mqtt-packet:parser/);
});

it('with DEBUG set, nothing is changed: the parser traces as before', () => {
  const { out, stderr } = run({ DEBUG: 'mqtt-packet:*' });
  expect(out).toEqual({ installed: false, quiet: false, enabled: true, namespace: 'mqtt-packet:parser', got: ['peer/a'] });
  expect(stderr).toMatch(/mqtt-packet:parser/);
});
