/**
 * An in-process MQTT broker (aedes) on 127.0.0.1 with an OS-chosen port, for
 * fast federation tests. `pause()` closes the listener and drops every client
 * connection while the broker keeps its retained messages and sessions (a
 * network outage); `resume()` listens again on the same port.
 */
import { createServer, type Server, type Socket, type AddressInfo } from 'node:net';
import { Aedes } from 'aedes';
import { HOST } from './common.ts';

export interface AedesBroker {
  port: number;
  url: string;
  broker: Aedes;
  pause(): Promise<void>;
  resume(): Promise<void>;
  close(): Promise<void>;
}

export async function startAedes(): Promise<AedesBroker> {
  const broker = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const listen = (port: number): Promise<Server> =>
    new Promise((resolve, reject) => {
      const s = createServer((sock) => {
        sockets.add(sock);
        sock.on('close', () => sockets.delete(sock));
        broker.handle(sock);
      });
      s.on('error', reject);
      s.listen(port, HOST, () => resolve(s));
    });
  let server: Server | null = await listen(0);
  const port = (server.address() as AddressInfo).port;
  const pause = async (): Promise<void> => {
    const s = server;
    server = null;
    for (const sock of sockets) sock.destroy();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  };
  return {
    port,
    url: `mqtt://${HOST}:${port}`,
    broker,
    pause,
    resume: async () => {
      if (!server) server = await listen(port);
    },
    close: async () => {
      await pause();
      await new Promise<void>((r) => broker.close(() => r()));
    },
  };
}
