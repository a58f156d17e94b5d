/**
 * SSH up to the end of key exchange and no further (spec §4.6): TCP connect,
 * version exchange, KEXINIT with paramiko's host-key order, key exchange,
 * then — when the caller accepts the host key — one SSH_MSG_IGNORE and a
 * polite disconnect. No authentication is ever attempted, so a check run
 * leaves no failed-login line in the server's log.
 */
import { Socket } from 'node:net';
import type { Client, ServerHostKeyAlgorithm } from 'ssh2';
import { abortReason } from '../shared/errors.ts';
import { PARAMIKO_HOST_KEY_ORDER } from './hostkey.ts';

type Ssh2Client = Client;
type ClientClass = typeof Client;

let ssh2Lib: Promise<ClientClass> | null = null;
/** ssh2 is loaded by the first ssh check run: a site without one does not carry it (docs/performance.md). */
const loadClient = (): Promise<ClientClass> => (ssh2Lib ??= import('ssh2').then((m) => m.Client));

/** An SSH failure, named like the paramiko exception fletchck would log. */
export class SshError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export interface PreauthOptions {
  host: string;
  port: number;
  /** fires at the check's timeout */
  signal: AbortSignal;
  /** the timeout in seconds, for the messages */
  timeoutS: number;
  /** decides on the host key blob after key exchange: true sends IGNORE before closing */
  accept(key: Buffer): boolean;
}

export interface Preauth {
  key: Buffer;
  /** the negotiated host-key algorithm, e.g. 'ssh-ed25519' */
  algorithm: string;
  accepted: boolean;
  /** milliseconds from the TCP connect to the end of key exchange */
  ms: number;
}

/** The ssh2 internals needed to send SSH_MSG_IGNORE, which ssh2 has no public call for. */
interface ProtocolInternals {
  _kexinit?: unknown;
  _packetRW?: { write?: { allocStart: number; alloc(n: number): Buffer; finalize(p: Buffer): Buffer } };
  _cipher?: { encrypt(p: Buffer): void };
}

const MSG_IGNORE = 2; // RFC 4253 §11.2

/**
 * Sends SSH_MSG_IGNORE (RFC 4253 §11.2) with a little random data, as
 * paramiko's `send_ignore()` does (fletchck logs `ignore: None`). It goes
 * through ssh2's own packet writer and cipher, the same path as ssh2's
 * `Protocol.ping()`; tests assert that a server receives it, so a change of
 * ssh2 internals shows up as a failing test, not a silent skip.
 */
export function sendIgnore(client: Ssh2Client): void {
  const proto = (client as unknown as { _protocol?: ProtocolInternals })._protocol;
  const w = proto?._packetRW?.write;
  if (!proto || !w || typeof w.alloc !== 'function' || typeof proto._cipher?.encrypt !== 'function' || proto._kexinit !== undefined) {
    throw new SshError('SSHException', 'cannot send SSH_MSG_IGNORE with this ssh2 version');
  }
  const data = Buffer.alloc(10 + Math.floor(Math.random() * 31), 0x20);
  const start = w.allocStart;
  const packet = w.alloc(1 + 4 + data.length);
  packet[start] = MSG_IGNORE;
  packet.writeUInt32BE(data.length, start + 1);
  data.copy(packet, start + 5);
  proto._cipher.encrypt(w.finalize(packet));
}

/** The first line a non-SSH server sent, printable, for the error message. */
function firstLine(received: Buffer): string {
  const line = received.toString('latin1').split(/\r?\n/)[0] ?? '';
  return line.slice(0, 80).replace(/[^\x20-\x7e]/g, '?');
}

type Why = { kind: 'timeout' } | { kind: 'closed' } | { kind: 'error'; cause: Error };

export async function preauth(o: PreauthOptions): Promise<Preauth> {
  return preauthWith(await loadClient(), o);
}

