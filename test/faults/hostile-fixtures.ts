/**
 * How each registered check type meets the hostile servers of
 * test/servers/hostile.ts: the transport it connects with, who speaks first,
 * a protocol-plausible prefix to drip one byte a second, an endless but
 * plausible stream to flood it with, and options pointing the check there.
 * Types that open no connection say why instead. Every registered type
 * needs an entry: the suite fails for a new type without one.
 */
import { createHash } from 'node:crypto';
import type { Transport } from '../servers/hostile.ts';

export interface Target {
  host: string;
  port: number;
}

export interface HostileCase {
  /** label of this case in test names */
  name: string;
  transport: Transport;
  starts: 'server' | 'client';
  /** dripped one byte a second: a reply that is never complete (absent: one byte already decides) */
  drip?: string | Buffer;
  /** what the failure line of the drip says, where it matters (fletchck's wording) */
  dripLine?: RegExp;
  /** the flood ends in a pass (cert's probe: any first reply passes, as fletchck's recv(1024)) */
  floodPasses?: boolean;
  /** flooded: `prefix` once, then `unit` again and again */
  flood: { prefix: string | Buffer | ((request: Buffer) => Buffer); unit: string | Buffer };
  options(t: Target): Record<string, unknown>;
}

export type HostileFixture = HostileCase[] | { local: string };

const b = (s: string | Buffer): Buffer => (typeof s === 'string' ? Buffer.from(s, 'latin1') : s);

/** An unmasked server WebSocket frame (RFC 6455 §5.2). */
export function wsFrame(opcode: number, fin: boolean, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0, len]) : len < 65536 ? Buffer.alloc(4) : Buffer.alloc(10);
  head[0] = (fin ? 0x80 : 0) | opcode;
  if (len >= 126 && len < 65536) {
    head[1] = 126;
    head.writeUInt16BE(len, 2);
  } else if (len >= 65536) {
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([head, payload]);
}

