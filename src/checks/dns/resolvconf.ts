/**
 * The system resolver: the first `nameserver` line of resolv.conf(5), which
 * is the server dnspython's default Resolver asks first (spec §4.7: no
 * `hostname` means the system resolver).
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { DnsError } from './resolve.ts';

export const RESOLV_CONF = '/etc/resolv.conf';

/** Reads the first usable nameserver; throws NoResolverConfiguration like dnspython. */
export async function systemNameserver(path = RESOLV_CONF): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new DnsError('NoResolverConfiguration', `cannot open ${path}`);
  }
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, value] = line.split(/\s+/);
    if (key === 'nameserver' && value && isIP(value.replace(/%.*$/, ''))) return value;
  }
  throw new DnsError('NoResolverConfiguration', 'no nameservers');
}
