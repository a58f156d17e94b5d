/**
 * The chaos run of issue 23 (docs/ha.md "Chaos run"): for a bounded time,
 * checks flip on local TCP servers while siteward zone nodes (3 real
 * processes) and one server of a real 3-node NATS cluster are killed
 * (kill -9) and restarted at random, from a seeded PRNG (the seed is
 * printed: `CHAOS_SEED=<n>` replays the same choices). A real webhook
 * receiver collects the notifications. At the end everything is brought
 * back, the services hold still, and each check's notifications are
 * compared with the true sequence of its server's states:
 * - missed: a true transition no notification stands for;
 * - duplicate: a second notification of the same transition, classed as
 *   redelivered (the same notification id again: the node died while
 *   sending it, and its outbox sent it again after the restart), marked
 *   ("possibly repeated" in the message) or unmarked (a bug).
 * Used by test/zone/chaos.test.ts (short, in `npm test`) and
 * `npm run chaos` (long).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import Database from 'better-sqlite3';
import { mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer, type Server } from 'node:net';
import { freePort, HOST, tempDir } from '../servers/common.ts';
import { startNatsCluster, type NatsCluster } from '../servers/nats.ts';
import { startReceiver, type Receiver } from '../servers/http-receiver.ts';
import { CLI } from '../federation/procs.ts';
import { until } from '../federation/helpers.ts';
import { rendezvous } from '../../src/zone/hrw.ts';
import { doubleRuns, score, type DoubleRun, type Got, type Partition, type Run } from './chaos-score.ts';
import { rng } from '../helpers/rng.ts';

export interface ChaosOptions {
  seed: number;
  /** how long faults are injected (ms) */
  durationMs: number;
  services: number;
  /** a server's state holds at least this long (ms), so every state is observed after a failover */
  dwellMs: number;
  log?: (line: string) => void;
}

export interface ChaosResult {
  seed: number;
  durationMs: number;
  events: string[];
  /** true transitions (each server state change, and the first PASS of each check) */
  transitions: number;
  notifications: number;
  missed: number;
  redelivered: number;
  marked: number;
  /** repeats (and out-of-order notifications) neither redelivered nor marked: failures (chaos-score.ts) */
  unmarked: number;
  /** periods in which two nodes ran one check (chaos-score.ts); `partition` ones involve a node whose NATS server was down */
  doubleRuns: DoubleRun[];
  /** after the heal: every node sees the other two, and each check ran on exactly its rendezvous owner */
  converged: boolean;
  convergence: string;
  /** per check: the true states and the notified states in arrival order (node, * = marked) */
  perCheck: Record<string, { truth: string[]; got: string[] }>;
}

/** How long after a NATS server is back and the cluster carries QoS 1 again the partition window lasts (reconnect, catch-up, heartbeats). */
const PARTITION_SLACK_MS = 10_000;

/** The environment variable each node process gets its name in; the webhook sends it as the X-Chaos-Node header. */
const NODE_ENV = 'SITEWARD_CHAOS_NODE';

/** A local TCP service the run switches on and off (same port each time). */
class Service {
  private srv: Server | null = null;
  up = false;
  constructor(readonly port: number) {}
  async set(up: boolean): Promise<void> {
    if (up === this.up) return;
    this.up = up;
    if (!up) {
      const s = this.srv;
      this.srv = null;
      await new Promise((r) => s?.close(r));
      return;
    }
    await until(
      () =>
        new Promise<boolean>((res) => {
          const s = createServer((c) => c.end());
          s.once('error', () => res(false));
          s.listen(this.port, HOST, () => {
            this.srv = s;
            res(true);
          });
        }),
      10_000,
      `port ${this.port} free again`,
    );
  }
}

/** A siteward node whose folder (site file, database, outbox) outlives its process. */
class Node {
  proc: ChildProcess | null = null;
  readonly dir: string;
  private exited: Promise<void> = Promise.resolve();
  constructor(
    readonly name: string,
    root: string,
    doc: Record<string, unknown>,
  ) {
    this.dir = join(root, name);
    mkdirSync(this.dir);
    writeFileSync(join(this.dir, 'site.json'), JSON.stringify({ timezone: 'UTC', webui: null, scheduler: { jitter: 0 }, ...doc }, null, 1));
  }
  get alive(): boolean {
    return this.proc !== null;
  }
  start(): void {
    const fd = openSync(join(this.dir, 'stderr.log'), 'a');
    const p = spawn(process.execPath, [CLI, `--config=${join(this.dir, 'site.json')}`, '--webui=false', '--logging=info', `--node=${this.name}`], {
      stdio: ['ignore', fd, fd],
      cwd: this.dir,
      // the webhook's X-Chaos-Node header (an {"env"} secret: the site file, replicated to every node, names the variable, each process has its own value)
      env: { ...process.env, [NODE_ENV]: this.name },
    });
    this.exited = new Promise((r) => p.once('exit', () => r()));
    this.proc = p;
  }
  async kill(): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (p && p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    await this.exited;
  }
  log(): string {
    try {
      return readFileSync(join(this.dir, 'stderr.log'), 'utf8');
    } catch {
      return '';
    }
  }
  /** the runs this node recorded (its own SQLite history) */
  runs(): Run[] {
    const d = new Database(join(this.dir, 'site.db'), { readonly: true, fileMustExist: true });
    try {
      const rows = d.prepare('SELECT check_ids.name AS name, runs.t AS t FROM runs JOIN check_ids ON check_ids.id = runs.check_id').all() as {
        name: string;
        t: number;
      }[];
      return rows.map((r) => ({ check: r.name, node: this.name, t: r.t }));
    } finally {
      d.close();
    }
  }
  /** the peers this node counts as live (its last "zone membership" log line) */
  live(): string {
    const lines = this.log()
      .split('\n')
      .filter((l) => l.includes('"zone membership"'));
    return lines.length ? (JSON.parse(lines[lines.length - 1]) as { live: string }).live : '';
  }
}

