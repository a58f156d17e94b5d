/**
 * A zone of real siteward processes on a real NATS cluster (issue 23), for
 * test/zone/failover.test.ts and bench/failover.ts: node i connects to the
 * cluster's server i, each node's SQLite run history says which checks it
 * ran, and a TCP listener gives tcp checks something to connect to.
 * Needs `npm run build` (the processes run dist/).
 */
import { createServer, type Server } from 'node:net';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HOST } from '../servers/common.ts';
import { startNatsCluster, type NatsCluster } from '../servers/nats.ts';
import { assertBuilt, spawnSiteward, type Proc } from '../federation/procs.ts';

/** Each check's runs this node recorded at or after `since` (ms): how many, and the first one's time. */
export function runsSince(p: Proc, since: number): Map<string, { n: number; first: number }> {
  const db = join(p.dir, 'site.db');
  const out = new Map<string, { n: number; first: number }>();
  if (!existsSync(db)) return out;
  const d = new Database(db, { readonly: true, fileMustExist: true });
  try {
    const rows = d
      .prepare(
        'SELECT check_ids.name AS name, COUNT(*) AS n, MIN(runs.t) AS first FROM runs JOIN check_ids ON check_ids.id = runs.check_id WHERE runs.t >= ? GROUP BY check_ids.name',
      )
      .all(since) as { name: string; n: number; first: number }[];
    for (const r of rows) out.set(r.name, { n: r.n, first: r.first });
  } catch {
    // the schema is not there yet
  } finally {
    d.close();
  }
  return out;
}

/** A TCP server on 127.0.0.1 that accepts and closes each connection (what tcp checks connect to); port 0: the OS picks. */
export async function tcpListener(port = 0): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((c) => c.end());
  await new Promise<void>((r) => server.listen(port, HOST, () => r()));
  return {
    server,
    port: (server.address() as { port: number }).port,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export interface ZoneProcs {
  cluster: NatsCluster;
  /** the running (or killed) process of each node */
  procs: Map<string, Proc>;
  get(node: string): Proc;
  /** (Re)starts a node, on its NATS server: a process it had before is killed and its folder removed. */
  start(node: string): Promise<Proc>;
  /** Every process killed and removed, then the cluster stopped. */
  close(): Promise<void>;
}

/**
 * A 3-node NATS cluster and, for each of `nodes` (at most 3), a siteward
 * process `--node=<name>` whose site file is `doc(mqttPort, name)`; nothing
 * is started until `start(node)`.
 */
export async function zoneProcs(prefix: string, nodes: string[], doc: (mqttPort: number, node: string) => Record<string, unknown>): Promise<ZoneProcs> {
  assertBuilt();
  const cluster = await startNatsCluster(3);
  await cluster.ready();
  const procs = new Map<string, Proc>();
  const gone = async (p: Proc | undefined): Promise<void> => {
    if (!p) return;
    await p.kill();
    p.cleanup();
  };
  return {
    cluster,
    procs,
    get: (node) => procs.get(node)!,
    async start(node) {
      await gone(procs.get(node));
      const p = spawnSiteward(`${prefix}-${node}`, doc(cluster.mqttPorts[nodes.indexOf(node)], node), [`--node=${node}`]);
      procs.set(node, p);
      return p;
    },
    async close() {
      await Promise.all([...procs.values()].map(gone));
      await cluster.close();
    },
  };
}
