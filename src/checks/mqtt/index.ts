/**
 * `mqtt` — an MQTT broker (MQTT 3.1.1): connect (implicit TLS with `tls`),
 * log in, and the broker's CONNACK decides; optionally subscribe to one
 * topic and wait for its message — a broker sends a topic's retained
 * message right after the subscription — whose payload is judged. The
 * protocol is mqtt.js' (already siteward's federation client), loaded by
 * the first run through federation/mqtt-lib.ts like every other client; the
 * socket is opened and guarded here (shared/guard.ts).
 */
import { z } from 'zod';
import { randomBytes } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { defineCheck, type RunContext } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { hostnameOption, portOption, timeoutOption, tlsOptions } from '../shared/net-options.ts';
import { netRun, type NetRun } from '../shared/netrun.ts';
import { checkExpiry, connectTcp, connectTls, loadTrust } from '../shared/tls.ts';
import { leanClient, loadMqtt } from '../../federation/mqtt-lib.ts';
import { SocketGuard } from '../shared/guard.ts';
import { judgeValue, valueIssues, valueOptions, valueRepr, withValue } from '../shared/value.ts';
import { SecretSchema, resolveSecret } from '../../util/secret.ts';
import { strRepr } from '../../util/pyrepr.ts';

/** A run reads at most this much (a retained message included): see shared/guard.ts. */
export const REPLY_LIMIT = 1024 * 1024;

export const MqttOptions = z.looseObject({
  ...commonCheckOptions,
  hostname: hostnameOption.describe('broker host name or IP address'),
  port: portOption(1883, ' (8883 with `tls`)'),
  timeout: timeoutOption(10),
  tls: z.boolean().default(false).describe('TLS from the first byte (MQTT over TLS, usually port 8883), with certificate verification and the expiry window'),
  username: z.string().min(1).max(256).optional().describe('user name sent in CONNECT'),
  password: SecretSchema.optional().describe('password sent in CONNECT: a string, {"env": "NAME"} or {"file": "/path"}; never logged'),
  topic: z
    .string()
    .min(1)
    .max(1024)
    .regex(/^[^+#]*$/, 'one topic: no + or # wildcards')
    .optional()
    .describe('subscribe to this topic and wait for its (retained) message; the payload (UTF-8) is logged and judged'),
  ...valueOptions("the message's payload"),
  ...tlsOptions,
});

type Opts = z.output<typeof MqttOptions>;

/** The broker refused the connection or the subscription, or closed it. */
export class MqttError extends Error {
  override name = 'MqttError';
}

/** CONNACK accepted, or the broker's refusal (mqtt.js words it "Connection refused: Not authorized"). */
function connack(client: MqttClient): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', (e) => reject(new MqttError(e.message)));
    client.once('close', () => reject(new MqttError('the broker closed the connection before CONNACK')));
  });
}

function subscribed(client: MqttClient, topic: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    client.subscribe(topic, { qos: 0 }, (err, granted) => {
      // SUBACK return code 0x80: the broker refused (MQTT 3.1.1 §3.9.3, e.g. by its ACL)
      if (err || granted?.some((g) => g.qos === 128)) reject(new MqttError(`the broker refused the subscription to ${strRepr(topic)}`));
      else resolve();
    });
  });
}

/**
 * The first message on `topic` (a retained one arrives right after SUBACK).
 * Listening starts before SUBACK; when the subscription fails, nobody waits
 * for this promise, so its rejection is marked handled here.
 */
function firstMessage(client: MqttClient, topic: string): Promise<{ payload: string; retained: boolean }> {
  const p = new Promise<{ payload: string; retained: boolean }>((resolve, reject) => {
    client.on('message', (t, payload, packet) => {
      if (t === topic) resolve({ payload: payload.toString('utf8'), retained: packet.retain });
    });
    client.once('close', () => reject(new MqttError('the broker closed the connection')));
  });
  p.catch(() => undefined);
  return p;
}

interface Read {
  value?: string | null;
}

async function dialogue(o: Opts, ctx: RunContext, run: NetRun, read: Read): Promise<void> {
  const password = o.password === undefined ? undefined : await resolveSecret(o.password, ctx.env.base);
  const { MqttClient } = await loadMqtt();
  const port = o.port || (o.tls ? 8883 : 1883);
  let sock;
  if (o.tls) {
    const trust = await loadTrust(o, ctx.env);
    const s = await connectTls({ host: o.hostname, port, trust, signal: ctx.signal, now: ctx.now });
    run.seen(s);
    sock = s.socket;
    try {
      checkExpiry(s.days, o.expiryDays);
    } catch (e) {
      sock.destroy();
      throw e;
    }
  } else {
    sock = await connectTcp(o.hostname, port, ctx.signal);
  }
  const guard = new SocketGuard(sock, ctx.signal, REPLY_LIMIT);
  const socket = sock;
  const client: MqttClient = new MqttClient(() => socket, {
    protocolVersion: 4,
    clientId: `siteward-check-${randomBytes(6).toString('hex')}`,
    clean: true,
    username: o.username,
    password,
    // one connection per run: no reconnects, no keep-alive timer; the guard ends it at the
    // run's timeout, so mqtt.js' own CONNACK timer is set past it
    reconnectPeriod: 0,
    keepalive: 0,
    connectTimeout: Math.ceil((o.timeout ?? 10) * 1000) + 1000,
    // no per-packet trace, no message-id Buffer cache for the whole process (mqtt-lib.ts)
    ...leanClient(),
  });
  client.on('error', () => undefined);
  let connected = false;
  try {
    await guard.run(connack(client));
    connected = true;
    run.log.push('CONNACK: connection accepted');
    if (o.topic !== undefined) {
      const message = firstMessage(client, o.topic);
      await guard.run(subscribed(client, o.topic));
      const got = await guard.run(message).catch((e: unknown) => {
        if (e instanceof Error && e.name === 'TimeoutError')
          throw Object.assign(new Error(`no message on ${strRepr(o.topic!)} before the timeout (is one retained?)`), { name: 'TimeoutError' });
        throw e;
      });
      read.value = got.payload;
      run.log.push(`${strRepr(o.topic)}: ${valueRepr(got.payload)}${got.retained ? ' (retained)' : ''}`);
      judgeValue(got.payload, o);
    }
    run.pass();
  } finally {
    // DISCONNECT once connected, so the broker logs no dropped client (and would publish no will)
    const polite = connected && !guard.error;
    guard.close(polite ? () => new Promise<void>((resolve) => client.end(false, {}, () => resolve())) : undefined);
    if (!polite) client.end(true);
  }
}

export const mqtt = defineCheck({
  type: 'mqtt',
  info: {
    summary: 'MQTT broker: connect (TLS optional) and log in; optionally subscribe to a topic and compare its retained message.',
    pass: 'the broker accepts the connection (with `tls`: over a verified handshake with at least `expiryDays` days left) and, with `topic`, a message arrives on it whose payload meets `expect`, `minValue` and `maxValue` when they are set.',
  },
  options: MqttOptions,
  defaultTimeout: 10,
  validate(o) {
    const issues = valueIssues(o, { name: 'topic', set: o.topic !== undefined });
    if (o.password !== undefined && o.username === undefined) issues.push({ path: ['username'], message: 'a username is needed with password' });
    return issues;
  },
  async run(o, ctx) {
    const read: Read = {};
    const outcome = await netRun(o.hostname, (run) => dialogue(o, ctx, run, read));
    return withValue(outcome, read.value, o);
  },
});
