/**
 * fletchck's failure detail line `<host> <ExceptionClass>: <message>` (spec §4.0),
 * with Node errors named the way a reader of either program recognises.
 */

/**
 * Python's exception class for common system error codes, so a mixed
 * fletchck/siteward federation shows the same names in detail lines.
 */
const PYTHON_NAMES: Record<string, string> = {
  ENOENT: 'FileNotFoundError',
  EEXIST: 'FileExistsError',
  EISDIR: 'IsADirectoryError',
  ENOTDIR: 'NotADirectoryError',
  EACCES: 'PermissionError',
  EPERM: 'PermissionError',
  ECONNREFUSED: 'ConnectionRefusedError',
  ECONNRESET: 'ConnectionResetError',
  ECONNABORTED: 'ConnectionAbortedError',
  EPIPE: 'BrokenPipeError',
  ETIMEDOUT: 'TimeoutError',
  ENOTFOUND: 'gaierror',
  EAI_AGAIN: 'gaierror',
  EAI_FAIL: 'gaierror',
  EAI_NONAME: 'gaierror',
  EHOSTUNREACH: 'OSError',
  ENETUNREACH: 'OSError',
  EADDRNOTAVAIL: 'OSError',
};

/** Error class name for the detail line. */
export function errorName(e: unknown): string {
  if (e instanceof Error) {
    if (e.name === 'AbortError' || e.name === 'TimeoutError') return 'TimeoutError';
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && e.name === 'Error') return PYTHON_NAMES[code] ?? code;
    return e.name || 'Error';
  }
  return 'Error';
}

/** The message without Node's repeated `CODE: ` prefix. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    return typeof code === 'string' && e.message.startsWith(`${code}: `) ? e.message.slice(code.length + 2) : e.message;
  }
  return String(e);
}

/** `"<subject> <ErrorName>: <message>"` */
export function detailLine(subject: string, e: unknown): string {
  return `${subject} ${errorName(e)}: ${errorMessage(e)}`;
}

/** A timer on `clock` that rejects when `signal` fires. Never blocks the loop. */
export function sleepOn(clock: { setTimer(fn: () => void, ms: number): { cancel(): void } }, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const timer = clock.setTimer(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      timer.cancel();
      reject(abortReason(signal!));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The signal's reason as an Error named TimeoutError when the runner's timeout fired. */
export function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  if (r instanceof Error) return r;
  const e = new Error('timed out');
  e.name = 'TimeoutError';
  return e;
}

/** A real-time sleep that rejects when `signal` fires (use ctx.sleep where the site clock matters). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return sleepOn(
    {
      setTimer: (fn, d) => {
        const t = setTimeout(fn, d);
        return { cancel: () => clearTimeout(t) };
      },
    },
    ms,
    signal,
  );
}
