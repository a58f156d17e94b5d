/**
 * Interface counters from `/proc/net/dev` and link state from
 * `/sys/class/net/<if>/operstate` (Documentation/ABI/testing/sysfs-class-net).
 */
import { readSmallText } from '../shared/procfs.ts';
import { join } from 'node:path';

export interface Counters {
  rxBytes: number;
  txBytes: number;
  rxErrors: number;
  txErrors: number;
}

/**
 * All interfaces of a /proc/net/dev text. Each data line is
 * `<name>: <8 receive fields> <8 transmit fields>`; old kernels print large
 * counters right after the colon, so the name is split at the colon.
 */
export function parseNetDev(text: string): Map<string, Counters> {
  const out = new Map<string, Counters>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    if (!name || name.includes('|')) continue;
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (f.length < 16 || f.some((n) => !Number.isFinite(n))) continue;
    out.set(name, { rxBytes: f[0], rxErrors: f[2], txBytes: f[8], txErrors: f[10] });
  }
  return out;
}

export async function readCounters(procRoot: string, iface: string): Promise<Counters | undefined> {
  return parseNetDev(await readSmallText(join(procRoot, 'net', 'dev'))).get(iface);
}

/** The kernel's RFC 2863 operational state, or null when sysfs does not say. */
export async function readOperstate(sysRoot: string, iface: string): Promise<string | null> {
  try {
    return (await readSmallText(join(sysRoot, 'class', 'net', iface, 'operstate'))).trim();
  } catch {
    return null;
  }
}

/**
 * `up`, and `unknown` (what loopback, tun and many virtual or older drivers
 * report while working) count as usable; down, lowerlayerdown, dormant,
 * notpresent and testing do not.
 */
export function operstateOk(state: string | null): boolean {
  return state === null || state === 'up' || state === 'unknown';
}
