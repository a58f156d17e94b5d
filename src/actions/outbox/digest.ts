/**
 * Storm control's digest: the notifications one action held back in one
 * minute, folded into a single notification. It is shaped like any other
 * (a synthetic check named `<N> notifications`, type `digest`), so every
 * action can send it without knowing about digests; the log holds one line
 * per notification and `items` the details (webhook JSON).
 */
import { randomUUID } from 'node:crypto';
import { displayTime } from '../../util/time.ts';
import type { DigestItem, Notification } from '../types.ts';
import type { OutboxStore } from './store.ts';

export const DIGEST_TYPE = 'digest';

export function digestItem(n: Notification): DigestItem {
  return { kind: n.kind, name: n.check.name, type: n.check.type, state: n.check.state, summary: n.check.summary, at: n.at, zone: n.check.zone };
}

/** `web (https): FAIL at 01 Jan 2026 10:00 UTC - <first summary line>` */
export function digestLine(i: DigestItem): string {
  const again = i.kind === 'reminder' ? ' (reminder)' : '';
  const summary =
    i.state === 'FAIL'
      ? (i.summary
          .split('\n')
          .find((l) => l.trim() !== '')
          ?.trim() ?? '')
      : '';
  return `${i.name} (${i.type}): ${i.state}${again} at ${displayTime(i.at, i.zone)}${summary ? ` - ${summary}` : ''}`;
}

export function buildDigest(held: readonly Notification[], at: number): Notification {
  const items = held.flatMap((n) => (n.kind === 'digest' && n.items ? n.items : [digestItem(n)]));
  const fails = items.filter((i) => i.state === 'FAIL').length;
  const failing = fails > 0;
  const zone = held[0]?.check.zone ?? null;
  return {
    site: held[0]?.site ?? '',
    kind: 'digest',
    at,
    items,
    check: {
      name: `${items.length} notifications`,
      type: DIGEST_TYPE,
      state: failing ? 'FAIL' : 'PASS',
      failState: failing,
      softFail: null,
      level: null,
      log: items.map(digestLine),
      summary: `${fails} FAIL, ${items.length - fails} PASS`,
      lastFail: failing ? at : null,
      lastPass: at,
      lastCheck: at,
      zone,
    },
  };
}

/** Folds every held minute that has ended by `now` into its digest (the outbox worker, each pass). */
export function foldDigests(store: OutboxStore, now: number): void {
  const MINUTE = 60_000;
  for (const { action, minute } of store.heldBefore(Math.floor(now / MINUTE))) {
    // the digest sorts just before anything created after its minute
    const at = (minute + 1) * MINUTE - 1;
    store.fold(action, minute, (held) => {
      const uid = randomUUID();
      return { uid, action, check: null, n: { ...buildDigest(held, at), id: uid }, status: 'pending', created: at, minute: minute + 1 };
    });
  }
}
