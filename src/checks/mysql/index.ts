/**
 * `mysql` — a MySQL or MariaDB server: connect, optionally TLS (the
 * protocol's in-band upgrade after the server's greeting), log in, and
 * optionally run one query whose first value is judged. The wire protocol
 * is mysql2's, loaded by the first run; the socket is opened and guarded
 * here (shared/guard.ts).
 *
 * TLS happens inside mysql2's handshake, so certificates are verified by
 * Node during the handshake (rejectUnauthorized, and mysql2's host name
 * check) rather than by shared/tls.ts: the login follows the handshake at
 * once, and must never go to an unverified server. mysql2 checks a host
 * *name* only, so for an IP address the chain is verified in the handshake
 * and the certificate's IP entries here, after the login; the days left
 * are read then too.
 */
import { z } from 'zod';
import { isIP } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Connection as CoreConnection, ConnectionOptions } from 'mysql2';
import type { Connection } from 'mysql2/promise';
import { defineCheck, type RunContext } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { hostnameOption, portOption, timeoutOption, tlsOptions } from '../shared/net-options.ts';
import { netRun, type NetRun } from '../shared/netrun.ts';
import { CertificateError, SslError, checkExpiry, connectTcp, daysLeft, loadTrust, type Trust } from '../shared/tls.ts';
import { SocketGuard } from '../shared/guard.ts';
import { judgeValue, queryLine, valueIssues, valueOptions, valueText, withValue } from '../shared/value.ts';
import { SecretSchema, resolveSecret } from '../../util/secret.ts';
import { relay } from './relay.ts';

/** A run reads at most this much (a query's reply included): see shared/guard.ts. */
export const REPLY_LIMIT = 1024 * 1024;

export const MysqlOptions = z.looseObject({
  ...commonCheckOptions,
  hostname: hostnameOption,
  port: portOption(3306),
  timeout: timeoutOption(10),
  username: z.string().min(1).max(256).describe('user to log in as (required)'),
  password: SecretSchema.optional().describe('password of `username`: a string, {"env": "NAME"} or {"file": "/path"}; never logged'),
  database: z.string().min(1).max(256).optional().describe('default database of the session (absent: none)'),
  tls: z
    .boolean()
    .default(false)
    .describe("require TLS (upgraded after the server's greeting, before the login), with certificate verification and the expiry window"),
  query: z
    .string()
    .trim()
    .min(1)
    .max(4096)
    .optional()
    .describe(
      'SQL run after the login, in a read-only session, e.g. "select count(*) from information_schema.processlist"; its first value (as text) is logged and judged',
    ),
  ...valueOptions("the query's first value"),
  ...tlsOptions,
});

type Opts = z.output<typeof MysqlOptions>;

/** An error the server sent (ERR packet), with its code and number. */
export class MysqlError extends Error {
  override name = 'MysqlError';
}

type Mysql2 = typeof import('mysql2');
let lib: Promise<Mysql2> | null = null;
/** mysql2 is loaded by the first mysql run: a site without one does not carry it (docs/performance.md). */
const loadMysql = (): Promise<Mysql2> => (lib ??= import('mysql2').then((m) => (m.default ?? m) as Mysql2));

/**
 * The `ssl` options for a run: a new object each time. mysql2 keeps TLS
 * sessions per options object and resumes them, and a resumed session
 * carries no peer certificate, so the days left (and an IP address's
 * identity) could not be read. The price: with extra CAs, mysql2 builds a
 * TLS context per run that parses Node's bundled roots again (tens of ms
 * of CPU, docs/performance.md); without them the default store is shared.
 */
function sslFor(trust: Trust, host: string): NonNullable<ConnectionOptions['ssl']> {
  if (trust.selfsigned) return { rejectUnauthorized: false, verifyIdentity: false };
  // mysql2 gives tls.connect no host name for an IP address, and Node then checks
  // the certificate against "localhost": the IP is checked after the handshake instead
  return { rejectUnauthorized: true, verifyIdentity: !isIP(host), ...(trust.ca ? { ca: trust.ca } : {}) };
}

/**
 * Node's certificate verification failures, reported as shared/tls.ts
 * reports its own (soft-fail `certificate`). mysql2 replaces the error's
 * code with HANDSHAKE_SSL_ERROR, so OpenSSL's text tells them from other
 * handshake failures (a client never sends a certificate here, so a TLS
 * alert about one cannot occur).
 */
function tlsError(e: Error): Error {
  if (/certificate|self[- ]signed|altnames/i.test(e.message)) return new CertificateError(`certificate verify failed: ${e.message}`);
  return new SslError(e.message);
}

/** An ERR packet from the server (mysql2 gives it `sqlMessage` and `errno`). */
function serverError(e: unknown): unknown {
  const x = e as { code?: unknown; errno?: unknown; sqlMessage?: unknown };
  if (e instanceof Error && typeof x.sqlMessage === 'string' && typeof x.errno === 'number') {
    return new MysqlError(`${x.sqlMessage} (${typeof x.code === 'string' ? `${x.code} ` : ''}${x.errno})`);
  }
  const code = (e as NodeJS.ErrnoException).code;
  if (e instanceof Error && code === 'HANDSHAKE_NO_SSL_SUPPORT') return new MysqlError('the server does not accept TLS');
  if (e instanceof Error && code === 'HANDSHAKE_SSL_ERROR') return tlsError(e);
  return e;
}