export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const say = o.log ?? ((l: string) => console.log(l));
  const rnd = rng(o.seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const { dir, cleanup } = tempDir('swchaos-');
  const events: string[] = [];
  const t0 = Date.now();
  const ev = (s: string): void => {
    const line = `+${((Date.now() - t0) / 1000).toFixed(1)}s ${s}`;
    events.push(line);
    say(`chaos ${line}`);
  };
  const services: Service[] = [];
  for (let i = 0; i < o.services; i++) services.push(new Service(await freePort()));
  const names = services.map((_, i) => `svc ${i}`);
  const truth = new Map<string, string[]>(names.map((n) => [n, []]));
  const lastFlip = new Map<number, number>();
  let hook: Receiver | null = null;
  let cluster: NatsCluster | null = null;
  const nodes: Node[] = [];
  try {
    for (const s of services) await s.set(true);
    for (const n of names) truth.get(n)!.push('PASS'); // a new check starts as FAIL: its first PASS is notified
    hook = await startReceiver();
    hook.fallback = { status: 200 };
    cluster = await startNatsCluster(3);
    await cluster.ready();
    const checks = Object.fromEntries(
      names.map((n, i) => [
        n,
        {
          type: 'tcp',
          threshold: 1,
          trigger: { interval: { seconds: 1 } },
          options: { hostname: HOST, port: services[i].port, timeout: 2 },
          actions: ['hook'],
        },
      ]),
    );
    for (const [i, name] of ['a', 'b', 'c'].entries()) {
      nodes.push(
        new Node(name, dir, {
          zone: { name: 'chaos', heartbeat: 1, misses: 3, grace: 5 },
          // its own server first, the other two to fail over to (mqtt.servers): a killed NATS server moves its node, it does not cut it off
          mqtt: {
            hostname: HOST,
            port: cluster.mqttPorts[i],
            servers: cluster.mqttPorts.filter((_, j) => j !== i).map((p) => `${HOST}:${p}`),
            statustopic: null,
          },
          notifications: { stormLimit: 0 },
          // one site file for all (config replication copies it): the header names the sending node from its own environment
          actions: { hook: { type: 'webhook', options: { url: `${hook.url}/hook`, headers: { 'X-Chaos-Node': { env: NODE_ENV } }, timeout: 5 } } },
          checks,
        }),
      );
    }
    for (const n of nodes) n.start();
    await until(
      () =>
        nodes.every(
          (n) =>
            n.live() ===
            nodes
              .filter((x) => x !== n)
              .map((x) => x.name)
              .join(','),
        ),
      90_000,
      'the three nodes see each other',
    );
    ev(`seed ${o.seed}: 3 nodes, 3 NATS servers, ${o.services} services up`);

    const end = Date.now() + o.durationMs;
    let natsDown: { i: number; at: number; cut: Partition[] } | null = null;
    const partitions: Partition[] = [];
    // a partition heals once the restarted server is back AND the cluster carries QoS 1 through every server
    // again (JetStream has elected its leaders: on a loaded machine many seconds after the restart), then the slack
    const healing: Promise<void>[] = [];
    const nats = cluster;
    const heal = (d: { cut: Partition[] }): void => {
      const done = (): void => {
        for (const p of d.cut) p.to = Date.now() + PARTITION_SLACK_MS;
      };
      healing.push(nats.ready(120_000).then(done, done));
    };
    let nodeDown: { n: Node; at: number } | null = null;
    while (Date.now() < end) {
      await new Promise((r) => setTimeout(r, 1000 + rnd() * 2500));
      const r = rnd();
      if (r < 0.5) {
        const ready = services.map((_, i) => i).filter((i) => Date.now() - (lastFlip.get(i) ?? 0) >= o.dwellMs);
        if (!ready.length) continue;
        const i = pick(ready);
        await services[i].set(!services[i].up);
        lastFlip.set(i, Date.now());
        truth.get(names[i])!.push(services[i].up ? 'PASS' : 'FAIL');
        ev(`${names[i]} ${services[i].up ? 'up' : 'down'}`);
      } else if (r < 0.75) {
        if (nodeDown && Date.now() - nodeDown.at >= 3000) {
          nodeDown.n.start();
          ev(`node ${nodeDown.n.name} restarted`);
          nodeDown = null;
        } else if (!nodeDown) {
          const n = pick(nodes);
          await n.kill();
          nodeDown = { n, at: Date.now() };
          ev(`node ${n.name} killed (kill -9)`);
        }
      } else {
        if (natsDown && Date.now() - natsDown.at >= 3000) {
          await cluster.restart(natsDown.i);
          heal(natsDown);
          ev(`NATS server ${natsDown.i + 1} restarted`);
          natsDown = null;
        } else if (!natsDown) {
          const i = Math.floor(rnd() * 3);
          // not only its own node: any node may have failed over to it (mqtt.servers), and the JetStream streams that
          // carry every node's QoS 1 messages elect new leaders, so deliveries to all nodes stall (docs/ha.md "Chaos run")
          const cut = nodes.map((n) => ({ node: n.name, from: Date.now(), to: Infinity }));
          partitions.push(...cut);
          await cluster.kill(i);
          natsDown = { i, at: Date.now(), cut };
          ev(`NATS server ${i + 1} killed (kill -9)`);
        }
      }
    }
    // heal: everything back, the services hold still; wait until each check's last notification is its true state and all is quiet
    if (natsDown) {
      await cluster.restart(natsDown.i);
      heal(natsDown);
      ev(`NATS server ${natsDown.i + 1} restarted (end)`);
    }
    if (nodeDown) {
      nodeDown.n.start();
      ev(`node ${nodeDown.n.name} restarted (end)`);
    }
    const got = (): Map<string, Got[]> => {
      const m = new Map<string, Got[]>(names.map((n) => [n, []]));
      for (const q of hook!.requests) {
        const b = JSON.parse(q.body) as { id: string | null; check: { name: string; state: string; log?: string[] } };
        const h = q.headers['x-chaos-node'];
        const node = typeof h === 'string' ? h : '?';
        m.get(b.check.name)?.push({ state: b.check.state, id: b.id, marked: /possibly repeated/.test(q.body), node, at: q.at });
      }
      return m;
    };
    let quietSince = Date.now();
    let seen = hook.requests.length;
    await until(
      () => {
        if (hook!.requests.length !== seen) {
          seen = hook!.requests.length;
          quietSince = Date.now();
        }
        const g = got();
        const settled = names.every((n) => g.get(n)!.at(-1)?.state === truth.get(n)!.at(-1));
        return settled && Date.now() - quietSince > 8000;
      },
      180_000,
      'every check notified in its final state, then 8 s without a notification',
    ).catch((e: unknown) => ev(`not settled: ${(e as Error).message}`));
    await cluster.ready(120_000);
    ev('NATS cluster ready');
    // converged: each node sees the other two, and over 5 s each check ran on its rendezvous owner only
    const all = nodes.map((n) => n.name);
    let convergence = '';
    let looked = 0;
    const converged = await until(
      () => {
        if (Date.now() - looked < 1000) return false; // three databases and logs: once a second
        looked = Date.now();
        const views = nodes.map((n) => `${n.name} sees ${n.live() || 'nobody'}`);
        const since = Date.now() - 5000;
        const recent = nodes.flatMap((n) => n.runs()).filter((r) => r.t >= since);
        const wrong = names.filter((c) => {
          const by = new Set(recent.filter((r) => r.check === c).map((r) => r.node));
          return by.size !== 1 || !by.has(rendezvous(c, all)!);
        });
        convergence = `${views.join('; ')}; checks not on their owner alone: ${wrong.join(', ') || 'none'}`;
        return nodes.every((n) => n.live() === all.filter((x) => x !== n.name).join(',')) && wrong.length === 0;
      },
      120_000,
      'the zone converged',
    ).then(
      () => true,
      () => false,
    );
    ev(`converged: ${converged} (${convergence})`);
    await Promise.all(healing); // each partition's end is known
    const runs = nodes.flatMap((n) => n.runs());
    ev('end');
    const g = got();
    const res: ChaosResult = {
      seed: o.seed,
      durationMs: o.durationMs,
      events,
      transitions: 0,
      notifications: hook.requests.length,
      missed: 0,
      redelivered: 0,
      marked: 0,
      unmarked: 0,
      doubleRuns: doubleRuns(runs, 1000, partitions),
      converged,
      convergence,
      perCheck: {},
    };
    for (const n of names) {
      const s = score(truth.get(n)!, g.get(n)!);
      res.transitions += truth.get(n)!.length;
      res.missed += s.missed;
      res.redelivered += s.redelivered;
      res.marked += s.marked;
      res.unmarked += s.unmarked;
      res.perCheck[n] = { truth: truth.get(n)!, got: g.get(n)!.map((x) => `${x.state} ${x.node}${x.marked ? '*' : ''}`) };
    }
    return res;
  } catch (e) {
    for (const n of nodes) say(`--- node ${n.name} log tail:\n${n.log().slice(-3000)}`);
    throw e;
  } finally {
    await Promise.all(nodes.map((n) => n.kill()));
    await cluster?.close();
    await hook?.close();
    for (const s of services) await s.set(false);
    if (!process.env.CHAOS_KEEP) cleanup();
    else say(`chaos: folders kept in ${dir}`);
  }
}
