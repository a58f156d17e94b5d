/**
 * What a TLS check records about the certificate it was shown (issue 22,
 * the check page's certificate panel): subject, issuer, validity, names and
 * the chain the server sent, compactly. Built once per distinct leaf
 * certificate (keyed by its SHA-256 fingerprint): reading the chain on every
 * run would cost CPU for what rarely changes (docs/performance.md).
 */
import type { X509Certificate } from 'node:crypto';

/** One certificate of the chain the server sent, beyond the leaf. */
export interface ChainLink {
  subject: string;
  issuer: string;
  /** notAfter, ms since the epoch */
  validTo: number;
}

export interface CertSummary {
  subject: string;
  issuer: string;
  /** notBefore / notAfter, ms since the epoch */
  validFrom: number;
  validTo: number;
  /** "DNS:example.org, IP Address:127.0.0.1", null when none */
  altNames: string | null;
  /** SHA-256 of the leaf, "AB:CD:…" */
  fingerprint: string;
  /** the certificates the server sent after the leaf, leaf's issuer first */
  chain: ChainLink[];
}

/** Longest text kept for a name; a certificate's names are short, a hostile one's need not be. */
const MAX_TEXT = 300;
/** Links kept beyond the leaf (real chains have 1–3). */
const MAX_CHAIN = 5;
const CACHED = 256;
const cache = new Map<string, CertSummary>();

/** "CN=example.org\nO=Org" → "CN=example.org, O=Org" (RFC 4514 order as OpenSSL prints it). */
function oneLine(dn: string | undefined): string {
  const s = (dn ?? '').split('\n').filter(Boolean).join(', ');
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s;
}

function date(s: string): number {
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : 0;
}

/** The summary of a peer certificate (from `TLSSocket.getPeerX509Certificate()`), null when none was sent. */
export function certSummary(leaf: X509Certificate | undefined | null): CertSummary | null {
  if (!leaf) return null;
  const fp = leaf.fingerprint256;
  const hit = cache.get(fp);
  if (hit) return hit;
  const chain: ChainLink[] = [];
  let cur: X509Certificate = leaf;
  const seen = new Set([fp]);
  for (let i = 0; i < MAX_CHAIN; i++) {
    const up = cur.issuerCertificate;
    // a self-signed certificate is its own issuer: the walk ends there
    if (!up || seen.has(up.fingerprint256)) break;
    seen.add(up.fingerprint256);
    chain.push({ subject: oneLine(up.subject), issuer: oneLine(up.issuer), validTo: date(up.validTo) });
    cur = up;
  }
  const alt = leaf.subjectAltName ?? '';
  const out: CertSummary = {
    subject: oneLine(leaf.subject),
    issuer: oneLine(leaf.issuer),
    validFrom: date(leaf.validFrom),
    validTo: date(leaf.validTo),
    altNames: alt ? (alt.length > MAX_TEXT ? `${alt.slice(0, MAX_TEXT - 1)}…` : alt) : null,
    fingerprint: fp,
    chain,
  };
  if (cache.size >= CACHED) cache.delete(cache.keys().next().value!);
  cache.set(fp, out);
  return out;
}