/** The server's version without MariaDB's "5.5.5-" prefix (kept for old replication clients). */
function version(v: unknown): string {
  return typeof v === 'string' && v ? v.replace(/^5\.5\.5-(?=.*MariaDB)/, '').slice(0, 100) : '(version not sent)';
}

/** What a run read: the query's first value (undefined: no query or no row; null: SQL NULL). */
interface Read {
  value?: string | null;
}

async function dialogue(o: Opts, ctx: RunContext, run: NetRun, read: Read): Promise<void> {
  const password = await resolveSecret(o.password, ctx.env.base);
  const trust = o.tls ? await loadTrust(o, ctx.env) : null;
  const mysql = await loadMysql();
  const port = o.port || 3306;
  const sock = await connectTcp(o.hostname, port, ctx.signal);
  // the guard and mysql2 start reading in the same tick: the greeting is already on its way
  const guard = new SocketGuard(sock, ctx.signal, REPLY_LIMIT);
  const config: ConnectionOptions = {
    // through a relay: with TLS, mysql2 wraps the stream it is given, and the guard must still count what arrives
    stream: () => relay(sock),
    host: o.hostname,
    port,
    user: o.username,
    password,
    database: o.database,
    ssl: trust ? sslFor(trust, o.hostname) : undefined,
    // no LOCAL INFILE (a server could ask for a local file) and one statement per query
    flags: ['-LOCAL_FILES', '-MULTI_STATEMENTS'],
    connectTimeout: 0,
    // every value as the text the server sent: `expect` compares text
    typeCast: (field, next) => (field.type === 'NULL' ? next() : field.string()),
    rowsAsArray: true,
  } as ConnectionOptions;
  const core: CoreConnection = mysql.createConnection(config);
  let conn: Connection | undefined;
  try {
    await guard.run(connected(core)).catch((e: unknown) => Promise.reject(serverError(e)));
    const c = core.promise();
    conn = c;
    const inner = core as unknown as { stream?: TLSSocket; _handshakePacket?: { serverVersion?: string } };
    if (trust) secured(inner.stream, o, ctx, run);
    run.log.push(`server ${version(inner._handshakePacket?.serverVersion)}`);
    if (o.query === undefined) {
      run.pass();
      return;
    }
    const query = async (sql: string): Promise<unknown> => guard.run(c.query({ sql, rowsAsArray: true })).catch((e: unknown) => Promise.reject(serverError(e)));
    // a check never writes (MySQL and MariaDB: the access mode of the session's next transactions)
    await query('SET SESSION TRANSACTION READ ONLY');
    const [rows] = (await query(o.query)) as [unknown];
    const list = Array.isArray(rows) ? (rows as unknown[][]) : [];
    const value = list.length ? valueText(list[0]?.[0]) : undefined;
    read.value = value;
    run.log.push(queryLine(list.length, value));
    judgeValue(value, o);
    run.pass();
  } finally {
    const c = conn;
    guard.close(c ? () => c.end() : undefined);
  }
}

/**
 * Resolves at mysql2's `connect`. A failed handshake is reported more than
 * once (the TLS error, then "connection lost" as the socket closes, in
 * either order), so the errors of one moment are gathered and the TLS one
 * wins.
 */
function connected(core: CoreConnection): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const errors: Error[] = [];
    core.once('connect', () => resolve());
    core.on('error', (e: Error) => {
      if (errors.push(e) > 1) return;
      setImmediate(() => reject(errors.find((x) => (x as NodeJS.ErrnoException).code === 'HANDSHAKE_SSL_ERROR') ?? errors[0]));
    });
  });
}

/** Days left and the expiry window; for an IP address, the identity mysql2 leaves unchecked. */
function secured(tls: TLSSocket | undefined, o: Opts, ctx: RunContext, run: NetRun): void {
  const cert = tls?.getPeerX509Certificate?.();
  run.days = daysLeft(cert, ctx.now());
  if (!o.selfsigned && isIP(o.hostname)) {
    if (cert?.checkIP(o.hostname) === undefined) {
      throw new CertificateError(`certificate verify failed: IP address mismatch, certificate is not valid for '${o.hostname}'.`, run.days);
    }
  }
  checkExpiry(run.days, o.expiryDays);
}

export const mysql = defineCheck({
  type: 'mysql',
  info: {
    summary: 'MySQL or MariaDB server: connect (TLS optional), log in, optionally run a query and compare its first value.',
    pass: 'the login succeeds (with `tls`: over a verified handshake with at least `expiryDays` days left) and, with `query`, the query runs and its first value meets `expect`, `minValue` and `maxValue` when they are set.',
  },
  options: MysqlOptions,
  defaultTimeout: 10,
  validate: (o) => valueIssues(o, { name: 'query', set: o.query !== undefined }),
  async run(o, ctx) {
    const read: Read = {};
    const outcome = await netRun(o.hostname, (run) => dialogue(o, ctx, run, read));
    return withValue(outcome, read.value, o);
  },
});
