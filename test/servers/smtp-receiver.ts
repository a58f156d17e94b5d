/**
 * smtp-server on 127.0.0.1 in the three modes the email action speaks:
 * implicit TLS (SMTPS), STARTTLS, or plain; optional AUTH with one user.
 * Records each accepted message with its envelope, whether the session was
 * encrypted and who logged in.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { HOST } from './common.ts';
import { loopbackCert } from './loopback-cert.ts';

export interface SmtpMessage {
  from: string;
  to: string[];
  raw: string;
  secure: boolean;
  user: string | null;
}

export interface SmtpReceiver {
  port: number;
  cert: string;
  messages: SmtpMessage[];
  /** auth attempts refused */
  refusedLogins: number;
  close(): Promise<void>;
}

export async function startSmtp(opts: { mode: 'implicit' | 'starttls' | 'none'; auth?: { user: string; pass: string } }): Promise<SmtpReceiver> {
  const { cert, key } = await loopbackCert();
  const messages: SmtpMessage[] = [];
  const r: SmtpReceiver = { port: 0, cert, messages, refusedLogins: 0, close: async () => undefined };
  const server = new SMTPServer({
    secure: opts.mode === 'implicit',
    key,
    cert,
    logger: false,
    hideSTARTTLS: opts.mode === 'none',
    authOptional: !opts.auth,
    disabledCommands: opts.auth ? [] : ['AUTH'],
    onAuth(auth, _session, cb) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass) cb(null, { user: auth.username });
      else {
        r.refusedLogins++;
        cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      }
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((a) => a.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          secure: session.secure,
          user: typeof session.user === 'string' ? session.user : null,
        });
        cb();
      });
    },
  });
  // a client that rejects the certificate closes mid-handshake: not a test failure
  server.on('error', () => undefined);
  server.listen(0, HOST);
  await once(server.server, 'listening');
  r.port = (server.server.address() as AddressInfo).port;
  r.close = () => new Promise<void>((res) => server.close(() => res()));
  return r;
}