/** The 101 answer to a WebSocket upgrade request (RFC 6455 §4.2.2). */
export function wsAccept(request: Buffer): Buffer {
  const key = /^Sec-WebSocket-Key:\s*(\S+)/im.exec(request.toString('latin1'))?.[1] ?? '';
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  return b(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
}

const notification = b(
  JSON.stringify({ jsonrpc: '2.0', method: 'collection_update', params: [{ msg: 'changed', collection: 'flood', fields: { x: 'y'.repeat(200) } }] }),
);
const fragment = Buffer.alloc(16 * 1024, 0x61);

/** A TLS 1.2 ServerHello record header and the start of its body: a handshake that never completes. */
const serverHelloStart = Buffer.from([0x16, 0x03, 0x03, 0x00, 0x5a, 0x02, 0x00, 0x00, 0x56, 0x03, 0x03, ...Array.from({ length: 32 }, (_, i) => i)]);

const tls = { selfsigned: true, expiryDays: 0 };

/** An LDAP BindResponse, message 1, result success. */
const ldapBindOk = Buffer.from([0x30, 0x0c, 0x02, 0x01, 0x01, 0x61, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00]);

/** A PostgreSQL backend message: type byte, Int32 length (itself included), body (protocol docs §55.7). */
function pgMessage(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

export const hostileFixtures: Record<string, HostileFixture> = {
  ssh: [
    {
      name: 'banner',
      transport: 'tcp',
      starts: 'server',
      drip: 'SSH-2.0-OpenSSH_9.6p1 Debian\r\n',
      dripLine: /SSHException: Error reading SSH protocol banner$/,
      // RFC 4253 §4.2 lets a server send other lines before its version line
      flood: { prefix: '', unit: 'please wait, the server is starting up\r\n' },
      options: (t) => ({ hostname: t.host, port: t.port }),
    },
    {
      name: 'after banner',
      transport: 'tcp',
      starts: 'server',
      drip: 'SSH-2.0-OpenSSH_9.6p1\r\n\x00\x00\x05\xdc\x08\x14',
      flood: { prefix: 'SSH-2.0-OpenSSH_9.6p1\r\n', unit: Buffer.from([0x00, 0x00, 0x7f, 0xf0, 0x08, 0x14, ...Array.from({ length: 250 }, (_, i) => i)]) },
      options: (t) => ({ hostname: t.host, port: t.port }),
    },
  ],
  smtp: [
    {
      name: 'multi-line greeting',
      transport: 'tcp',
      starts: 'server',
      drip: '220-mail.example.com ESMTP ready\r\n220 ok\r\n',
      flood: { prefix: '', unit: '220-mail.example.com ESMTP still greeting you\r\n' },
      options: (t) => ({ hostname: t.host, port: t.port, tls: false }),
    },
  ],
  submit: [
    {
      name: 'multi-line greeting over TLS',
      transport: 'tls',
      starts: 'server',
      drip: '220 mail.example.com ESMTP ready\r\n',
      flood: { prefix: '', unit: '220-mail.example.com ESMTP still greeting you\r\n' },
      options: (t) => ({ hostname: t.host, port: t.port, ...tls }),
    },
  ],
  imap: [
    {
      name: 'untagged responses',
      transport: 'tls',
      starts: 'server',
      drip: '* OK [CAPABILITY IMAP4rev1] ready\r\n',
      flood: { prefix: '* OK [CAPABILITY IMAP4rev1] ready\r\n', unit: '* OK still here\r\n' },
      options: (t) => ({ hostname: t.host, port: t.port, ...tls }),
    },
    {
      name: 'chained literals',
      transport: 'tls',
      starts: 'server',
      drip: '* OK ready {10}\r\n',
      flood: { prefix: '* OK ready {1024}\r\n', unit: `${'x'.repeat(1024)}{1024}\r\n` },
      options: (t) => ({ hostname: t.host, port: t.port, ...tls }),
    },
  ],
  https: [
    {
      name: 'headers',
      transport: 'tls',
      starts: 'client',
      drip: 'HTTP/1.1 200 OK\r\nServer: drip\r\n\r\n',
      flood: { prefix: 'HTTP/1.1 200 OK\r\n', unit: 'X-Flood: more and more header lines\r\n' },
      options: (t) => ({ hostname: t.host, port: t.port, ...tls }),
    },
    {
      name: 'body',
      transport: 'tcp',
      starts: 'client',
      drip: 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nnot the needle',
      flood: { prefix: 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n', unit: '<p>flood</p>\n' },
      options: (t) => ({ hostname: t.host, port: t.port, tls: false, expectBody: 'needle-never-sent' }),
    },
    {
      name: 'json body',
      transport: 'tcp',
      starts: 'client',
      drip: 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"status":',
      flood: { prefix: 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[', unit: '{"status":"ok"},' },
      options: (t) => ({ hostname: t.host, port: t.port, tls: false, expectJson: [{ path: '$[*].status', equals: 'ok' }] }),
    },
  ],
  cert: [
    {
      // the handshake itself drips (after it, any first byte of the probe reply passes)
      name: 'handshake',
      transport: 'tcp',
      starts: 'client',
      drip: serverHelloStart,
      flood: { prefix: serverHelloStart.subarray(0, 5), unit: Buffer.alloc(4096, 0x41) },
      options: (t) => ({ hostname: t.host, port: t.port, ...tls }),
    },
    {
      name: 'probe reply',
      transport: 'tls',
      starts: 'client',
      floodPasses: true,
      flood: { prefix: '', unit: 'flood of the probe reply\n' },
      options: (t) => ({ hostname: t.host, port: t.port, probe: 'HELLO\r\n', ...tls }),
    },
  ],
  dns: [
    {
      name: 'udp',
      transport: 'udp',
      starts: 'client',
      drip: Buffer.from([0x12, 0x34, 0x81, 0x80]),
      flood: { prefix: (q) => q.subarray(0, 2), unit: Buffer.from([0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 0xc0]) },
      options: (t) => ({ hostname: t.host, port: t.port, reqName: 'svc.test', reqType: 'A' }),
    },
    {
      name: 'tcp',
      transport: 'tcp',
      starts: 'client',
      drip: Buffer.from([0x00, 0x40, 0x12, 0x34, 0x81, 0x80]),
      flood: { prefix: Buffer.from([0xff, 0xff]), unit: Buffer.from([0xc0, 0x0c]) },
      options: (t) => ({ hostname: t.host, port: t.port, reqName: 'svc.test', reqType: 'A', reqTcp: true }),
    },
  ],
  snmp: [
    {
      // the start of a v2c response (SEQUENCE, version 1, community…), one byte per datagram: none is a message
      name: 'udp',
      transport: 'udp',
      starts: 'client',
      drip: Buffer.from([0x30, 0x29, 0x02, 0x01, 0x01, 0x04, 0x06]),
      flood: { prefix: Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02, 0x01, 0x01, 0x04, 0x84, 0x7f, 0xff, 0xff, 0xf0]), unit: Buffer.from('public') },
      options: (t) => ({ hostname: t.host, port: t.port, oids: [{ oid: '1.3.6.1.2.1.1.5.0' }, { oid: '1.3.6.1.2.1.2.2.1.8', walk: true }] }),
    },
  ],
  browser: {
    local:
      "the page is read by Chromium, in its own process: nothing of it reaches siteward's memory but the log; a page that never loads fails at the timeout (test/checks/browser)",
  },
  docker: [
    {
      name: 'inspect',
      transport: 'tcp',
      starts: 'client',
      drip: 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 300\r\n\r\n{"State":',
      flood: { prefix: 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{"Env":[', unit: '"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin",' },
      options: (t) => ({ container: 'web', hostname: t.host, port: t.port }),
    },
  ],
  tcp: [
    {
      name: 'expect, server speaks first',
      transport: 'tcp',
      starts: 'server',
      drip: 'SSH-2.0-OpenSSH_9.6p1 Debian\r\n',
      flood: { prefix: '', unit: 'a banner that never says the expected word\r\n' },
      options: (t) => ({ hostname: t.host, port: t.port, expect: 'needle-never-sent' }),
    },
    {
      name: 'send and expect over TLS',
      transport: 'tls',
      starts: 'client',
      drip: '+PONG still coming',
      flood: { prefix: '', unit: '-ERR flood of a reply without the word\r\n' },
      options: (t) => ({ hostname: t.host, port: t.port, tls: true, send: 'PING\r\n', expect: 'needle-never-sent', ...tls }),
    },
  ],
  temp: [
    {
      name: 'event.xml',
      transport: 'tcp',
      starts: 'client',
      drip: 'HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n<?xml version="1.0"?>',
      flood: { prefix: 'HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n\r\n<?xml version="1.0"?><root><all>', unit: '<vs2>21.5&#176;C</vs2>\n' },
      options: (t) => ({ hostname: t.host, port: t.port }),
    },
  ],
  ups: [
    {
      name: 'variables',
      transport: 'tcp',
      starts: 'client',
      drip: 'BEGIN LIST VAR ups\nVAR ups battery.charge "100"\n',
      flood: { prefix: 'BEGIN LIST VAR ups\n', unit: 'VAR ups battery.charge "100"\n' },
      options: (t) => ({ upsName: 'ups', hostname: t.host, port: t.port }),
    },
  ],
  truenas: [
    {
      name: 'notifications',
      transport: 'tcp',
      starts: 'client',
      drip: 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n',
      flood: { prefix: wsAccept, unit: wsFrame(1, true, notification) },
      options: (t) => ({ hostname: t.host, port: t.port, tls: false, apiKey: 'hostile-key' }),
    },
    {
      name: 'endless fragmented message',
      transport: 'tcp',
      starts: 'client',
      drip: 'HTTP/1.1 101 Switching Protocols\r\n',
      flood: { prefix: (req) => Buffer.concat([wsAccept(req), wsFrame(1, false, fragment)]), unit: wsFrame(0, false, fragment) },
      options: (t) => ({ hostname: t.host, port: t.port, tls: false, apiKey: 'hostile-key' }),
    },
  ],
  postgres: [
    {
      // AuthenticationOk, then a ParameterStatus that never ends
      name: 'startup',
      transport: 'tcp',
      starts: 'client',
      drip: pgMessage('R', Buffer.from([0, 0, 0, 0])).toString('latin1') + 'S\x00\x00\x00\x19server_version\x00',
      flood: { prefix: pgMessage('R', Buffer.from([0, 0, 0, 0])), unit: pgMessage('N', Buffer.from('SNOTICE\x00Mstill starting up\x00\x00', 'latin1')) },
      options: (t) => ({ hostname: t.host, port: t.port, username: 'probe', password: 'hostile-pass' }),
    },
    {
      // a DataRow that declares 2 GB (PostgreSQL allows 1 GB values): buffered whole by the protocol parser
      name: 'huge message',
      transport: 'tcp',
      starts: 'client',
      flood: {
        prefix: Buffer.concat([pgMessage('R', Buffer.from([0, 0, 0, 0])), Buffer.from([0x44, 0x7f, 0xff, 0xff, 0xf0])]),
        unit: Buffer.alloc(16 * 1024, 0x61),
      },
      options: (t) => ({ hostname: t.host, port: t.port, username: 'probe', password: 'hostile-pass', query: 'select 1' }),
    },
  ],
  mysql: [
    {
      // the server's greeting (Handshake v10) never completes
      name: 'greeting',
      transport: 'tcp',
      starts: 'server',
      drip: Buffer.concat([Buffer.from([0x4a, 0, 0, 0, 0x0a]), Buffer.from('10.11.19-MariaDB\x00', 'latin1')]),
      // a packet of the largest length (16 MB − 1) continues into the next one, without end: buffered whole by the packet parser
      flood: { prefix: Buffer.from([0xff, 0xff, 0xff, 0x00]), unit: Buffer.alloc(16 * 1024, 0x61) },
      options: (t) => ({ hostname: t.host, port: t.port, username: 'probe', password: 'hostile-pass' }),
    },
  ],
  redis: [
    {
      name: 'status line',
      transport: 'tcp',
      starts: 'client',
      drip: '+PONG\r\n',
      flood: { prefix: '+', unit: 'PONG PONG PONG PONG ' },
      options: (t) => ({ hostname: t.host, port: t.port }),
    },
    {
      name: 'bulk length over TLS',
      transport: 'tls',
      starts: 'client',
      drip: '+PONG\r\n$3\r\n',
      flood: { prefix: '+PONG\r\n$', unit: '9999999999' },
      options: (t) => ({ hostname: t.host, port: t.port, tls: true, key: 'k', ...tls }),
    },
  ],
  ntp: [
    {
      // one-byte datagrams never make a 48-byte reply; a flood of replies that answer someone else's request
      name: 'udp',
      transport: 'udp',
      starts: 'client',
      drip: Buffer.from([0x24, 0x08, 0x00, 0xe7]),
      flood: { prefix: Buffer.alloc(0), unit: Buffer.concat([Buffer.from([0x24, 0x02, 0x00, 0xe7]), Buffer.alloc(44, 0x5a)]) },
      options: (t) => ({ hostname: t.host, port: t.port }),
    },
  ],
  mqtt: [
    {
      // CONNACK (MQTT 3.1.1 §3.2), then PUBLISH packets on a topic nobody subscribed to
      name: 'publish flood',
      transport: 'tcp',
      starts: 'client',
      drip: Buffer.from([0x20, 0x02, 0x00, 0x00]),
      flood: {
        prefix: Buffer.from([0x20, 0x02, 0x00, 0x00]),
        unit: Buffer.concat([Buffer.from([0x30, 0x10, 0x00, 0x03]), Buffer.from('x/yflood-flood', 'latin1')]),
      },
      options: (t) => ({ hostname: t.host, port: t.port, topic: 'site/status' }),
    },
    {
      // a PUBLISH of the largest remaining length (256 MB): buffered whole by the packet parser
      name: 'huge packet over TLS',
      transport: 'tls',
      starts: 'client',
      drip: Buffer.from([0x20, 0x02, 0x00, 0x00]),
      flood: { prefix: Buffer.from([0x20, 0x02, 0x00, 0x00, 0x30, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x0b]), unit: Buffer.alloc(16 * 1024, 0x61) },
      options: (t) => ({ hostname: t.host, port: t.port, tls: true, topic: 'site/status', ...tls }),
    },
  ],
  ldap: [
    {
      // BindResponse success (RFC 4511 §4.2.2), then SearchResultEntry messages without end
      name: 'search entries',
      transport: 'tcp',
      starts: 'client',
      drip: ldapBindOk,
      flood: {
        prefix: ldapBindOk,
        unit: Buffer.concat([
          Buffer.from([0x30, 0x24, 0x02, 0x01, 0x02, 0x64, 0x1f, 0x04, 0x1b]),
          Buffer.from('uid=flood,dc=example,dc=org', 'latin1'),
          Buffer.from([0x30, 0x00]),
        ]),
      },
      options: (t) => ({
        hostname: t.host,
        port: t.port,
        tls: 'none',
        username: 'cn=monitor,dc=example,dc=org',
        password: 'hostile-pass',
        base: 'dc=example,dc=org',
      }),
    },
    {
      // an LDAPMessage declaring 2 GB: buffered whole by the message parser
      name: 'huge message over LDAPS',
      transport: 'tls',
      starts: 'client',
      drip: ldapBindOk,
      flood: { prefix: Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xf0, 0x02, 0x01, 0x01]), unit: Buffer.alloc(16 * 1024, 0x61) },
      options: (t) => ({ hostname: t.host, port: t.port, tls: 'implicit', username: 'cn=monitor,dc=example,dc=org', password: 'hostile-pass', ...tls }),
    },
  ],
  disk: { local: 'reads statfs of a local path' },
  cpu: { local: 'reads /proc/stat' },
  memory: { local: 'reads /proc/meminfo' },
  net: { local: 'reads /proc/net/dev' },
  sequence: { local: 'runs other checks of the site' },
  remote: { local: 'fed by MQTT (test/federation/fuzz.test.ts floods it with 10,000 hostile payloads)' },
  push: { local: 'receives pushes on the API; opens no connection' },
  ping: { local: "ICMP echo through the system ping: no TCP or UDP stream to answer; its output is capped as exec's is" },
  exec: { local: 'runs a local plugin; its output is capped while the pipes are drained (src/checks/exec/spawn.ts)' },
};

export const asBuffer = b;
