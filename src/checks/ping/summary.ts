/**
 * Reading the system `ping` (iputils, the Debian package iputils-ping): the
 * statistics it prints when it ends, and its error messages. Run with
 * LC_ALL=C, so the words are always these.
 *
 *   3 packets transmitted, 3 received, 0% packet loss, time 404ms
 *   rtt min/avg/max/mdev = 0.031/0.045/0.060/0.012 ms
 *
 * BusyBox's ping prints `round-trip min/avg/max = …` instead; both are read.
 */

export interface PingSummary {
  transmitted: number;
  received: number;
  /** percent of the transmitted packets without a reply, as ping computes it */
  loss: number;
  /** round-trip times in ms, when at least one reply came */
  rtt: { min: number; avg: number; max: number } | null;
}

const COUNTS = /(\d+) packets transmitted, (\d+) (?:packets )?received,(?: \+\d+ duplicates,)?(?: \+\d+ errors,)?(?: [\d.]+% packet loss)?/;
const LOSS = /([\d.]+)% packet loss/;
const RTT = /(?:rtt|round-trip) min\/avg\/max(?:\/mdev)? = ([\d.]+)\/([\d.]+)\/([\d.]+)/;

/** The statistics in ping's output, or null when it printed none (it failed before sending). */
export function parseSummary(stdout: string): PingSummary | null {
  const c = COUNTS.exec(stdout);
  if (!c) return null;
  const transmitted = Number(c[1]);
  const received = Number(c[2]);
  const l = LOSS.exec(stdout);
  const loss = l ? Number(l[1]) : transmitted ? ((transmitted - received) / transmitted) * 100 : 100;
  const r = RTT.exec(stdout);
  return { transmitted, received, loss, rtt: r ? { min: Number(r[1]), avg: Number(r[2]), max: Number(r[3]) } : null };
}

/** A failure of the ping program itself, named the way fletchck names such errors (Python's exception classes). */
export class PingError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/**
 * ping's complaint (its last `ping: …` line on stderr) as an error:
 * `ping: nosuch.invalid: Name or service not known` → gaierror, as Python's
 * socket.getaddrinfo would raise for the same name.
 */
export function pingError(stderr: string, code: number | null): PingError {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const last = lines.at(-1) ?? `ping exited with status ${code ?? 'unknown'} and no message`;
  const text = last.replace(/^ping: /, '');
  if (/Name or service not known|Temporary failure in name resolution|No address associated with hostname|Name has no usable address|bad address/i.test(text)) {
    // the host name is the check's subject already: keep the reason only
    return new PingError('gaierror', text.replace(/^[^:]+: (?=[A-Z])/, ''));
  }
  if (/Operation not permitted|Permission denied/i.test(text)) return new PingError('PermissionError', text);
  return new PingError('OSError', text);
}

/** A round-trip time as shown in the level and the log: 0.045 ms, 12.3 ms, 240 ms. */
export function ms(v: number): string {
  return `${v.toFixed(v < 1 ? 3 : v < 100 ? 1 : 0)} ms`;
}

/** The log line of a run: counts, loss and the round-trip times. */
export function summaryLine(host: string, s: PingSummary): string {
  const rtt = s.rtt ? `, rtt min/avg/max ${s.rtt.min}/${s.rtt.avg}/${s.rtt.max} ms` : '';
  return `${host}: ${s.transmitted} transmitted, ${s.received} received, ${s.loss}% loss${rtt}`;
}