function preauthWith(Client: ClientClass, o: PreauthOptions): Promise<Preauth> {
  return new Promise<Preauth>((resolve, reject) => {
    const started = performance.now();
    const sock = new Socket();
    let stage: 'connect' | 'banner' | 'kex' | 'closing' = 'connect';
    let received = Buffer.alloc(0);
    let key: Buffer | null = null;
    let result: Preauth | null = null;
    let done = false;

    const finish = (e: Error | null): void => {
      if (done) return;
      done = true;
      o.signal.removeEventListener('abort', onAbort);
      sock.destroy();
      if (e) reject(e);
      else if (result) resolve(result);
      else reject(new SshError('SSHException', 'No existing session'));
    };
    /** What a failure means depends on how far the dialogue got. */
    const fail = (why: Why): void => {
      if (stage === 'closing') {
        finish(null); // the verdict is in; the way the connection ends does not matter
      } else if (stage === 'connect') {
        finish(why.kind === 'error' ? why.cause : Object.assign(new Error('timed out'), { name: 'TimeoutError' }));
      } else if (stage === 'banner') {
        // paramiko's texts: nothing that starts with "SSH-" came (RFC 4253 §4.2); a
        // line still incomplete at the timeout (a server dripping its banner) is a
        // banner that could not be read, not a wrong one
        const partial = why.kind === 'timeout' && !received.includes(0x0a);
        finish(
          received.length && !partial
            ? new SshError('SSHException', `Indecipherable protocol version "${firstLine(received)}"`)
            : new SshError('SSHException', 'Error reading SSH protocol banner'),
        );
      } else if (why.kind === 'timeout') {
        finish(new SshError('TimeoutError', `key exchange not completed within ${o.timeoutS} s`));
      } else if (why.kind === 'closed') {
        finish(new SshError('SSHException', 'Connection closed during key exchange'));
      } else {
        // socket errors keep their code (ECONNRESET…); protocol errors read like paramiko's
        const code = (why.cause as NodeJS.ErrnoException).code;
        const keep = why.cause instanceof SshError || (typeof code === 'string' && code.startsWith('E'));
        finish(keep ? why.cause : new SshError('SSHException', why.cause.message));
      }
    };
    const onAbort = (): void => {
      const r = abortReason(o.signal);
      fail(r.name === 'TimeoutError' ? { kind: 'timeout' } : { kind: 'error', cause: r });
    };
    if (o.signal.aborted) {
      onAbort();
      return;
    }
    o.signal.addEventListener('abort', onAbort, { once: true });

    sock.on('error', (e) => fail({ kind: 'error', cause: e }));
    sock.on('close', () => fail({ kind: 'closed' }));
    sock.on('data', (d: Buffer) => {
      if (stage !== 'banner') return;
      received = Buffer.concat([received, d]).subarray(0, 8192);
      // RFC 4253 §4.2: the server may send other lines before its "SSH-" line
      const ident = /(?:^|\n)SSH-([^-\r\n]*)-/.exec(received.toString('latin1'));
      if (!ident) return;
      stage = 'kex';
      // RFC 4253 §5.1: "1.99" is an SSH-2 server that also speaks SSH-1
      if (ident[1] !== '2.0' && ident[1] !== '1.99') {
        fail({ kind: 'error', cause: new SshError('IncompatiblePeer', `Incompatible version (${ident[1]} instead of 2.0)`) });
      }
    });
    sock.connect(o.port, o.host, () => {
      if (done) return;
      stage = 'banner';
      const c = new Client();
      c.on('error', (e: Error) => fail(stage === 'banner' ? { kind: 'closed' } : { kind: 'error', cause: e }));
      c.on('handshake', (negotiated) => {
        if (!key || stage === 'closing') return;
        stage = 'closing';
        let accepted = false;
        try {
          accepted = o.accept(key);
          if (accepted) sendIgnore(c);
        } catch (e) {
          stage = 'kex';
          fail({ kind: 'error', cause: e as Error });
          return;
        }
        result = { key, algorithm: negotiated.serverHostKey, accepted, ms: performance.now() - started };
        // DISCONNECT (by application), then FIN; done once it is flushed
        sock.once('finish', () => finish(null));
        c.end();
      });
      try {
        c.connect({
          sock,
          username: 'siteward',
          readyTimeout: 0, // the check's own signal bounds every stage
          algorithms: { serverHostKey: PARAMIKO_HOST_KEY_ORDER as ServerHostKeyAlgorithm[] },
          hostVerifier: (k: Buffer) => {
            key = Buffer.from(k);
            return true; // decide after key exchange, as paramiko does
          },
        });
      } catch (e) {
        fail({ kind: 'error', cause: e as Error });
      }
    });
  });
}
