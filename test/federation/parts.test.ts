/**
 * Small pure parts of the federation: connection settings (spec §7.1), the
 * bounded outage queue, status messages.
 */
import { describe, it, expect } from 'vitest';
import { MqttSchema } from '../../src/config/schema.ts';
import { resolveSettings, stableClientId, stableInstance, connectionKey } from '../../src/federation/options.ts';
import { OutboundQueue, type Outgoing } from '../../src/federation/queue.ts';
import { connectProperties, RECEIVE_MAXIMUM } from '../../src/federation/mqtt.ts';
import { decodeStatus, encodeStatus } from '../../src/federation/liveness.ts';

const site = { configPath: '/srv/a/site.json', base: '/srv/a' };
const settings = (m: Record<string, unknown>) => resolveSettings(MqttSchema.parse(m), site);

describe('connection settings (spec §7.1)', () => {
  it.each([
    {
      name: 'defaults: localhost:1883, QoS 1, retain, persist',
      m: {},
      want: { url: 'mqtt://localhost:1883', qos: 1, retain: true, clean: false, autoadd: true, enabled: true, protocolVersion: 4, keepalive: 60 },
    },
    { name: 'tls without a port: 8883', m: { tls: true, hostname: 'broker.lan' }, want: { url: 'mqtts://broker.lan:8883' } },
    { name: 'a null hostname means localhost', m: { hostname: null, port: 1999 }, want: { url: 'mqtt://localhost:1999' } },
    { name: 'an empty hostname never connects', m: { hostname: '' }, want: { enabled: false } },
    { name: 'persist false = clean session', m: { persist: false }, want: { clean: true } },
    { name: 'QoS above 2 is clamped', m: { qos: 7 }, want: { qos: 2 } },
    { name: 'a username alone is not sent', m: { username: 'u' }, want: { username: undefined, password: undefined } },
    { name: 'both credentials are sent', m: { username: 'u', password: 'p' }, want: { username: 'u', password: 'p' } },
    { name: 'an IPv6 host is bracketed', m: { hostname: '::1' }, want: { url: 'mqtt://[::1]:1883' } },
    { name: 'MQTT 5 on request', m: { protocol: '5' }, want: { protocolVersion: 5 } },
    { name: 'status topic: trailing slash removed, empty disables', m: { statustopic: 'fleet/status/' }, want: { statusPrefix: 'fleet/status' } },
    { name: 'no liveness when the status topic is null', m: { statustopic: null }, want: { statusPrefix: null } },
  ])('$name', ({ m, want }) => {
    expect(settings(m)).toMatchObject(want);
  });

  it('reads the password from the environment or a file, never from a bad reference', () => {
    process.env.SW_TEST_MQTT_PW = 'from-env';
    expect(settings({ username: 'u', password: { env: 'SW_TEST_MQTT_PW' } }).password).toBe('from-env');
    expect(settings({ username: 'u', password: { env: 'SW_TEST_NOT_SET_ANYWHERE' } }).error).toMatch(/SW_TEST_NOT_SET_ANYWHERE is not set/);
    expect(settings({ username: 'u', password: { file: 'no-such-file' } }).error).toMatch(/cannot read no-such-file: ENOENT/);
    delete process.env.SW_TEST_MQTT_PW;
  });

  it('the client id is stable for a site, differs between sites, and fits MQTT 3.1.1 limits', () => {
    const a = stableClientId('/srv/a/site.json', 'host1');
    expect(stableClientId('/srv/a/site.json', 'host1')).toBe(a);
    expect(stableClientId('/srv/b/site.json', 'host1')).not.toBe(a);
    expect(stableClientId('/srv/a/site.json', 'host2')).not.toBe(a);
    expect(a).toMatch(/^[0-9a-zA-Z]{1,23}$/);
    expect(settings({}).clientId).toBe(stableClientId('/srv/a/site.json'));
    expect(settings({ clientid: 'mine' })).toMatchObject({ clientId: 'mine', instance: 'mine' });
    expect(stableInstance('/srv/a/site.json', 'web-1.example.net')).toMatch(/^web-1-[0-9a-f]{6}$/);
    expect(stableInstance('/srv/b/site.json', 'web-1.example.net')).not.toBe(stableInstance('/srv/a/site.json', 'web-1.example.net'));
    expect(settings({}).instance).toBe(stableInstance('/srv/a/site.json'));
    expect(settings({ clientid: 'mine', instance: 'web-1' }).instance).toBe('web-1');
  });

  it('rejects an instance name that is not one topic level', () => {
    expect(MqttSchema.safeParse({ instance: 'a/b' }).success).toBe(false);
    expect(MqttSchema.safeParse({ instance: 'a+' }).success).toBe(false);
    expect(MqttSchema.safeParse({ statustopic: 'x/#' }).success).toBe(false);
  });

  it('MQTT 5 asks for a session that outlives the connection when persisting, and bounds the messages in flight; 3.1.1 sends no properties', () => {
    expect(connectProperties({ protocolVersion: 4, clean: false })).toBeUndefined();
    expect(connectProperties({ protocolVersion: 5, clean: false })).toEqual({ sessionExpiryInterval: 0xffffffff, receiveMaximum: RECEIVE_MAXIMUM });
    expect(connectProperties({ protocolVersion: 5, clean: true })).toEqual({ receiveMaximum: RECEIVE_MAXIMUM });
    expect(RECEIVE_MAXIMUM).toBeGreaterThan(20);
  });

  it('only connection settings need a new connection', () => {
    const k = connectionKey(settings({}));
    expect(connectionKey(settings({ autoadd: false, retain: false, queuesize: 5, maxpayload: 4096 }))).toBe(k);
    for (const m of [{ port: 1884 }, { basetopic: 'x/#' }, { qos: 0 }, { persist: false }, { username: 'u', password: 'p' }, { instance: 'i' }]) {
      expect(connectionKey(settings(m))).not.toBe(k);
    }
  });
});

