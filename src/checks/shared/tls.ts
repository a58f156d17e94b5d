/**
 * TLS for the network checks (spec §4.0–§4.5): TCP and TLS connects that
 * honour the run's AbortSignal, SNI, certificate verification with the
 * reasons named the way fletchck (Python ssl/OpenSSL) names them, the
 * certificate's days left and the expiry window.
 */
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, checkServerIdentity, createSecureContext, rootCertificates, type TLSSocket, type SecureContext } from 'node:tls';
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { abortReason } from './errors.ts';
import { certSummary, type CertSummary } from './cert-summary.ts';
import type { RunEnv } from '../types.ts';

const DAY_MS = 86_400_000;

/**
 * A failed certificate verification or expiry test. fletchck raises
 * `ssl.SSLCertVerificationError` for both, so the detail line names that
 * class, and the check carries the soft-fail label `certificate` (spec §3.4).
 */
export class CertificateError extends Error {
  override name = 'SSLCertVerificationError';
  constructor(
    message: string,
    readonly days: number | null = null,
    /** the certificate that failed (the check page shows it) */
    readonly cert: CertSummary | null = null,
  ) {
    super(message);
  }
}

/** Any other TLS-level failure (wrong protocol, handshake failure), as Python's `ssl.SSLError`. */
export class SslError extends Error {
  override name = 'SSLError';
}

/** How a TLS check trusts the server. */
export interface Trust {
  /** fletchck `selfsigned`: no chain or host name verification at all. */
  selfsigned: boolean;
  /** Extra trusted CA certificates (PEM); undefined = the default store. */
  ca?: string[];
  /** A TLS context holding exactly `ca` (shared by every run with the same CAs, see contextFor). */
  context?: SecureContext;
}

/** Distinct CA sets kept; more than a site has `ca` files (least recently built are dropped first). */
const MAX_CONTEXTS = 64;
const contexts = new Map<string, SecureContext>();

/**
 * The TLS context for a set of CA certificates, built once per distinct set.
 * Passing `ca` to tls.connect builds a new context on every connection, and
 * that parses each of Node's ~140 bundled roots again: about 20 ms of CPU per
 * handshake, which held a verified TLS check to ~47 runs/s on two cores
 * (bench/throughput.ts; docs/performance.md). Keyed by the PEM text, so an
 * edited CA file takes effect on the next run.
 */
function contextFor(extra: string[], ca: string[]): SecureContext {
  const key = extra.join('\n');
  let c = contexts.get(key);
  if (!c) {
    c = createSecureContext({ ca });
    if (contexts.size >= MAX_CONTEXTS) contexts.delete(contexts.keys().next().value!);
    contexts.set(key, c);
  }
  return c;
}

let shared: SecureContext | undefined;

/**
 * The context of Node's own store (bundled roots, NODE_EXTRA_CA_CERTS,
 * --use-openssl-ca), built once. Without a `secureContext`, tls.connect
 * builds this same context (createSecureContext of no options) for every
 * connection: an SSL_CTX each, held as long as the connection (issue 20,
 * docs/performance.md "TLS at start").
 */
function defaultContext(): SecureContext {
  return (shared ??= createSecureContext());
}

/**
 * The trust for a run: the `ca` option (a PEM bundle, relative to the site
 * folder) and the environment's extra CAs are added to Node's bundled roots.
 * Without either, no `ca` is passed at all, so Node's own store settings
 * (NODE_EXTRA_CA_CERTS, --use-openssl-ca) still apply.
 */
export async function loadTrust(o: { selfsigned: boolean; ca?: string | undefined }, env: RunEnv): Promise<Trust> {
  if (o.selfsigned) return { selfsigned: true, context: defaultContext() };
  const extra = [...(env.extraCa ?? [])];
  if (o.ca) {
    const path = isAbsolute(o.ca) ? o.ca : resolve(env.base, o.ca);
    try {
      extra.push(await readFile(path, 'utf8'));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'error';
      throw new SslError(`cannot read ca file ${path} (${code})`);
    }
  }
  if (!extra.length) return { selfsigned: false, context: defaultContext() };
  const ca = [...rootCertificates, ...extra];
  return { selfsigned: false, ca, context: contextFor(extra, ca) };
}

