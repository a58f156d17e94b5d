/**
 * A stand-in for TrueNAS SCALE's JSON-RPC 2.0 WebSocket API at /api/current
 * (there is no TrueNAS to run here): a real `ws` server on 127.0.0.1, over
 * HTTPS with a self-signed test certificate or over plain HTTP, answering
 * auth.login_with_api_key, pool.query and alert.list with documents shaped as
 * api.truenas.com (v25.04) describes them, and refusing other calls before
 * login as TrueNAS does.
 */
import { createServer as createHttp, type Server as HttpServer } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { generate } from 'selfsigned';
import { HOST } from './common.ts';

export interface DiskSpec {
  status?: string;
  read?: number;
  write?: number;
  checksum?: number;
}

/** A leaf vdev (one disk), as in pool.query's topology. */
export function disk(name: string, s: DiskSpec = {}): Record<string, unknown> {
  return {
    name: `${name}1`,
    type: 'DISK',
    path: `/dev/disk/by-partuuid/${name}-0001`,
    guid: String(Math.floor(Math.random() * 1e15)),
    status: s.status ?? 'ONLINE',
    disk: name,
    device: `${name}1`,
    unavail_disk: null,
    children: [],
    stats: {
      timestamp: 1_700_000_000,
      read_errors: s.read ?? 0,
      write_errors: s.write ?? 0,
      checksum_errors: s.checksum ?? 0,
      ops: [0, 812, 1033, 0, 0, 0, 0],
      bytes: [0, 1e9, 2e9, 0, 0, 0, 0],
      size: 0,
      allocated: 0,
      fragmentation: 0,
      self_healed: 0,
      configured_ashift: 12,
      logical_ashift: 9,
      physical_ashift: 12,
    },
  };
}

export function mirror(i: number, status: string, children: Record<string, unknown>[]): Record<string, unknown> {
  return group('MIRROR', i, status, children);
}

/** A non-leaf vdev of any layout: MIRROR, RAIDZ1, RAIDZ2, RAIDZ3 (named as TrueNAS names them: mirror-0, raidz2-1). */
export function group(type: string, i: number, status: string, children: Record<string, unknown>[]): Record<string, unknown> {
  return {
    name: `${type.toLowerCase()}-${i}`,
    type,
    path: null,
    guid: String(1e14 + i),
    status,
    disk: null,
    device: null,
    unavail_disk: null,
    children,
    stats: {
      timestamp: 1_700_000_000,
      read_errors: 0,
      write_errors: 0,
      checksum_errors: 0,
      ops: [],
      bytes: [],
      size: 0,
      allocated: 0,
      fragmentation: 0,
      self_healed: 0,
      configured_ashift: 12,
      logical_ashift: 9,
      physical_ashift: 12,
    },
  };
}

export interface PoolSpec {
  name: string;
  status?: string;
  healthy?: boolean;
  statusDetail?: string | null;
  size?: number;
  allocated?: number;
  data: Record<string, unknown>[];
  spare?: Record<string, unknown>[];
  cache?: Record<string, unknown>[];
  log?: Record<string, unknown>[];
}

let nextPoolId = 1;
/** A pool.query entry. */
export function pool(p: PoolSpec): Record<string, unknown> {
  const size = p.size ?? 3_985_729_650_688;
  const allocated = p.allocated ?? Math.round(size * 0.42);
  const healthy = p.healthy ?? (p.status ?? 'ONLINE') === 'ONLINE';
  return {
    id: nextPoolId++,
    name: p.name,
    guid: '15544237843719946435',
    status: p.status ?? 'ONLINE',
    path: `/mnt/${p.name}`,
    scan: {
      function: 'SCRUB',
      state: 'FINISHED',
      start_time: { $date: 1_700_000_000_000 },
      end_time: { $date: 1_700_003_600_000 },
      percentage: 99.99,
      bytes_to_process: 1e12,
      bytes_processed: 1e12,
      bytes_issued: 1e12,
      pause: null,
      errors: 0,
      total_secs_left: null,
    },
    expand: null,
    is_upgraded: true,
    healthy,
    warning: false,
    status_code: healthy ? 'OK' : 'DEGRADED',
    status_detail: p.statusDetail ?? null,
    size,
    allocated,
    free: size - allocated,
    freeing: 0,
    dedup_table_size: 0,
    dedup_table_quota: 'auto',
    fragmentation: '3',
    size_str: String(size),
    allocated_str: String(allocated),
    free_str: String(size - allocated),
    freeing_str: '0',
    autotrim: { parsed: 'off', rawvalue: 'off', source: 'DEFAULT', value: 'off' },
    topology: { data: p.data, log: p.log ?? [], cache: p.cache ?? [], spare: p.spare ?? [], special: [], dedup: [] },
  };
}

