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

/** Every buffered destination's flush, run once at the process's exit (one listener for all). */
const atExit = new Set<() => void>();
process.on('exit', () => {
  for (const f of atExit) f();
});

/** Lines buffered at most before they are written within the turn. */
const TURN_BUFFER_MAX = 64 * 1024;

/**
 * A destination that writes the lines of one event-loop turn together, at
 * the end of the turn, synchronously: a burst of transitions logs two lines
 * each, and one write(2) per line was a twentieth of the CPU of draining an
 * MQTT backlog (docs/performance.md). Error and fatal lines, a full buffer
 * and the process's exit (also by an uncaught exception) write at once, so a
 * line logged before a crash is not lost; only a kill -9 within the turn
 * can drop that turn's lines.
 */
export function turnBuffered(out: { write(s: string): unknown }): DestinationStream & { flush(cb?: (err?: Error) => void): void } {
  let pending = '';
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (pending === '') return;
    const text = pending;
    pending = '';
    out.write(text);
  };
  atExit.add(flush);
  return {
    // pino's logger.flush(cb) waits for the callback
    flush(cb) {
      flush();
      cb?.();
    },
    write(line: string): void {
      pending += line;
      // pino's level comes first in each line (see createLogger's formatter)
      if (pending.length >= TURN_BUFFER_MAX || line.startsWith('{"level":"error"') || line.startsWith('{"level":"fatal"')) {
        flush();
        return;
      }
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
  };
}

/**
 * pino's isoTime, made once per millisecond: a burst logs many lines in the
 * same millisecond, and formatting the date was a third of a line's cost.
 */
function cachedIsoTime(): () => string {
  let ms = Number.NaN;
  let text = '';
  return () => {
    const now = Date.now();
    if (now !== ms) {
      ms = now;
      text = `,"time":"${new Date(now).toISOString()}"`;
    }
    return text;
  };
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
  const opts = { level: normaliseLevel(level), base: undefined, timestamp: cachedIsoTime() };
  if (format === 'pretty') return pino(opts, prettyStream(dest, dest === 2 ? Boolean(process.stderr.isTTY) : Boolean(process.stdout.isTTY)));
  // synchronous writes, a turn's lines together (turnBuffered): a line logged just before a crash is not lost
  return pino({ ...opts, formatters: { level: (label) => ({ level: label }) } }, turnBuffered(pino.destination({ dest, sync: true })));
}

/** A logger that drops everything (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
