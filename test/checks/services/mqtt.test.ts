/**
 * mqtt against Mosquitto (test/servers/mosquitto.ts): an anonymous
 * listener, a password listener and a TLS listener with its test CA;
 * retained messages published with mosquitto_pub.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeDaemon, freePort, HOST, tempDir } from '../../servers/common.ts';
import { startMosquitto, MOSQUITTO_PROGRAMS, type Mosquitto } from '../../servers/mosquitto.ts';
import { startAedes, type AedesBroker } from '../../servers/aedes.ts';
import { metric, parseOptions, runCheck } from '../net/harness.ts';
import { checkType } from '../../../src/checks/registry.ts';

const ROOT = join(import.meta.dirname, '../../..');
/**
 * Loaded with --import into the CLI: at exit it prints whether the `debug` that
 * mqtt-packet loaded is the quiet one (src/federation/quiet-debug.ts). It only looks.
 */
const QUIET_PROBE = `
import { createRequire } from 'node:module';
import { writeSync } from 'node:fs';
process.on('exit', () => {
  const mqtt = createRequire(createRequire(${JSON.stringify(join(ROOT, 'package.json'))}).resolve('mqtt'));
  const packet = createRequire(mqtt.resolve('mqtt-packet'));
  const debug = packet.cache[packet.resolve('debug')];
  writeSync(2, 'QUIET=' + JSON.stringify(debug ? debug.exports.quiet === true : null) + '\\n');
});
`;

describeDaemon('mqtt against Mosquitto', [...MOSQUITTO_PROGRAMS, '/usr/bin/mosquitto_pub'], () => {
  let m: Mosquitto;
  beforeAll(async () => {
    m = await startMosquitto({ auth: true, tls: true });
    const pub = (topic: string, message: string): void => {
      execFileSync('/usr/bin/mosquitto_pub', ['-h', HOST, '-p', String(m.port), '-t', topic, '-m', message, '-r', '-q', '1'], { stdio: 'pipe' });
    };
    pub('site/queue', '42');
    pub('site/status', 'online');
  }, 60_000);
  afterAll(async () => m?.close());

  it('an accepted connection passes; response time as a metric', async () => {
    const o = await runCheck('mqtt', { hostname: HOST, port: m.port });
    expect(o.fail, o.log.join('\n')).toBe(false);
    expect(o.log).toEqual(['CONNACK: connection accepted']);
    expect(o.level).toBeNull();
    expect(metric(o, 'response_time')).toBeGreaterThan(0);
  });

  it('a broker that wants a login refuses an anonymous one, and a wrong password; the password is never shown', async () => {
    const anon = await runCheck('mqtt', { hostname: HOST, port: m.authPort });
    expect(anon.fail).toBe(true);
    expect(anon.log).toEqual(['127.0.0.1 MqttError: Connection refused: Not authorized']);
    const secret = 'wrong-mqtt-pass-7731';
    const wrong = await runCheck('mqtt', { hostname: HOST, port: m.authPort, username: m.user.username, password: secret });
    expect(wrong.log).toEqual(['127.0.0.1 MqttError: Connection refused: Not authorized']);
    expect(JSON.stringify(wrong)).not.toContain(secret);
    const ok = await runCheck('mqtt', { hostname: HOST, port: m.authPort, ...m.user });
    expect(ok.fail, ok.log.join('\n')).toBe(false);
  });

  it('a retained message is logged and judged; a number becomes level and metric', async () => {
    const o = await runCheck('mqtt', { hostname: HOST, port: m.authPort, ...m.user, topic: 'site/queue', maxValue: 100 });
    expect(o.fail, o.log.join('\n')).toBe(false);
    expect(o.log).toEqual(['CONNACK: connection accepted', "'site/queue': '42' (retained)"]);
    expect(o.level).toBe('42');
    expect(metric(o, 'value')).toBe(42);
    const text = await runCheck('mqtt', { hostname: HOST, port: m.port, topic: 'site/status', expect: 'online' });
    expect(text.fail, text.log.join('\n')).toBe(false);
  });

  it('a payload other than expected fails, showing the value', async () => {
    const o = await runCheck('mqtt', { hostname: HOST, port: m.port, topic: 'site/status', expect: 'offline' });
    expect(o.fail).toBe(true);
    expect(o.log.at(-1)).toBe("127.0.0.1 UnexpectedValue: 'online' is not the expected 'offline'");
    const high = await runCheck('mqtt', { hostname: HOST, port: m.port, topic: 'site/queue', maxValue: 10 });
    expect(high.log.at(-1)).toBe("127.0.0.1 UnexpectedValue: '42' is above the maximum 10");
    expect(high.level).toBe('42');
  });

  it('a topic without a retained message fails at the timeout, saying so', async () => {
    const o = await runCheck('mqtt', { hostname: HOST, port: m.port, topic: 'site/nothing-here', timeout: 1 });
    expect(o.fail).toBe(true);
    expect(o.log).toEqual(['CONNACK: connection accepted', "127.0.0.1 TimeoutError: no message on 'site/nothing-here' before the timeout (is one retained?)"]);
    expect(o.elapsedMs).toBeLessThan(2000);
  });

  it('TLS: a verified handshake with the password, days left as level and metric', async () => {
    const o = await runCheck('mqtt', { hostname: 'localhost', port: m.tlsPort, tls: true, ca: m.caFile, expiryDays: 0, ...m.user });
    expect(o.fail, o.log.join('\n')).toBe(false);
    expect(o.level).toMatch(/^[12] days$/);
    expect(metric(o, 'cert_days_left')).toBeGreaterThanOrEqual(1);
    const t = await runCheck('mqtt', { hostname: HOST, port: m.tlsPort, tls: true, ca: m.caFile, expiryDays: 0, ...m.user, topic: 'site/queue' });
    expect(t.level).toBe('42');
  });

  it('TLS: an untrusted certificate fails before CONNECT; the default window fails a 2-day certificate', async () => {
    const o = await runCheck('mqtt', { hostname: HOST, port: m.tlsPort, tls: true, ...m.user });
    expect(o.softFail).toBe('certificate');
    expect(o.log).toEqual(['127.0.0.1 SSLCertVerificationError: certificate verify failed: unable to verify the first certificate']);
    const soon = await runCheck('mqtt', { hostname: HOST, port: m.tlsPort, tls: true, ca: m.caFile, ...m.user });
    expect(soon.softFail).toBe('certificate');
    expect(soon.log[0]).toMatch(/^127\.0\.0\.1 SSLCertVerificationError: Certificate expires in [01] days$/);
  });

  it('from the built CLI (the bundle, `npm run build`): --run reads the retained message, mqtt.js loaded through loadMqtt with its tracing quiet', async () => {
    const t = tempDir('sw-mqtt-cli-');
    try {
      writeFileSync(join(t.dir, 'probe.mjs'), QUIET_PROBE);
      const site = { webui: null, checks: { broker: { type: 'mqtt', options: { hostname: HOST, port: m.authPort, ...m.user, topic: 'site/queue' } } } };
      writeFileSync(join(t.dir, 'site.json'), JSON.stringify(site));
      const cli = [join(ROOT, 'dist/bin/siteward.js'), '--config', join(t.dir, 'site.json'), '--run=broker'];
      const env = { ...process.env };
      delete env.DEBUG;
      const r = await promisify(execFile)(process.execPath, ['--import', join(t.dir, 'probe.mjs'), ...cli], { encoding: 'utf8', timeout: 60_000, env });
      expect(r.stdout.trim().split('\n')).toEqual(['broker (mqtt): PASS 42', '  CONNACK: connection accepted', "  'site/queue': '42' (retained)"]);
      expect(r.stderr).toContain('QUIET=true');
    } finally {
      t.cleanup();
    }
  }, 90_000);

  it('a run that connected ends with DISCONNECT, passing or failing, not a dropped connection', async () => {
    const before = m.log().length;
    expect((await runCheck('mqtt', { hostname: HOST, port: m.port, topic: 'site/queue' })).fail).toBe(false);
    expect((await runCheck('mqtt', { hostname: HOST, port: m.port, topic: 'site/queue', expect: '0' })).fail).toBe(true);
    // the broker logs the DISCONNECT as it handles it: wait for both lines, then look for a dropped one
    const lines = async (): Promise<string> => {
      for (
        let i = 0;
        i < 100 &&
        (
          m
            .log()
            .slice(before)
            .match(/siteward-check-[0-9a-f]+ disconnected\./g) ?? []
        ).length < 2;
        i++
      )
        await new Promise((r) => setTimeout(r, 50));
      return m.log().slice(before);
    };
    const log = await lines();
    expect(log.match(/Client siteward-check-[0-9a-f]+ disconnected\./g)).toHaveLength(2);
    expect(log).not.toMatch(/Client siteward-check-[0-9a-f]+ closed its connection/);
  });
});

