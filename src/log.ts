/**
 * Structured logs (pino) on stderr. Levels accept fletchck's `--logging`
 * names too (warning → warn, none → silent).
 */
import { pino, type Logger } from 'pino';

export type { Logger };

const ALIASES: Record<string, string> = { warning: 'warn', none: 'silent', critical: 'fatal' };

export function normaliseLevel(level: string): string {
  const l = level.toLowerCase();
  return ALIASES[l] ?? l;
}

export function createLogger(level = 'info', dest: number = 2): Logger {
  // synchronous writes: a line logged just before a crash is not lost
  return pino(
    { level: normaliseLevel(level), base: undefined, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } },
    pino.destination({ dest, sync: true }),
  );
}

/** A logger that drops everything (tests, benchmarks). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
