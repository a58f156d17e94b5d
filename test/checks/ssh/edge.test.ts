/**
 * The ssh check against servers that misbehave, on 127.0.0.1 with OS-chosen
 * ports: an ssh2 Server (to see what the check sends), a server that never
 * finishes key exchange, one that speaks another protocol, a silent one and
 * a closed port. Every failure ends by the timeout with a clear line.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import ssh2 from 'ssh2';
import { HOST, freePort } from '../../servers/common.ts';
import { ssh } from '../../../src/checks/ssh/index.ts';
import { fingerprint } from '../../../src/checks/ssh/hostkey.ts';
import { runDirect as runCheck } from '../../helpers/run-type.ts';

const { Server: SshServer, utils } = ssh2;
const TIMEOUT = 1; // seconds

/** A raw TCP server: `onConn` decides what each connection hears. */
async function rawServer(onConn: (s: Socket) => void): Promise<{ port: number; close(): void }> {
  const sockets = new Set<Socket>();
  const srv: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    onConn(s);
  });
  srv.listen(0, HOST);
  await once(srv, 'listening');
  return {
    port: (srv.address() as AddressInfo).port,
    close: () => {
      for (const s of sockets) s.destroy();
      srv.close();
    },
  };
}

describe('ssh check against an ssh2 server', () => {
  const kp = utils.generateKeyPairSync('ed25519');
  const blob = kp.public.split(' ')[1];
  let server: InstanceType<typeof SshServer>;
  let port: number;
  const debug: string[] = [];
  let authAttempts = 0;

  beforeAll(async () => {
    server = new SshServer({ hostKeys: [kp.private], debug: (m: string) => debug.push(m) }, (client) => {
      client.on('authentication', (ctx) => {
        authAttempts++;
        ctx.reject();
      });
      client.on('error', () => undefined);
    });
    server.listen(0, HOST);
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });

  afterAll(() => {
    server.close();
  });

  it('sends SSH_MSG_IGNORE after key exchange, disconnects, and never authenticates', async () => {
    debug.length = 0;
    const { outcome } = await runCheck(ssh, { hostname: HOST, port, hostkey: blob, timeout: 5 });
    expect(outcome.fail).toBe(false);
    expect(outcome.log).toEqual([`${HOST}:${port} '${blob}'`, 'ignore: None', 'close: None']);
    await expect.poll(() => debug.some((m) => m.includes('Received DISCONNECT'))).toBe(true);
    expect(debug.some((m) => m.includes('Inbound: Received IGNORE'))).toBe(true);
    expect(authAttempts).toBe(0);
  });

  it('does not send IGNORE when the key does not match', async () => {
    debug.length = 0;
    const wrong = utils.generateKeyPairSync('ed25519').public.split(' ')[1];
    const { outcome } = await runCheck(ssh, { hostname: HOST, port, hostkey: wrong, timeout: 5 });
    expect(outcome.softFail).toBe('hostkey');
    await expect.poll(() => debug.some((m) => m.includes('Received DISCONNECT'))).toBe(true);
    expect(debug.some((m) => m.includes('Received IGNORE'))).toBe(false);
  });

  it('matches a fingerprint given without the trailing "="', async () => {
    const fp = fingerprint(Buffer.from(blob, 'base64'));
    const { outcome } = await runCheck(ssh, { hostname: HOST, port, hostkey: fp, timeout: 5 });
    expect(outcome.fail).toBe(false);
  });
});

describe('ssh check against broken servers', () => {
  const servers: { close(): void }[] = [];
  afterAll(() => servers.forEach((s) => s.close()));
  const start = async (onConn: (s: Socket) => void): Promise<number> => {
    const s = await rawServer(onConn);
    servers.push(s);
    return s.port;
  };

  it('fails by the timeout when key exchange never completes', async () => {
    // a correct banner, then silence: KEXINIT never comes
    const port = await start((s) => s.write('SSH-2.0-Stuck_1.0\r\n'));
    const { outcome, elapsed } = await runCheck(ssh, { hostname: HOST, port, timeout: TIMEOUT });
    expect(outcome.fail).toBe(true);
    expect(outcome.log).toEqual([`${HOST} TimeoutError: key exchange not completed within ${TIMEOUT} s`]);
    expect(elapsed).toBeLessThan(TIMEOUT * 1000 + 1000);
  });

  it('fails by the timeout when the server says nothing', async () => {
    const port = await start(() => undefined);
    const { outcome, elapsed } = await runCheck(ssh, { hostname: HOST, port, timeout: TIMEOUT });
    expect(outcome.log).toEqual([`${HOST} SSHException: Error reading SSH protocol banner`]);
    expect(elapsed).toBeLessThan(TIMEOUT * 1000 + 1000);
  });

  it('names the wrong protocol when the server greets like SMTP', async () => {
    const port = await start((s) => s.write('220 mail.test ESMTP ready\r\n'));
    const { outcome } = await runCheck(ssh, { hostname: HOST, port, timeout: TIMEOUT });
    expect(outcome.fail).toBe(true);
    expect(outcome.log).toEqual([`${HOST} SSHException: Indecipherable protocol version "220 mail.test ESMTP ready"`]);
  });

  it('fails at once when an HTTP server answers and closes', async () => {
    const port = await start((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    const { outcome, elapsed } = await runCheck(ssh, { hostname: HOST, port, timeout: 5 });
    expect(outcome.log).toEqual([`${HOST} SSHException: Indecipherable protocol version "HTTP/1.1 400 Bad Request"`]);
    expect(elapsed).toBeLessThan(5000);
  });

  it("fails at once on an SSH-1 server, in paramiko's words", async () => {
    const port = await start((s) => s.write('SSH-1.5-Ancient\r\n'));
    const { outcome, elapsed } = await runCheck(ssh, { hostname: HOST, port, timeout: 5 });
    expect(outcome.log).toEqual([`${HOST} IncompatiblePeer: Incompatible version (1.5 instead of 2.0)`]);
    expect(elapsed).toBeLessThan(5000);
  });

  it('fails with the socket error on a closed port', async () => {
    const port = await freePort();
    const { outcome } = await runCheck(ssh, { hostname: HOST, port, timeout: TIMEOUT });
    expect(outcome.log).toEqual([`${HOST} ConnectionRefusedError: connect ECONNREFUSED ${HOST}:${port}`]);
    expect(outcome.metrics).toBeUndefined();
  });
});