describe('mqtt against aedes', () => {
  let a: AedesBroker;
  beforeAll(async () => {
    a = await startAedes();
    // the broker's ACL refuses this one topic (SUBACK 0x80, MQTT 3.1.1 §3.9.3)
    a.broker.authorizeSubscribe = (_client, sub, done) => (sub.topic === 'secret/topic' ? done(new Error('denied')) : done(null, sub));
  });
  afterAll(async () => a?.close());

  it('a refused subscription fails, naming the topic', async () => {
    const o = await runCheck('mqtt', { hostname: HOST, port: a.port, topic: 'secret/topic' });
    expect(o.fail).toBe(true);
    expect(o.log).toEqual(['CONNACK: connection accepted', "127.0.0.1 MqttError: the broker refused the subscription to 'secret/topic'"]);
  });
});

describe('mqtt without a broker', () => {
  it('a closed port fails with ConnectionRefusedError', async () => {
    const port = await freePort();
    const o = await runCheck('mqtt', { hostname: HOST, port });
    expect(o.log).toEqual([`127.0.0.1 ConnectionRefusedError: connect ECONNREFUSED 127.0.0.1:${port}`]);
  });
});

describe('mqtt options', () => {
  it('one topic (no wildcards); a password needs a username; a judgement needs a topic', () => {
    const t = checkType('mqtt')!;
    const env = { base: '/', pluginDirs: [], sysRoot: '/sys', procRoot: '/proc' };
    const wild = t.options.safeParse({ hostname: 'b', topic: 'site/#' });
    expect(wild.success).toBe(false);
    expect(wild.error?.issues[0]?.message).toBe('one topic: no + or # wildcards');
    expect(t.validate!(parseOptions('mqtt', { hostname: 'b', password: 'p' }), env)).toEqual([
      { path: ['username'], message: 'a username is needed with password' },
    ]);
    expect(t.validate!(parseOptions('mqtt', { hostname: 'b', expect: 'x' }), env)).toEqual([{ path: ['expect'], message: 'expect needs topic' }]);
  });
});
