/**
 * A Duplex that relays a connected socket. mysql2 upgrades to TLS with
 * `tls.connect({ socket })` on the stream it is given; on a net.Socket that
 * hands the socket's handle to the TLS layer and its `data` events stop, so
 * the run's guard (shared/guard.ts) could no longer count what arrives.
 * Over a relay, every byte still passes the socket's `data` event first
 * (Node docs: tls.connect `socket` may be "any Duplex stream").
 */
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

export function relay(sock: Socket): Duplex {
  const d = new Duplex({
    read() {
      sock.resume();
    },
    write(chunk: Buffer, _enc, cb) {
      sock.write(chunk, cb);
    },
    final(cb) {
      sock.end(cb);
    },
    destroy(e, cb) {
      sock.destroy();
      cb(e);
    },
  });
  sock.on('data', (chunk: Buffer) => {
    if (!d.push(chunk)) sock.pause();
  });
  sock.on('end', () => d.push(null));
  sock.on('error', (e) => d.destroy(e));
  sock.on('close', () => d.destroy());
  return d;
}
