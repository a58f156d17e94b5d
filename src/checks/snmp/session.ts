/**
 * SNMP requests through net-snmp (loaded when a site first runs an snmp
 * check): a session for v1/v2c (community) or v3 (USM user, RFC 3414), GET
 * and subtree walks (GETNEXT for v1, GETBULK from v2c, RFC 3416), each
 * bound to the run's AbortSignal.
 */
import type * as Snmp from 'net-snmp';
import { abortReason } from '../shared/errors.ts';

type SnmpModule = typeof Snmp;
let loaded: Promise<SnmpModule> | null = null;

/** net-snmp, loaded once (a site without snmp checks never pays for it). */
export function snmpModule(): Promise<SnmpModule> {
  loaded ??= import('net-snmp').then((m) => (m as unknown as { default?: SnmpModule }).default ?? m);
  return loaded;
}

export interface Target {
  /** an IP address (the name is resolved before, so the family is known) */
  address: string;
  family: 4 | 6;
  port: number;
  version: '1' | '2c' | '3';
  community: string;
  /** v3 */
  user?: { name: string; authProtocol?: string; authKey?: string; privProtocol?: string; privKey?: string };
  /** ms per try, and the tries after the first */
  timeoutMs: number;
  retries: number;
}

/** The rows a walk may return at most: an agent answering with ever more rows ends the walk, not the memory. */
export const MAX_ROWS = 10_000;

/** A walk stopped at MAX_ROWS. */
export class TooManyRows extends Error {
  override name = 'TooManyRows';
}

export async function openSession(t: Target): Promise<Snmp.Session> {
  const snmp = await snmpModule();
  const common = { port: t.port, transport: t.family === 6 ? ('udp6' as const) : ('udp4' as const), timeout: t.timeoutMs, retries: t.retries };
  let session: Snmp.Session;
  if (t.version === '3') {
    const u = t.user!;
    const level = u.privKey ? snmp.SecurityLevel.authPriv : u.authKey ? snmp.SecurityLevel.authNoPriv : snmp.SecurityLevel.noAuthNoPriv;
    const auth = snmp.AuthProtocols as unknown as Record<string, Snmp.AuthProtocols>;
    const priv = snmp.PrivProtocols as unknown as Record<string, Snmp.PrivProtocols>;
    session = snmp.createV3Session(
      t.address,
      {
        name: u.name,
        level,
        ...(u.authKey ? { authProtocol: auth[u.authProtocol ?? 'sha'], authKey: u.authKey } : {}),
        ...(u.privKey ? { privProtocol: priv[u.privProtocol ?? 'aes'], privKey: u.privKey } : {}),
      },
      { ...common, version: snmp.Version3 },
    );
  } else {
    session = snmp.createSession(t.address, t.community, { ...common, version: t.version === '1' ? snmp.Version1 : snmp.Version2c });
  }
  // a datagram that is not SNMP is dropped (net-snmp reports it here): the
  // request goes on waiting for the agent's answer, as it should
  session.on('error', () => undefined);
  return session;
}

/** Settles with the callback's result, or rejects with the abort reason when the run's timeout fires. */
function bounded<T>(signal: AbortSignal, start: (done: (e: Error | null, v?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    start((e, v) => {
      signal.removeEventListener('abort', onAbort);
      if (e) reject(e);
      else resolve(v as T);
    });
  });
}

export function get(session: Snmp.Session, oids: string[], signal: AbortSignal): Promise<Snmp.Varbind[]> {
  return bounded(signal, (done) => session.get(oids, (e, vbs) => done(e ?? null, vbs)));
}

/** Every varbind below `oid` (a table column or a whole table), at most MAX_ROWS. */
export function walk(session: Snmp.Session, oid: string, signal: AbortSignal): Promise<Snmp.Varbind[]> {
  const rows: Snmp.Varbind[] = [];
  let over = false;
  return bounded(signal, (done) =>
    session.subtree(
      oid,
      20,
      (vbs) => {
        for (const vb of vbs) {
          if (rows.length >= MAX_ROWS) {
            over = true;
            return true;
          }
          rows.push(vb);
        }
        return false;
      },
      (e) => done(e ?? (over ? new TooManyRows(`more than ${MAX_ROWS} rows below ${oid}`) : null), rows),
    ),
  );
}
