/**
 * A real 3-node NATS cluster with JetStream and the MQTT listener on each
 * node, on 127.0.0.1 with OS-chosen ports (recipe: toolchain.md §8.1, Debian
 * `nats-server`). `kill(i)` is a kill -9 of one server, `restart(i)` brings
 * it back on the same ports with its store. `ready()` waits until a QoS 1
 * publish through every live node succeeds (JetStream needs a meta leader
 * first, several seconds after a start).
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { freePort, spawnDaemon, tempDir, waitPort, type Daemon } from './common.ts';

export const NATS_SERVER = '/usr/sbin/nats-server';

export interface NatsCluster {
  dir: string;
  /** the MQTT port of each node */
  mqttPorts: number[];
  /** the NATS client port of each node (nats-js.ts: the JetStream API) */
  clientPorts: number[];
  running(i: number): boolean;
  /** server i's log (its output so far) */
  log(i: number): string;
  kill(i: number): Promise<void>;
  restart(i: number): Promise<void>;
  /** waits until QoS 1 publishes through every running node succeed */
  ready(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

async function qos1Works(port: number): Promise<boolean> {
  const c = mqtt.connect(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4, clean: true, reconnectPeriod: 0, connectTimeout: 3000 });
  try {
    await new Promise<void>((res, rej) => {
      c.once('connect', () => res());
      c.once('error', rej);
      c.once('close', () => rej(new Error('closed')));
    });
    await Promise.race([
      c.publishAsync('siteward-test/ready', 'x', { qos: 1 }),
      new Promise((_, rej) => setTimeout(() => rej(new Error('puback timeout')), 3000)),
    ]);
    return true;
  } catch {
    return false;
  } finally {
    c.end(true);
  }
}

/** `extra(i)`: more lines for server i's config (e.g. an `authorization` block). */
export async function startNatsCluster(n = 3, extra: (i: number) => string[] = () => []): Promise<NatsCluster> {
  const { dir, cleanup } = tempDir('swnats-');
  const client: number[] = [];
  const route: number[] = [];
  const mqttPorts: number[] = [];
  for (let i = 0; i < n; i++) {
    client.push(await freePort());
    route.push(await freePort());
    mqttPorts.push(await freePort());
  }
  const routes = route.map((p) => `nats-route://127.0.0.1:${p}`).join(', ');
  const daemons: (Daemon | null)[] = [];
  const conf = (i: number): string => {
    const f = join(dir, `n${i + 1}.conf`);
    mkdirSync(join(dir, `js${i + 1}`), { recursive: true });
    writeFileSync(
      f,
      [
        `server_name: n${i + 1}`,
        `listen: 127.0.0.1:${client[i]}`,
        `jetstream { store_dir: "${join(dir, `js${i + 1}`)}" }`,
        `cluster { name: zone, listen: 127.0.0.1:${route[i]}, routes: [${routes}] }`,
        `mqtt { listen: 127.0.0.1:${mqttPorts[i]} }`,
        ...extra(i),
        '',
      ].join('\n'),
    );
    return f;
  };
  const start = async (i: number): Promise<void> => {
    // 90 s: a JetStream node on a loaded 2-core machine once took over 30 s to open its MQTT port
    daemons[i] = spawnDaemon(`nats${i + 1}`, dir, NATS_SERVER, ['-c', conf(i)]);
    await waitPort(mqttPorts[i], 90_000);
  };
  const running = (i: number): boolean => {
    const d = daemons[i];
    return !!d && d.proc.exitCode === null && d.proc.signalCode === null;
  };
  await Promise.all(mqttPorts.map((_, i) => start(i)));
  const cluster: NatsCluster = {
    dir,
    mqttPorts,
    clientPorts: client,
    running,
    log: (i) => daemons[i]?.log() ?? '',
    kill: async (i) => {
      const d = daemons[i];
      if (!d || !running(i)) return;
      const exited = new Promise<void>((r) => d.proc.once('exit', () => r()));
      d.proc.kill('SIGKILL');
      await exited;
    },
    restart: async (i) => {
      await cluster.kill(i);
      await start(i);
    },
    ready: async (timeoutMs = 60_000) => {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const live = mqttPorts.filter((_, i) => running(i));
        const ok = await Promise.all(live.map((p) => qos1Works(p)));
        if (ok.every(Boolean)) return;
        if (Date.now() > end) throw new Error(`NATS cluster not ready within ${timeoutMs} ms:\n${daemons.map((d) => d?.log().slice(-1500)).join('\n---\n')}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    close: async () => {
      await Promise.all(daemons.map(async (d) => d?.stop()));
      cleanup();
    },
  };
  return cluster;
}
