/**
 * Acknowledging through a one-click link (issue 19, docs/operations.md
 * "Acknowledge from the notification"): the token a failure notification
 * carries for one action, and what following it does. The token itself is
 * ./ack-link.ts; the acknowledgement is the same as the UI's (src/ops/ops.ts).
 */
import type { CheckState } from '../engine/state.ts';
import { ACK_LINK_TTL, type AckClaim, type AckLinks } from './ack-link.ts';
import type { Ack } from './store.ts';

/** What following a link needs of operations (Ops provides it). */
export interface LinkTarget {
  readonly links: AckLinks | null;
  /** null: there is no such check */
  failure(check: string): { failing: boolean; lastFail: number | null } | null;
  ack(check: string): Ack | null;
  acknowledge(check: string, by: string, comment: string): { ok: true; ack: Ack } | { ok: false; error: string };
}

interface Failure {
  kind: string;
  at: number;
  check: { name: string; failState: CheckState['failState']; lastFail: number | null };
}

/** The token of the link `action` sends with a failure notification, or null (not a failure, no key). */
export function ackToken(links: AckLinks | null, action: string, n: Failure): string | null {
  const failing = n.check.failState !== false && n.check.failState !== '';
  if (!links || n.kind === 'digest' || n.kind === 'test' || !failing) return null;
  return links.sign({ check: n.check.name, episode: n.check.lastFail ?? -1, action, expires: n.at + ACK_LINK_TTL });
}

/** What a link would acknowledge now, or why it cannot (forged, expired, a failure that is over). */
export function linkClaim(t: LinkTarget, token: string): { ok: true; claim: AckClaim; ack: Ack | null } | { ok: false; error: string } {
  const v = t.links?.verify(token) ?? { ok: false as const, error: 'Acknowledgement links are not available here.' };
  if (!v.ok) return v;
  const { check, episode } = v.claim;
  const f = t.failure(check);
  if (!f) return { ok: false, error: `There is no check named ${check} any more.` };
  if (!f.failing || (f.lastFail ?? -1) !== episode)
    return {
      ok: false,
      error: `The failure of ${check} this link was sent for is over${f.failing ? ', and it has failed again since: acknowledge the new failure in siteward' : ''}.`,
    };
  return { ok: true, claim: v.claim, ack: t.ack(check) };
}

/** Acknowledges the failure a link was sent for; the site log says which action's link it was. */
export function acknowledgeByLink(t: LinkTarget, token: string): { ok: true; check: string; ack: Ack; already: boolean } | { ok: false; error: string } {
  const c = linkClaim(t, token);
  if (!c.ok) return c;
  const check = c.claim.check;
  if (c.ack) return { ok: true, check, ack: c.ack, already: true };
  const r = t.acknowledge(check, `via link from ${c.claim.action}`, '');
  return r.ok ? { ...r, check, already: false } : r;
}
