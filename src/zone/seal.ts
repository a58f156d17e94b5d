/**
 * The zone key's envelope (issue 23, docs/ha.md "Trust"): pure crypto, no
 * MQTT. With a `zone.key`, every message a node publishes under
 * `<topic>/<zone>/` travels in an envelope made with AES-256-GCM
 * (NIST SP 800-38D): secret and authenticated ("E"), or readable but
 * authenticated ("S": GCM over an empty plaintext with the body as
 * additional data, i.e. GMAC) for what fleet instances and other zones
 * read without the key (node statuses, views).
 *
 *   "SWZ1" | mode "E"/"S" | key id (8) | nonce (12) | tag (16) | sender length (1) | sender | body
 *
 * The additional data covers the header, the sender node and the topic, so
 * a message cannot be moved to another topic (a node status replayed as
 * config) or credited to another node. Nonces are random (96 bits); at a
 * zone's message rate the birthday bound (2^32 messages per key, SP 800-38D
 * §8.3) is centuries away.
 *
 * Keys: the secret holds one or more keys separated by white space (newlines),
 * each at least 32 characters (`openssl rand -base64 32`). Each is stretched
 * with HKDF-SHA256 (RFC 5869) to the AES key; its id is a hash of that key,
 * so nobody names ids by hand. The FIRST key seals; every key opens: that is
 * how keys are rotated (docs/ha.md "Rotating the zone key").
 */
import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

const MAGIC = Buffer.from('SWZ1');
const KID = 8;
const IV = 12;
const TAG = 16;
const FIXED = MAGIC.length + 1 + KID + IV + TAG + 1;
export const MIN_KEY_CHARS = 32;
const MAX_KEYS = 8;

export type SealMode = 'E' | 'S';

export interface ZoneKey {
  /** hex, 16 characters: what logs and the API show of a key */
  id: string;
  kid: Buffer;
  key: Buffer;
}

/** The keys of `zone.key`, first the one that seals; or a sentence saying what is wrong (never the key). */
export function parseKeys(secret: string): { keys: ZoneKey[] } | { error: string } {
  const words = secret.split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return { error: 'the zone key is empty' };
  if (words.length > MAX_KEYS) return { error: `the zone key holds ${words.length} keys, at most ${MAX_KEYS}` };
  const keys: ZoneKey[] = [];
  for (const [i, w] of words.entries()) {
    if (w.length < MIN_KEY_CHARS)
      return { error: `key ${i + 1} of the zone key has ${w.length} characters, at least ${MIN_KEY_CHARS} (openssl rand -base64 32)` };
    const key = Buffer.from(hkdfSync('sha256', w, 'siteward zone key', 'aes-256-gcm v1', 32));
    const kid = createHash('sha256').update('siteward zone key id').update(key).digest().subarray(0, KID);
    if (!keys.some((k) => k.kid.equals(kid))) keys.push({ id: kid.toString('hex'), kid, key });
  }
  return { keys };
}

/** True when the payload is an envelope (the zone's JSON messages start with "{"). */
export function isSealed(buf: Buffer): boolean {
  return buf.length >= FIXED && buf.subarray(0, MAGIC.length).equals(MAGIC);
}

function aad(header: Buffer, topic: string, extra?: Buffer): Buffer {
  const t = Buffer.from(topic, 'utf8');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat(extra ? [header, len, t, extra] : [header, len, t]);
}

/** The envelope of `body` for `topic`, sent by `sender`, sealed with `k`. */
export function seal(k: ZoneKey, mode: SealMode, topic: string, sender: string, body: Buffer): Buffer {
  const s = Buffer.from(sender, 'utf8').subarray(0, 255);
  const iv = randomBytes(IV);
  const header = Buffer.concat([MAGIC, Buffer.from(mode), k.kid, iv]);
  const senderPart = Buffer.concat([Buffer.from([s.length]), s]);
  const c = createCipheriv('aes-256-gcm', k.key, iv);
  let out: Buffer;
  if (mode === 'E') {
    c.setAAD(aad(header, topic, senderPart));
    out = Buffer.concat([c.update(body), c.final()]);
  } else {
    c.setAAD(aad(header, topic, Buffer.concat([senderPart, body])));
    c.final();
    out = body;
  }
  return Buffer.concat([header, c.getAuthTag(), senderPart, out]);
}

export type Opened =
  | { ok: true; body: Buffer; sender: string; keyId: string; verified: true }
  /** a readable ("S") envelope of a key this node does not hold: its body, not verified */
  | { ok: true; body: Buffer; sender: string; keyId: string; verified: false }
  | { ok: false; why: 'malformed' | 'unknown key' | 'bad tag'; keyId?: string };

/** Opens an envelope with any of `keys` (the key id picks it). */
export function open(keys: readonly ZoneKey[], topic: string, buf: Buffer): Opened {
  if (!isSealed(buf)) return { ok: false, why: 'malformed' };
  const mode = String.fromCharCode(buf[MAGIC.length]!);
  if (mode !== 'E' && mode !== 'S') return { ok: false, why: 'malformed' };
  let at = MAGIC.length + 1;
  const kid = buf.subarray(at, (at += KID));
  const iv = buf.subarray(at, (at += IV));
  const tag = buf.subarray(at, (at += TAG));
  const sLen = buf[at]!;
  if (buf.length < at + 1 + sLen) return { ok: false, why: 'malformed' };
  const senderPart = buf.subarray(at, at + 1 + sLen);
  const sender = senderPart.subarray(1).toString('utf8');
  const body = buf.subarray(at + 1 + sLen);
  const header = buf.subarray(0, MAGIC.length + 1 + KID + IV);
  const keyId = kid.toString('hex');
  const k = keys.find((x) => x.kid.equals(kid));
  if (!k) return mode === 'S' ? { ok: true, body, sender, keyId, verified: false } : { ok: false, why: 'unknown key', keyId };
  const d = createDecipheriv('aes-256-gcm', k.key, iv);
  d.setAuthTag(tag);
  try {
    if (mode === 'E') {
      d.setAAD(aad(header, topic, senderPart));
      const plain = Buffer.concat([d.update(body), d.final()]);
      return { ok: true, body: plain, sender, keyId, verified: true };
    }
    d.setAAD(aad(header, topic, Buffer.concat([senderPart, body])));
    d.final();
    return { ok: true, body, sender, keyId, verified: true };
  } catch {
    return { ok: false, why: 'bad tag', keyId };
  }
}