export function alert(level: string, formatted: string, o: { dismissed?: boolean; klass?: string } = {}): Record<string, unknown> {
  return {
    uuid: `a-${Math.random().toString(36).slice(2)}`,
    source: '',
    klass: o.klass ?? 'VolumeStatus',
    args: {},
    node: 'Controller A',
    key: 'k',
    datetime: { $date: 1_700_000_000_000 },
    last_occurrence: { $date: 1_700_000_000_000 },
    dismissed: o.dismissed ?? false,
    mail: null,
    text: '%(volume)s is %(state)s',
    id: 'x',
    level,
    formatted,
    one_shot: false,
  };
}

export interface TruenasState {
  apiKey: string;
  pools: Record<string, unknown>[];
  alerts: Record<string, unknown>[];
  /** accept connections and calls but never answer */
  silent?: boolean;
}

export interface FakeTruenas {
  port: number;
  /** PEM of the server's self-signed certificate (tls only) */
  cert: string | null;
  state: TruenasState;
  /** methods called, in order, with the API key replaced by its correctness */
  calls: string[];
  stop(): Promise<void>;
}

export async function startTruenas(state: TruenasState, opts: { tls: boolean; dnsNames?: string[] }): Promise<FakeTruenas> {
  let cert: string | null = null;
  let server: HttpServer;
  if (opts.tls) {
    const now = Date.now();
    const pems = await generate([{ name: 'commonName', value: 'truenas.local' }], {
      keySize: 2048,
      algorithm: 'sha256',
      notBeforeDate: new Date(now - 86400e3),
      notAfterDate: new Date(now + 30 * 86400e3),
      // by default the certificate names localhost and 127.0.0.1; `dnsNames` replaces both
      extensions: [
        {
          name: 'subjectAltName',
          altNames: opts.dnsNames
            ? opts.dnsNames.map((value) => ({ type: 2 as const, value }))
            : [
                { type: 2, value: 'localhost' },
                { type: 7, ip: '127.0.0.1' },
              ],
        },
      ],
    });
    cert = pems.cert;
    server = createHttps({ key: pems.private, cert: pems.cert });
  } else {
    server = createHttp();
  }
  const wss = new WebSocketServer({ server, path: '/api/current' });
  const calls: string[] = [];
  const sockets = new Set<WebSocket>();
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    let authed = false;
    ws.on('message', (raw) => {
      if (state.silent) return;
      const req = JSON.parse(raw.toString()) as { id: number; method: string; params: unknown[] };
      const reply = (body: Record<string, unknown>): void => ws.send(JSON.stringify({ jsonrpc: '2.0', id: req.id, ...body }));
      if (req.method === 'auth.login_with_api_key') {
        authed = req.params[0] === state.apiKey;
        calls.push(`${req.method}(${authed ? 'good key' : 'bad key'})`);
        return reply({ result: authed });
      }
      calls.push(req.method);
      if (!authed) {
        return reply({
          error: { code: -32001, message: 'Method call error', data: { error: 13, errname: 'EACCES', reason: 'Not authenticated', trace: null, extra: null } },
        });
      }
      if (req.method === 'pool.query') return reply({ result: state.pools });
      if (req.method === 'alert.list') return reply({ result: state.alerts });
      return reply({ error: { code: -32601, message: 'Method not found' } });
    });
  });
  server.listen(0, HOST);
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    cert,
    state,
    calls,
    stop: async () => {
      for (const s of sockets) s.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
