/**
 * The id a receiver sees for one notification sent to one action (the
 * webhook's `id`, the e-mail's Message-ID). A notification made by the
 * engine carries an id of its own; each action's delivery gets an id
 * derived from it and the action's name, the same on every node. So when
 * a zone node sends again what a dead owner queued and never confirmed
 * (docs/ha.md "Exactly one notifier"), the receiver gets the same id as
 * the first delivery and can drop the repeat (an idempotency key, RFC 9110
 * §9.2.2 style). UUID-shaped, name-based like RFC 9562 §5.5 (SHA-256 here).
 */
import { createHash } from 'node:crypto';

export function deliveryId(notification: string, action: string): string {
  const h = createHash('sha256').update(notification).update('\n').update(action).digest();
  h[6] = (h[6] & 0x0f) | 0x80; // version 8: custom (RFC 9562 §5.8)
  h[8] = (h[8] & 0x3f) | 0x80; // the RFC's variant
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** The id of `n`'s delivery to `action`: derived from the notification's own id, else a fresh one (a digest, an older record). */
export function deliveryOf(n: { id?: string }, action: string, fresh: () => string): string {
  return n.id ? deliveryId(n.id, action) : fresh();
}
