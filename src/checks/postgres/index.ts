/**
 * `postgres` — a PostgreSQL server: connect (optionally TLS through
 * SSLRequest, with the shared verification and expiry window), log in, and
 * optionally run one query whose first value is compared with `expect`.
 * The wire protocol (startup, SCRAM/MD5/password authentication, simple
 * query) is node-postgres' (`pg`), loaded by the first run; the socket is
 * opened and guarded here (shared/guard.ts).
 */
import { z } from 'zod';
import type { Socket } from 'node:net';
import type { Client as PgClient, ClientConfig } from 'pg';
import { defineCheck, type RunContext } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { hostnameOption, portOption, timeoutOption, tlsOptions } from '../shared/net-options.ts';
import { netRun, type NetRun } from '../shared/netrun.ts';
import { checkExpiry, connectTcp, connectTls, loadTrust, type Trust } from '../shared/tls.ts';
import { LineReader, ProtocolError } from '../shared/lines.ts';
import { SocketGuard } from '../shared/guard.ts';
import { judgeValue, queryLine, valueIssues, valueOptions, valueText, withValue } from '../shared/value.ts';
import { SecretSchema, resolveSecret } from '../../util/secret.ts';

/** A run reads at most this much (a query's reply included): see shared/guard.ts. */
export const REPLY_LIMIT = 1024 * 1024;

export const PostgresOptions = z.looseObject({
  ...commonCheckOptions,
  hostname: hostnameOption,
  port: portOption(5432),
  timeout: timeoutOption(10),
  username: z.string().min(1).max(256).describe('role to log in as (required: PostgreSQL has no anonymous login)'),
  password: SecretSchema.optional().describe('password of `username`: a string, {"env": "NAME"} or {"file": "/path"}; never logged'),
  database: z.string().min(1).max(256).optional().describe("database to connect to; absent = the one named like `username` (PostgreSQL's rule)"),
  tls: z
    .boolean()
    .default(false)
    .describe(
      'require TLS (SSLRequest before the login), with certificate verification and the expiry window; the password never travels before the handshake is verified',
    ),
  query: z
    .string()
    .trim()
    .min(1)
    .max(4096)
    .optional()
    .describe(
      'SQL run after the login, in a read-only session, e.g. "select count(*) from pg_stat_replication"; its first value (as text) is logged and judged',
    ),
  ...valueOptions("the query's first value"),
  ...tlsOptions,
});

type Opts = z.output<typeof PostgresOptions>;

/** PostgreSQL's SSLRequest code (protocol docs §55.2.10 "SSL Session Encryption"; 1234 << 16 | 5679). */
const SSL_REQUEST_CODE = 80877103;

/** A PostgreSQL ErrorResponse, named so the detail line says which server said what. */
export class PostgresError extends Error {
  override name = 'PostgresError';
}

let pgLib: Promise<typeof import('pg')> | null = null;
/** pg is loaded by the first postgres run: a site without one does not carry it (docs/performance.md). */
const loadPg = (): Promise<typeof import('pg')> => (pgLib ??= import('pg').then((m) => (m.default ?? m) as typeof import('pg')));

/**
 * Asks for TLS and upgrades (protocol §55.2.10): the server answers one byte,
 * 'S' to go ahead or 'N'. Anything after that byte and before the handshake
 * would be read as if it came over TLS (CVE-2021-23214), so it is refused.
 */
async function startTls(sock: Socket, trust: Trust, o: Opts, ctx: RunContext, run: NetRun): Promise<Socket> {
  const reader = new LineReader(sock, ctx.signal);
  try {
    const request = Buffer.alloc(8);
    request.writeInt32BE(8, 0);
    request.writeInt32BE(SSL_REQUEST_CODE, 4);
    reader.write(request);
    const answer = await reader.readExactly(1);
    if (answer === null) throw new PostgresError('the server closed the connection after SSLRequest');
    if (answer[0] === 0x4e) throw new PostgresError('the server does not accept TLS (it answered N to SSLRequest)');
    if (answer[0] !== 0x53) throw new ProtocolError(`the server answered SSLRequest with ${JSON.stringify(answer.toString('latin1'))}`);
    const s = await connectTls({ host: o.hostname, port: o.port ?? 5432, trust, signal: ctx.signal, now: ctx.now, socket: reader.detach() });
    run.seen(s);
    checkExpiry(s.days, o.expiryDays);
    return s.socket;
  } catch (e) {
    reader.close();
    throw e;
  }
}

