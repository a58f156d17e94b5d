/**
 * `redis` — a Redis (or Valkey, KeyDB) server: connect (implicit TLS with
 * `tls`, Redis' `tls-port`), AUTH when a password is set (with a user name:
 * Redis 6 ACLs), PING, optionally GET one key and judge its value, QUIT.
 * RESP is small enough to speak directly (resp.ts) over the shared line
 * reader, which honours the run's timeout and bounds what it buffers.
 */
import { z } from 'zod';
import { defineCheck, type RunContext } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { hostnameOption, portOption, timeoutOption, tlsOptions } from '../shared/net-options.ts';
import { netRun, type NetRun } from '../shared/netrun.ts';
import { checkExpiry, connectTcp, connectTls, loadTrust } from '../shared/tls.ts';
import { LineReader, ProtocolError } from '../shared/lines.ts';
import { judgeValue, valueIssues, valueOptions, valueRepr, withValue } from '../shared/value.ts';
import { SecretSchema, resolveSecret } from '../../util/secret.ts';
import { strRepr } from '../../util/pyrepr.ts';
import { command, encodeCommand, RedisError } from './resp.ts';

export const RedisOptions = z.looseObject({
  ...commonCheckOptions,
  hostname: hostnameOption,
  port: portOption(6379),
  timeout: timeoutOption(5),
  tls: z.boolean().default(false).describe("TLS from the first byte (Redis' `tls-port`), with certificate verification and the expiry window"),
  username: z.string().min(1).max(256).optional().describe('ACL user for AUTH (Redis 6 and later); absent = the default user'),
  password: SecretSchema.optional().describe(
    'password for AUTH (`requirepass`, or the ACL user\'s): a string, {"env": "NAME"} or {"file": "/path"}; never logged',
  ),
  key: z.string().min(1).max(1024).optional().describe('GET this key after PING; its value is logged and judged'),
  ...valueOptions("the key's value"),
  ...tlsOptions,
});

type Opts = z.output<typeof RedisOptions>;

interface Read {
  value?: string | null;
}

async function dialogue(o: Opts, ctx: RunContext, run: NetRun, read: Read): Promise<void> {
  const password = o.password === undefined ? undefined : await resolveSecret(o.password, ctx.env.base);
  const port = o.port || 6379;
  let reader: LineReader;
  if (o.tls) {
    const trust = await loadTrust(o, ctx.env);
    const s = await connectTls({ host: o.hostname, port, trust, signal: ctx.signal, now: ctx.now });
    run.seen(s);
    reader = new LineReader(s.socket, ctx.signal);
    try {
      checkExpiry(s.days, o.expiryDays);
    } catch (e) {
      reader.close();
      throw e;
    }
  } else {
    reader = new LineReader(await connectTcp(o.hostname, port, ctx.signal), ctx.signal);
  }
  let polite = false;
  try {
    if (password !== undefined) {
      // AUTH [username] password; the reply is +OK or an error naming the cause, never the password
      const auth = await command(reader, o.username === undefined ? ['AUTH', password] : ['AUTH', o.username, password]);
      if (auth.kind !== 'status' || auth.text !== 'OK') throw new ProtocolError('AUTH was not answered with OK');
    }
    const pong = await command(reader, ['PING']);
    if (pong.kind !== 'status' || pong.text !== 'PONG')
      throw new ProtocolError(`PING was answered with ${pong.kind === 'status' ? strRepr(pong.text) : `a ${pong.kind} reply`}`);
    run.log.push('PING: PONG');
    if (o.key !== undefined) {
      const got = await command(reader, ['GET', o.key]);
      if (got.kind !== 'bulk') throw new ProtocolError(`GET was answered with a ${got.kind} reply`);
      read.value = got.value;
      run.log.push(`GET ${strRepr(o.key)}: ${valueRepr(got.value)}`);
      // a missing key (nil) has no value to judge
      judgeValue(got.value === null ? undefined : got.value, o);
    }
    run.pass();
    polite = true;
  } finally {
    if (polite) quit(reader);
    else reader.close();
  }
}

/** QUIT (the write is handed to the kernel at once), then close: Redis needs no answer to it. */
function quit(reader: LineReader): void {
  try {
    reader.write(encodeCommand(['QUIT']));
  } catch {
    // the connection is gone already
  }
  reader.close();
}

export const redis = defineCheck({
  type: 'redis',
  info: {
    summary: 'Redis server: connect (TLS optional), AUTH, PING, optionally GET a key and compare its value.',
    pass: 'PING is answered PONG (after an accepted AUTH when `password` is set; with `tls`, over a verified handshake with at least `expiryDays` days left) and, with `key`, its value meets `expect`, `minValue` and `maxValue` when they are set.',
  },
  options: RedisOptions,
  defaultTimeout: 5,
  validate(o) {
    const issues = valueIssues(o, { name: 'key', set: o.key !== undefined });
    if (o.username !== undefined && o.password === undefined) issues.push({ path: ['password'], message: 'a password is needed with username' });
    return issues;
  },
  async run(o, ctx) {
    const read: Read = {};
    const outcome = await netRun(o.hostname, (run) => dialogue(o, ctx, run, read));
    return withValue(outcome, read.value, o);
  },
});

export { RedisError };
