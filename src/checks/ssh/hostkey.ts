/**
 * Host keys as fletchck stores them (spec §4.6, §10): the base64 of the
 * public-key blob of the host-key algorithm that key exchange negotiated.
 */
import { createHash } from 'node:crypto';

/**
 * paramiko's `Transport._preferred_keys` (3.x). RFC 4253 §7.1: the first
 * algorithm on the client's list that the server also has wins, so offering
 * the same list makes a server with several host keys show the same key to
 * siteward as to fletchck, and stored keys keep matching.
 */
export const PARAMIKO_HOST_KEY_ORDER = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
  'ssh-dss',
];

/** OpenSSH's fingerprint (`ssh-keygen -lf`): SHA-256 of the blob, base64 without padding. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** A `hostkey` option value: a base64 key blob or an OpenSSH `SHA256:` fingerprint. */
export const HOSTKEY_PATTERN = /^(SHA256:[A-Za-z0-9+/]{43}=?|[A-Za-z0-9+/]+={0,2})$/;

/** Whether the key the server showed is the stored one (blob or fingerprint form). */
export function keyMatches(stored: string, blob: Buffer): boolean {
  const want = stored.trim();
  if (want.startsWith('SHA256:')) return want.replace(/=+$/, '') === fingerprint(blob);
  return want === blob.toString('base64');
}