/** Rejects with the abort reason when the signal fires, and destroys `sock`. */
function watch<T>(sock: Socket, signal: AbortSignal, ready: string, value: () => T): Promise<T> {
  return new Promise<T>((resolvePromise, reject) => {
    const done = (): void => {
      sock.off(ready, onReady);
      sock.off('error', onError);
      sock.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
    };
    const onReady = (): void => {
      done();
      try {
        resolvePromise(value());
      } catch (e) {
        sock.destroy();
        reject(e as Error);
      }
    };
    const onError = (e: Error): void => {
      done();
      sock.destroy();
      reject(e);
    };
    const onClose = (): void => {
      done();
      const e = new Error('connection closed during connect') as NodeJS.ErrnoException;
      e.code = 'ECONNRESET';
      reject(e);
    };
    const onAbort = (): void => {
      done();
      sock.destroy();
      reject(abortReason(signal));
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    sock.once(ready, onReady);
    sock.once('error', onError);
    sock.once('close', onClose);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A TCP connection to host:port (IPv4/IPv6 with Node's happy eyeballs). */
export async function connectTcp(host: string, port: number, signal: AbortSignal): Promise<Socket> {
  if (signal.aborted) throw abortReason(signal);
  const sock = netConnect({ host, port });
  // errors after the connect are read by whoever uses the socket; never crash the process
  sock.on('error', () => undefined);
  return watch(sock, signal, 'connect', () => sock);
}

/** A TLS connection after the handshake, with what was learned of the certificate. */
export interface TlsSession {
  socket: TLSSocket;
  /** Whole days until notAfter (floor, as fletchck), null when no certificate was sent. */
  days: number | null;
  /** what the certificate panel shows (src/checks/shared/cert-summary.ts), null when none was sent */
  cert: CertSummary | null;
}

/** OpenSSL's texts for the verification results a check is likely to meet. */
const VERIFY_TEXT: Record<string, string> = {
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to get local issuer certificate',
  UNABLE_TO_GET_ISSUER_CERT: 'unable to get issuer certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the first certificate',
  CERT_SIGNATURE_FAILURE: 'certificate signature failure',
  CERT_REVOKED: 'certificate revoked',
  CERT_UNTRUSTED: 'certificate not trusted',
  CERT_REJECTED: 'certificate rejected',
  INVALID_PURPOSE: 'unsupported certificate purpose',
};

/**
 * Days left from a peer certificate at `nowMs`: floor((notAfter − now) / 1 day), spec §4.0.
 * Takes the X509Certificate of `getPeerX509Certificate()`: `getPeerCertificate()`
 * builds a whole object with three fingerprints, 12 % of the CPU of a TLS
 * check run (docs/performance.md).
 */
export function daysLeft(cert: { validTo: string } | null | undefined, nowMs: number): number | null {
  if (!cert || !cert.validTo) return null;
  const notAfter = Date.parse(cert.validTo);
  if (!Number.isFinite(notAfter)) return null;
  return Math.floor((notAfter - nowMs) / DAY_MS);
}

/** The certificate expiry window (spec §4.0): fewer than `minDays` days left fails. */
export function checkExpiry(days: number | null, minDays: number): void {
  if (days !== null && days < minDays) throw new CertificateError(`Certificate expires in ${days} days`, days);
}

/** Python's texts for a host name mismatch (ssl.match_hostname / OpenSSL 1.1+). */
function mismatchText(host: string): string {
  return isIP(host) ? `IP address mismatch, certificate is not valid for '${host}'.` : `Hostname mismatch, certificate is not valid for '${host}'.`;
}

/** A TLS error in Python's words: `[SSL: WRONG_VERSION_NUMBER] wrong version number`. */
function sslError(e: unknown): unknown {
  const x = e as NodeJS.ErrnoException & { reason?: string; library?: string };
  if (typeof x?.code === 'string' && x.code.startsWith('ERR_SSL_')) {
    return new SslError(`[SSL: ${x.code.slice('ERR_SSL_'.length)}] ${x.reason ?? x.message}`);
  }
  return e;
}

export interface TlsParams {
  /** Host to connect to; also the SNI name (unless an IP address) and the name verified. */
  host: string;
  port: number;
  trust: Trust;
  signal: AbortSignal;
  now(): number;
  /** Upgrade this connected socket (STARTTLS) instead of opening a new one. */
  socket?: Socket;
}

/**
 * Handshake with SNI. Verification is done by hand, at `secureConnect` and
 * before a single byte of application data is written, so a failed
 * verification still reports the certificate's days left (as `level`).
 * Without `selfsigned`, any verification failure throws CertificateError.
 */
export async function connectTls(p: TlsParams): Promise<TlsSession> {
  if (p.signal.aborted) {
    p.socket?.destroy();
    throw abortReason(p.signal);
  }
  let identityError: Error | undefined;
  const sock = tlsConnect({
    host: p.host,
    port: p.port,
    socket: p.socket,
    // RFC 6066 §3: a literal IP address is not a valid server name
    servername: isIP(p.host) ? undefined : p.host,
    ...(p.trust.context ? { secureContext: p.trust.context } : { ca: p.trust.ca }),
    rejectUnauthorized: false,
    checkServerIdentity: (host, cert) => {
      identityError = checkServerIdentity(host, cert);
      return identityError;
    },
  });
  sock.on('error', () => undefined);
  try {
    return await watch(sock, p.signal, 'secureConnect', () => {
      const peer = sock.getPeerX509Certificate();
      const days = daysLeft(peer, p.now());
      const cert = certSummary(peer);
      if (!p.trust.selfsigned && !sock.authorized) {
        const code = String(sock.authorizationError ?? 'UNKNOWN');
        const text =
          code === 'ERR_TLS_CERT_ALTNAME_INVALID' || identityError ? mismatchText(p.host) : (VERIFY_TEXT[code] ?? code.toLowerCase().replace(/_/g, ' '));
        throw new CertificateError(`certificate verify failed: ${text}`, days, cert);
      }
      return { socket: sock, days, cert };
    });
  } catch (e) {
    sock.destroy();
    p.socket?.destroy();
    throw sslError(e);
  }
}

/** Ends a connection without waiting for the peer (the run is over). */
export function closeQuietly(sock: Socket | undefined): void {
  if (!sock) return;
  sock.on('error', () => undefined);
  sock.destroy();
}
