/**
 * The `fallback` delivery of spec §5.4: run
 * `<fallback> -oi [-r <sender>] -- <recipients...>` with the message on
 * stdin, under the timeout; a non-zero exit is a failure. sendmail wants
 * local (LF) line ends and adds the CRLFs itself.
 */
import { spawn } from 'node:child_process';
import { ActionError, type ActionContext } from '../types.ts';
import type { EmailMessage } from './mime.ts';

/** sendmail's sysexits.h codes that retrying cannot fix (bad usage, data, user, host, config). */
const PERMANENT_EXITS = new Set([64, 65, 67, 68, 78]);

export function sendmailArgs(sender: string | null, recipients: readonly string[]): string[] {
  return ['-oi', ...(sender ? ['-r', sender] : []), '--', ...recipients];
}

export async function sendmail(program: string, msg: EmailMessage, sender: string | null, ctx: ActionContext): Promise<void> {
  const child = spawn(program, sendmailArgs(sender, msg.envelope.to), { stdio: ['pipe', 'ignore', 'pipe'], signal: ctx.signal, killSignal: 'SIGKILL' });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    if (stderr.length < 2000) stderr += d;
  });
  // a program that exits without reading its input makes the write fail (EPIPE); the exit code tells
  child.stdin.on('error', () => undefined);
  child.stdin.end(msg.raw.toString('utf8').replace(/\r\n/g, '\n'));
  const result = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: NodeJS.ErrnoException }>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => resolve({ code: null, signal: null, error }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  const detail = stderr.replace(/\s+/g, ' ').trim().slice(0, 200);
  if (result.error) {
    if (ctx.signal.aborted || result.error.name === 'AbortError') throw new ActionError(`${program}: timed out`, { cause: result.error });
    // ENOENT/EACCES: the fallback path is wrong
    throw new ActionError(`${program}: ${result.error.code ?? result.error.message}`, { permanent: true, cause: result.error });
  }
  if (result.code === 0) return;
  if (result.code === null) throw new ActionError(`${program}: killed by ${result.signal}${ctx.signal.aborted ? ' (timed out)' : ''}`);
  throw new ActionError(`${program}: exit status ${result.code}${detail ? `: ${detail}` : ''}`, { permanent: PERMANENT_EXITS.has(result.code) });
}
