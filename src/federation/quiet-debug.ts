/**
 * mqtt.js and its packet parser/writer (mqtt-packet) trace every packet
 * through the `debug` module: about 25 calls a message, and each call
 * gathers its arguments into an array before `debug` looks whether anything
 * prints. Draining 20,000 messages that was 31 MB of garbage (13 % of what
 * the process allocated) with nothing printed (docs/performance.md "Memory
 * while ingesting"). The client's own trace is already off (`log` option,
 * federation/mqtt.ts); mqtt-packet has no such option.
 *
 * So before mqtt.js is first loaded, and only when DEBUG is not set, the
 * `debug` module those two packages load hands out one function that does
 * nothing for a namespace that is not enabled (with DEBUG unset, none is).
 * With DEBUG set nothing is changed: `DEBUG=mqttjs*,mqtt-packet*` traces as
 * before. A package that loaded mqtt.js earlier keeps its tracing as it was.
 */
import { createRequire } from 'node:module';

/** The parts of a `debug` instance its callers use. */
interface DebugFn {
  (...args: unknown[]): void;
  enabled: boolean;
  namespace: string;
  extend(ns: string): DebugFn;
  log(...args: unknown[]): void;
  destroy(): boolean;
}

type CreateDebug = ((namespace: string) => DebugFn) & { quiet?: true };

const silent: DebugFn = Object.assign(() => undefined, {
  enabled: false,
  namespace: '',
  extend: (): DebugFn => silent,
  log: () => undefined,
  destroy: () => true,
});

/** Installs the quiet `debug` for mqtt.js and mqtt-packet (once; a no-op with DEBUG set). Returns whether it is in place. */
export function quietMqttDebug(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.DEBUG) return false;
  try {
    return install();
  } catch {
    // a layout of node_modules this does not know: the tracing stays as it is (it costs garbage, nothing else)
    return false;
  }
}

function install(): boolean {
  const here = createRequire(import.meta.url);
  const mqtt = createRequire(here.resolve('mqtt'));
  const packet = createRequire(mqtt.resolve('mqtt-packet'));
  let installed = false;
  for (const req of [mqtt, packet]) {
    const path = req.resolve('debug');
    req(path);
    const mod = req.cache[path];
    if (!mod) continue;
    const real = mod.exports as CreateDebug;
    if (real.quiet) {
      installed = true;
      continue;
    }
    const quiet: CreateDebug = Object.assign((namespace: string): DebugFn => {
      const d = real(namespace);
      return d.enabled ? d : silent;
    }, real);
    quiet.quiet = true;
    mod.exports = quiet;
    installed = true;
  }
  return installed;
}
