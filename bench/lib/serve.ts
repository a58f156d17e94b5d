/**
 * Child process: the local servers the network benchmarks run checks
 * against, in their own process so that they do not share siteward's event
 * loop. Prints one JSON line with the ports and the CA file, then serves
 * until its stdin closes (the parent exits or ends it).
 *
 * - tcp: accepts and lets the client close (a port check's whole dialogue);
 * - tls: a TLS 1.3 server with a certificate from a throw-away test CA;
 * - silent: accepts and never says a word (checks that hang to their timeout).
 */
import { createServer as netServer, type Server, type Socket, type AddressInfo } from 'node:net';
import { createServer as tlsServer } from 'node:tls';
import { once } from 'node:events';
import { createTestCa } from '../../test/servers/testca.ts';
import { tempDir } from '../../test/servers/common.ts';

const HOST = '127.0.0.1';
// a burst of thousands of connects must not overflow the accept queue (capped by net.core.somaxconn)
const BACKLOG = 4096;

async function listen(server: Server): Promise<number> {
  server.listen({ port: 0, host: HOST, backlog: BACKLOG });
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

const quiet = (s: Socket): void => {
  s.on('error', () => undefined);
  // read and drop whatever comes; the client's FIN ends the socket (allowHalfOpen is off)
  s.resume();
};

const t = tempDir('sw-bench-srv-');
const ca = await createTestCa(t.dir);
const tcp = netServer(quiet);
const tls = tlsServer({ key: ca.valid.key, cert: ca.valid.cert }, quiet);
tls.on('tlsClientError', () => undefined);
const held = new Set<Socket>();
const silent = netServer((s) => {
  held.add(s);
  s.on('close', () => held.delete(s));
  quiet(s);
});
const ports = { tcp: await listen(tcp), tls: await listen(tls), silent: await listen(silent), caFile: ca.caFile };
process.stdout.write(`${JSON.stringify(ports)}\n`);

const shutdown = (): void => {
  for (const s of held) s.destroy();
  t.cleanup();
  process.exit(0);
};
process.stdin.on('end', shutdown);
process.stdin.on('close', shutdown);
process.stdin.resume();
process.on('SIGTERM', shutdown);
