/**
 * The JetStream API of a NATS server (test/servers/nats.ts), for tests that
 * change the server's state from outside the way an incident does. It
 * speaks the NATS client protocol over a plain socket (docs.nats.io,
 * "Client Protocol": CONNECT, SUB, PUB with a reply subject, the MSG that
 * answers, PING/PONG); the project has no NATS client library.
 *
 * The server's MQTT listener keeps each MQTT session as a record in the
 * `$MQTT_sess` stream (its client id, and per QoS 1 subscription the durable
 * JetStream consumer on `$MQTT_msgs` that delivers it).
 */
import { connect } from 'node:net';
import { HOST } from './common.ts';

/** An MQTT session as the server records it: the client id, and the consumer behind each QoS 1 filter (NATS subject form). */
export interface MqttSession {
  id: string;
  cons?: Record<string, { durable_name: string }>;
}

/** One request on a fresh connection: the JSON answer of `subject`. Bounded by `timeoutMs`. */
export function jsRequest(port: number, subject: string, body: unknown = {}, timeoutMs = 10_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, HOST);
    // latin1: one char per byte, so the MSG's byte count measures the string
    sock.setEncoding('latin1');
    let buf = '';
    const done = (e: Error | null, v?: unknown): void => {
      clearTimeout(timer);
      sock.destroy();
      if (e) reject(e);
      else resolve(v);
    };
    const timer = setTimeout(() => done(new Error(`NATS request ${subject}: no answer within ${timeoutMs} ms`)), timeoutMs);
    sock.on('error', (e) => done(e));
    sock.on('data', (d: string) => {
      buf += d;
      if (buf.includes('PING\r\n')) {
        sock.write('PONG\r\n');
        buf = buf.replace('PING\r\n', '');
      }
      const m = /MSG \S+ \S+ (\d+)\r\n/.exec(buf);
      if (!m) return;
      const start = m.index + m[0].length;
      const n = Number(m[1]);
      if (buf.length < start + n) return;
      try {
        done(null, JSON.parse(Buffer.from(buf.slice(start, start + n), 'latin1').toString('utf8')));
      } catch (e) {
        done(e as Error);
      }
    });
    const payload = Buffer.from(JSON.stringify(body));
    sock.write(`CONNECT {"verbose":false,"pedantic":false}\r\nSUB _INBOX.sw 1\r\nPUB ${subject} _INBOX.sw ${payload.length}\r\n`);
    sock.write(payload);
    sock.write('\r\n');
  });
}

/** The MQTT sessions the server holds now. */
export async function mqttSessions(port: number): Promise<MqttSession[]> {
  const info = (await jsRequest(port, '$JS.API.STREAM.INFO.$MQTT_sess')) as { state?: { first_seq: number; last_seq: number } };
  const out: MqttSession[] = [];
  for (let seq = info.state?.first_seq ?? 1; seq <= (info.state?.last_seq ?? 0); seq++) {
    // a record replaced by a newer one of the same session is gone: no `message`
    const r = (await jsRequest(port, '$JS.API.STREAM.MSG.GET.$MQTT_sess', { seq })) as { message?: { data: string } };
    if (r.message) out.push(JSON.parse(Buffer.from(r.message.data, 'base64').toString('utf8')) as MqttSession);
  }
  return out;
}

/** Deletes a JetStream consumer of the MQTT messages stream (an incident that loses it). */
export async function deleteMqttConsumer(port: number, name: string): Promise<void> {
  const r = (await jsRequest(port, `$JS.API.CONSUMER.DELETE.$MQTT_msgs.${name}`)) as { success?: boolean; error?: unknown };
  if (!r.success) throw new Error(`consumer ${name} not deleted: ${JSON.stringify(r.error)}`);
}
