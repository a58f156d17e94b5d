/**
 * A small client for the NUT network protocol (upsd, RFC 9271): optional
 * `USERNAME`/`PASSWORD`, then `LIST VAR <ups>`, then `LOGOUT`.
 *
 * Why not the npm package `node-nut`: it keeps its parse state in
 * module-level variables (an implicit global `self`, a shared `vars` array)
 * and parses whenever a chunk ends in a newline, so two UPS checks running
 * at once receive each other's variables or are refused with "Other
 * communication still running" (test/checks/ups/node-nut.test.ts shows both
 * against a real upsd). Here every query owns its socket and its state, lines
 * are framed strictly, and each reply line is checked to be about the UPS
 * that was asked for.
 */
import { connect, type Socket } from 'node:net';
import { abortReason } from '../shared/errors.ts';

/** An `ERR …` reply (or an unexpected line) from upsd; `message` is the whole line, as nut2 reports it. */
export class NutError extends Error {
  constructor(readonly line: string) {
    super(line);
    this.name = 'NutError';
  }

  /** The NUT error code, e.g. `DATA-STALE`, `UNKNOWN-UPS` (RFC 9271 §4.2.9); '' for a non-ERR line. */
  get code(): string {
    return this.line.startsWith('ERR ') ? this.line.slice(4).split(' ')[0] : '';
  }
}

export interface NutQuery {
  host: string;
  port: number;
  ups: string;
  username?: string;
  password?: string;
  signal: AbortSignal;
}

/** Longest reply line accepted (NUT values are at most a few hundred bytes). */
const MAX_LINE = 8192;
/** Most variables accepted from one UPS (real drivers report well under 200). */
const MAX_VARS = 4096;

/** A protocol argument: quoted with backslash escapes when it holds spaces, quotes or backslashes (RFC 9271 §3.2). */
export function nutArg(s: string): string {
  // a line break would end the command and start another (protocol injection)
  if (/[\r\n]/.test(s)) throw new Error('a NUT argument cannot contain a line break');
  if (/^[^\s"\\]+$/.test(s)) return s;
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

const unquote = (s: string): string => s.replace(/\\(.)/g, '$1');

type Step = { kind: 'ok'; what: string } | { kind: 'begin' } | { kind: 'vars' };

/**
 * All variables of one UPS as upsd reports them. Rejects with a NutError for
 * an `ERR` reply, with the socket's error for connection problems, and with
 * the signal's reason when it fires.
 */
export function nutListVars(q: NutQuery): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    if (q.signal.aborted) {
      reject(abortReason(q.signal));
      return;
    }
    let request: string;
    try {
      request = '';
      if (q.username !== undefined) request += `USERNAME ${nutArg(q.username)}\n`;
      if (q.password !== undefined) request += `PASSWORD ${nutArg(q.password)}\n`;
      request += `LIST VAR ${nutArg(q.ups)}\n`;
    } catch (e) {
      reject(e as Error);
      return;
    }
    const vars: Record<string, string> = {};
    let count = 0;
    const steps: Step[] = [];
    if (q.username !== undefined) steps.push({ kind: 'ok', what: 'USERNAME' });
    if (q.password !== undefined) steps.push({ kind: 'ok', what: 'PASSWORD' });
    steps.push({ kind: 'begin' }, { kind: 'vars' });
    let buf = '';
    let settled = false;
    const sock: Socket = connect({ host: q.host, port: q.port });
    sock.setEncoding('utf8');

    const finish = (err: Error | null): void => {
      if (settled) return;
      settled = true;
      q.signal.removeEventListener('abort', onAbort);
      if (err) {
        sock.destroy();
        reject(err);
      } else {
        // polite end of session; the answer ("OK Goodbye") is not needed
        sock.end('LOGOUT\n');
        sock.setTimeout(1000, () => sock.destroy());
        resolve(vars);
      }
    };
    const onAbort = (): void => finish(abortReason(q.signal));
    q.signal.addEventListener('abort', onAbort, { once: true });

    sock.on('error', (e) => finish(e));
    sock.on('close', () => finish(new NutError('connection closed by the server')));
    sock.on('connect', () => sock.write(request));

    const onLine = (line: string): void => {
      const step = steps[0];
      if (line.startsWith('ERR')) return finish(new NutError(line));
      if (step.kind === 'ok') {
        if (!line.startsWith('OK')) return finish(new NutError(line));
        steps.shift();
        return undefined;
      }
      if (step.kind === 'begin') {
        if (line !== `BEGIN LIST VAR ${q.ups}`) return finish(new NutError(line));
        steps.shift();
        return undefined;
      }
      if (line === `END LIST VAR ${q.ups}`) return finish(null);
      const m = /^VAR (\S+) (\S+) "((?:[^"\\]|\\.)*)"$/.exec(line);
      // a line about another UPS is a protocol error, never data for this one
      if (!m || m[1] !== q.ups) return finish(new NutError(`unexpected reply: ${line.slice(0, 200)}`));
      if (++count > MAX_VARS) return finish(new NutError(`more than ${MAX_VARS} variables`));
      vars[m[2]] = unquote(m[3]);
      return undefined;
    };

    sock.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while (!settled && (nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
        onLine(line);
      }
      if (!settled && buf.length > MAX_LINE) finish(new NutError(`reply line longer than ${MAX_LINE} bytes`));
    });
  });
}