/** pg calls connect(port, host) on the stream it is given and waits for 'connect' (pg/lib/connection.js); ours is connected already. */
function connected(sock: Socket): Socket {
  Object.defineProperty(sock, 'connect', {
    value: () => {
      process.nextTick(() => sock.emit('connect'));
      return sock;
    },
  });
  return sock;
}

/** An ErrorResponse from the server (pg's DatabaseError) with its SQLSTATE. */
function serverError(e: unknown): unknown {
  const x = e as { code?: unknown; severity?: unknown; message?: string };
  if (e instanceof Error && typeof x.code === 'string' && /^[0-9A-Z]{5}$/.test(x.code) && typeof x.severity === 'string') {
    return new PostgresError(`${x.message} (SQLSTATE ${x.code})`);
  }
  return e;
}

/** What a run read: the query's first value (undefined: no query or no row; null: SQL NULL). */
interface Read {
  value?: string | null;
}

async function dialogue(o: Opts, ctx: RunContext, run: NetRun, read: Read): Promise<void> {
  // resolved before connecting: a missing secret fails without touching the server
  const password = await resolveSecret(o.password, ctx.env.base);
  const pg = await loadPg();
  const port = o.port || 5432;
  // a CA file that cannot be read fails before connecting
  const trust = o.tls ? await loadTrust(o, ctx.env) : null;
  let sock = await connectTcp(o.hostname, port, ctx.signal);
  if (trust) sock = await startTls(sock, trust, { ...o, port }, ctx, run);
  let version = '';
  const config: ClientConfig = {
    stream: () => connected(sock),
    host: o.hostname,
    port,
    user: o.username,
    // a function: pg reads PGPASSWORD (or ~/.pgpass) for an empty or absent password string
    password: async () => password,
    database: o.database ?? o.username,
    ssl: false,
    application_name: 'siteward',
    // a check never writes, and the server stops a query the run no longer waits for
    options: '-c default_transaction_read_only=on',
    statement_timeout: Math.ceil((o.timeout ?? 10) * 1000),
    // every value as the text the server sent: `expect` compares text
    types: { getTypeParser: () => (v: string) => v } as unknown as ClientConfig['types'],
  };
  const client: PgClient = new pg.Client(config);
  const guard = new SocketGuard(sock, ctx.signal, REPLY_LIMIT);
  client.on('error', () => undefined);
  client.connection.on('parameterStatus', (m: { parameterName?: string; parameterValue?: string }) => {
    if (m.parameterName === 'server_version') version = String(m.parameterValue).slice(0, 100);
  });
  try {
    await guard.run(client.connect()).catch((e: unknown) => Promise.reject(serverError(e)));
    run.log.push(`PostgreSQL ${version || '(version not sent)'}`);
    if (o.query === undefined) {
      run.pass();
      return;
    }
    const r = await guard.run(client.query({ text: o.query, rowMode: 'array' })).catch((e: unknown) => Promise.reject(serverError(e)));
    // several statements in one query: pg answers one result per statement; the last counts
    const last = Array.isArray(r) ? (r.at(-1) as (typeof r)[number] | undefined) : r;
    const rows = (last?.rows ?? []) as unknown[][];
    const value = rows.length ? valueText(rows[0]?.[0]) : undefined;
    read.value = value;
    run.log.push(queryLine(rows.length, value));
    judgeValue(value, o);
    run.pass();
  } finally {
    guard.close(() => client.end());
  }
}

export const postgres = defineCheck({
  type: 'postgres',
  info: {
    summary: 'PostgreSQL server: connect (TLS optional), log in, optionally run a query and compare its first value.',
    pass: 'the login succeeds (with `tls`: over a verified handshake with at least `expiryDays` days left) and, with `query`, the query runs and its first value meets `expect`, `minValue` and `maxValue` when they are set.',
  },
  options: PostgresOptions,
  defaultTimeout: 10,
  validate: (o) => valueIssues(o, { name: 'query', set: o.query !== undefined }),
  async run(o, ctx) {
    const read: Read = {};
    const outcome = await netRun(o.hostname, (run) => dialogue(o, ctx, run, read));
    return withValue(outcome, read.value, o);
  },
});
