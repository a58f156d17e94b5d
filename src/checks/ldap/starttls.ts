/**
 * LDAP StartTLS (RFC 4511 §4.14, RFC 4513 §3): the extended request
 * 1.3.6.1.4.1.1466.20037 and its response, done here so that the upgrade
 * is shared/tls.ts' own (verification, days left, and the refusal of bytes
 * sent before the handshake) before ldapts is given the secured socket.
 * The request and the response are BER (X.690), written and read with
 * ldapts' own BER classes.
 */
import type { Socket } from 'node:net';
import { LineReader, ProtocolError } from '../shared/lines.ts';

export const STARTTLS_OID = '1.3.6.1.4.1.1466.20037';
/** An ExtendedResponse is a few dozen bytes; a server sending more is not answering StartTLS. */
const MAX_RESPONSE = 16 * 1024;

/** The server answered StartTLS with a result other than success (0). */
export class StartTlsError extends Error {
  override name = 'StartTlsError';
}

type Ldapts = typeof import('ldapts');

/** Reads one BER element (tag, length, contents) whole. */
async function readElement(r: LineReader): Promise<Buffer> {
  const head = await r.readExactly(2);
  if (head === null) throw new ProtocolError('the server closed the connection after StartTLS');
  if (head[0] !== 0x30) throw new ProtocolError(`not an LDAP message (tag 0x${head[0]!.toString(16)})`);
  let length = head[1]!;
  let lengthBytes: Buffer = Buffer.alloc(0);
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n < 1 || n > 4) throw new ProtocolError(`an LDAP message with a ${n}-byte length`);
    lengthBytes = (await r.readExactly(n)) ?? Buffer.alloc(0);
    if (lengthBytes.length !== n) throw new ProtocolError('the server closed the connection after StartTLS');
    length = lengthBytes.readUIntBE(0, n);
  }
  if (length > MAX_RESPONSE) throw new ProtocolError(`a StartTLS response of ${length} bytes`);
  const body = await r.readExactly(length);
  if (body === null) throw new ProtocolError('the server closed the connection after StartTLS');
  return Buffer.concat([head, lengthBytes, body]);
}

/**
 * Sends StartTLS as message 1 and returns the plain socket, with nothing
 * read past the response, ready for the handshake; throws StartTlsError
 * with the server's result code and diagnostic message otherwise.
 */
export async function startTls(sock: Socket, signal: AbortSignal, ldapts: Ldapts): Promise<Socket> {
  const reader = new LineReader(sock, signal);
  try {
    reader.write(new ldapts.ExtendedRequest({ messageId: 1, oid: STARTTLS_OID }).write());
    const ber = new ldapts.BerReader(await readElement(reader));
    ber.readSequence();
    const id = ber.readInt();
    // [APPLICATION 24] ExtendedResponse (RFC 4511 §4.12)
    if (id !== 1 || ber.readSequence() !== 0x78) throw new ProtocolError('the server did not answer StartTLS with an ExtendedResponse');
    const code = ber.readEnumeration();
    ber.readString();
    const diagnostic = ber.readString() ?? '';
    if (code !== 0) throw new StartTlsError(`StartTLS refused: result code ${String(code)}${diagnostic ? ` (${diagnostic.slice(0, 200)})` : ''}`);
    return reader.detach();
  } catch (e) {
    reader.close();
    throw e;
  }
}