describe('the outage queue', () => {
  const m = (topic: string, n: number): Outgoing => ({ topic, payload: Buffer.from(String(n)), qos: 1, retain: true });
  const show = (q: OutboundQueue): string[] => q.take().map((x) => `${x.topic}=${x.payload.toString()}`);

  it('keeps order and everything while below its bound', () => {
    const q = new OutboundQueue(10);
    for (let i = 0; i < 5; i++) q.push(m(`t${i % 2}`, i));
    expect(show(q)).toEqual(['t0=0', 't1=1', 't0=2', 't1=3', 't0=4']);
  });

  it('when full drops the oldest message a newer one to the same topic supersedes', () => {
    const q = new OutboundQueue(3);
    q.push(m('a', 1));
    q.push(m('b', 2));
    q.push(m('b', 3));
    q.push(m('c', 4));
    expect(show(q)).toEqual(['a=1', 'b=3', 'c=4']);
    expect(q.dropped).toBe(1);
  });

  it('with all topics distinct drops the oldest', () => {
    const q = new OutboundQueue(2);
    for (const [t, n] of [
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ] as const)
      q.push(m(t, n));
    expect(show(q)).toEqual(['b=2', 'c=3']);
  });

  it('a smaller limit trims at once; zero keeps nothing', () => {
    const q = new OutboundQueue(5);
    for (let i = 0; i < 5; i++) q.push(m(`t${i}`, i));
    q.setLimit(2);
    expect(q.size).toBe(2);
    q.setLimit(0);
    q.push(m('x', 9));
    expect(q.size).toBe(0);
  });
});

describe('status messages', () => {
  const buf = (s: string) => Buffer.from(s);
  it.each([
    {
      topic: 'siteward/status/web-1',
      payload: encodeStatus({ siteward: '1', instance: 'web-1', site: 's', state: 'offline', reason: 'connection lost' }),
      want: { kind: 'status', instance: 'web-1', state: 'offline', reason: 'connection lost' },
    },
    { topic: 'siteward/status/web-1', payload: buf(''), want: { kind: 'cleared', instance: 'web-1' } },
    { topic: 'siteward/status/a/b', payload: buf('{}'), want: { kind: 'invalid' } },
    { topic: 'siteward/status/a', payload: buf('[1]'), want: { kind: 'invalid' } },
    { topic: 'siteward/status/a', payload: buf('{"state":"asleep"}'), want: { kind: 'invalid' } },
    { topic: 'siteward/status/a', payload: Buffer.from([0xff]), want: { kind: 'invalid' } },
  ])('$topic $payload', ({ topic, payload, want }) => {
    expect(decodeStatus('siteward/status', topic, payload)).toMatchObject(want);
  });

  it('has no "name" key, so fletchck peers never take it for a check', () => {
    const s = JSON.parse(encodeStatus({ siteward: '1', instance: 'x', site: 's', state: 'online' }).toString()) as Record<string, unknown>;
    expect(s).not.toHaveProperty('name');
  });
});
