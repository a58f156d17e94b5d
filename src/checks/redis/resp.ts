/**
 * The few pieces of RESP, the Redis serialization protocol, that a check
 * needs (https://redis.io/docs/latest/develop/reference/protocol-spec/):
 * a command is an array of bulk strings; a reply is a simple string (+),
 * an error (-), an integer (:), a bulk string ($, −1 = nil) or, in RESP3,
 * a null (_). A check sends no command whose reply is an array.
 */
import { LineReader, ProtocolError } from '../shared/lines.ts';
import { ReplyTooLarge } from '../shared/guard.ts';

/** The longest status or error line read; Redis' own are far shorter. */
const MAX_LINE = 64 * 1024;
/** The largest bulk string (a key's value) read: below the line reader's 1 MiB buffer (shared/lines.ts). */
export const MAX_BULK = 512 * 1024;

/** An error reply (`-ERR …`, `-WRONGPASS …`, `-NOAUTH …`). */
export class RedisError extends Error {
  override name = 'RedisError';
}

export type Reply = { kind: 'status'; text: string } | { kind: 'integer'; value: number } | { kind: 'bulk'; value: string | null };

/** `*<n>\r\n` then `$<bytes>\r\n<arg>\r\n` per argument (UTF-8). */
export function encodeCommand(args: string[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`, 'latin1')];
  for (const a of args) {
    const b = Buffer.from(a, 'utf8');
    parts.push(Buffer.from(`$${b.length}\r\n`, 'latin1'), b, Buffer.from('\r\n', 'latin1'));
  }
  return Buffer.concat(parts);
}

function printable(line: Buffer): string {
  return line
    .subarray(0, 80)
    .toString('latin1')
    .replace(/[^\x20-\x7e]/g, '?');
}

/** Reads one reply; an error reply throws RedisError with the server's text. */
export async function readReply(r: LineReader): Promise<Reply> {
  const line = await r.readLine(MAX_LINE);
  if (line === null) throw new ProtocolError('the server closed the connection');
  const rest = line.subarray(1).toString('utf8');
  switch (String.fromCharCode(line[0] ?? 0)) {
    case '+':
      return { kind: 'status', text: rest };
    case '-':
      throw new RedisError(rest);
    case ':': {
      if (!/^-?\d+$/.test(rest)) throw new ProtocolError(`a malformed integer reply: ${printable(line)}`);
      return { kind: 'integer', value: Number(rest) };
    }
    case '_':
      return { kind: 'bulk', value: null };
    case '$': {
      if (!/^-?\d+$/.test(rest)) throw new ProtocolError(`a malformed bulk string length: ${printable(line)}`);
      const n = Number(rest);
      if (n < 0) return { kind: 'bulk', value: null };
      if (n > MAX_BULK) throw new ReplyTooLarge(`a value of ${n} bytes (at most ${MAX_BULK} are read)`);
      const body = await r.readExactly(n + 2);
      if (body === null) throw new ProtocolError('the server closed the connection in a bulk string');
      if (body[n] !== 0x0d || body[n + 1] !== 0x0a) throw new ProtocolError('a bulk string not ended by CRLF');
      return { kind: 'bulk', value: body.subarray(0, n).toString('utf8') };
    }
    default:
      throw new ProtocolError(`not a RESP reply: ${printable(line)}`);
  }
}

export async function command(r: LineReader, args: string[]): Promise<Reply> {
  r.write(encodeCommand(args));
  return readReply(r);
}
