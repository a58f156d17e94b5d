/**
 * Why a listener could not listen, in one line a person can act on (the
 * web UI and the API listener; the daemon exits with it, issue 16).
 */
const WHY: Record<string, string> = {
  EADDRINUSE: 'the address is already in use by another program',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  EADDRNOTAVAIL: 'this host has no such address',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve',
};

export function listenProblem(e: unknown, host: string | null | undefined, port: number): string {
  const code = (e as NodeJS.ErrnoException).code ?? '';
  const where = `${host && host.includes(':') ? `[${host}]` : host || '*'}:${port}`;
  return `cannot listen on ${where}: ${WHY[code] ?? (e as Error).message}${code ? ` (${code})` : ''}`;
}
