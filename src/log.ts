/**
 * Structured logs (pino) on stderr. Levels accept fletchck's `--logging`
 * names too (warning → warn, none → silent).
 *
 * Format: human lines (pino-pretty) when stderr is a terminal, JSON lines
 * otherwise (a pipe, a file, journald, `docker logs`); SITEWARD_LOG_FORMAT
 * (`pretty` or `json`) chooses either way. pino-pretty is loaded only for a
 * terminal.
 */
import { createRequire } from 'node:module';
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

const ALIASES: Record<string, string> = { warning: 'warn', none: 'silent', critical: 'fatal' };

export function normaliseLevel(level: string): string {
  const l = level.toLowerCase();
  return ALIASES[l] ?? l;
}

export type LogFormat = 'pretty' | 'json';

/** The format for a stream: SITEWARD_LOG_FORMAT, else pretty on a terminal. */
export function logFormat(isTTY: boolean, env: NodeJS.ProcessEnv = process.env): LogFormat {
  const f = env.SITEWARD_LOG_FORMAT?.toLowerCase();
  if (f === 'json' || f === 'pretty') return f;
  return isTTY ? 'pretty' : 'json';
}

/** pino-pretty writing synchronously to a file descriptor (a line logged just before a crash is not lost). */
function prettyStream(dest: number, colour: boolean): DestinationStream {
  const require = createRequire(import.meta.url);
  const pretty = require('pino-pretty') as (o: Record<string, unknown>) => DestinationStream;
  return pretty({ destination: dest, sync: true, colorize: colour, translateTime: 'SYS:yyyy-mm-dd HH:MM:ss', ignore: 'pid,hostname' });
}

export function createLogger(level = 'info', dest: number = 2, format: LogFormat = 'json'): Logger {
  const opts = { level: normaliseLevel(level), base: undefined, timestamp: pino.stdTimeFunctions.isoTime };
  if (format === 'pretty') return pino(opts, prettyStream(dest, dest === 2 ? Boolean(process.stderr.isTTY) : Boolean(process.stdout.isTTY)));
  // synchronous writes: a line logged just before a crash is not lost
  return pino({ ...opts, formatters: { level: (label) => ({ level: label }) } }, pino.destination({ dest, sync: true }));
}

/** A logger that drops everything (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
