/**
 * `<site>.pid` beside the site file while siteward runs it, so that
 * `siteward passwd` can tell the running process to re-read the file
 * (SIGHUP). A stale file (a crash, a reused pid) is never trusted blindly:
 * the process must still be a siteward.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export function pidPath(configPath: string): string {
  return join(dirname(configPath), `${basename(configPath).replace(/\.(json|conf)$/i, '')}.pid`);
}

export function writePid(configPath: string): void {
  try {
    writeFileSync(pidPath(configPath), `${process.pid}\n`, { mode: 0o600 });
  } catch {
    // a read-only site folder: passwd then asks the user to reload
  }
}

export function removePid(configPath: string): void {
  try {
    if (readFileSync(pidPath(configPath), 'utf8').trim() === String(process.pid)) unlinkSync(pidPath(configPath));
  } catch {
    // already gone
  }
}

/** The pid of the siteward running this site file, if one does. */
export function runningPid(configPath: string): number | null {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(pidPath(configPath), 'utf8'), 10);
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null;
  try {
    // the command line of a process holds NUL-separated arguments
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return /siteward|cli\.js/.test(cmd) ? pid : null;
  } catch {
    return null;
  }
}
