/**
 * Issue 23, "exactly one notifier": a node's notified record lists what it
 * queued until its outbox confirms delivery (src/zone/notify.ts). Two nodes
 * may record the same check at once (a membership flap on a loaded machine
 * makes both owners for a moment). Then the owner's own record and the other
 * node's cross on the broker: the owner hears the other node's record (which
 * replaces its own in memory), its outbox confirms the delivery, and then its
 * own record comes back, the last the broker took, still listing the entry.
 * Before the fix the delivery found the other node's record and was dropped,
 * so the zone's record said "undelivered" until the owner died and the next
 * owner sent the notification again (the clean-clone notifier.test.ts run
 * that waited for a record past 60 s). The broker's ordering is played by
 * hand here, deterministically, on a fake clock.
 */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/engine/clock.ts';
import { SiteBus } from '../../src/engine/events.ts';
import type { Notification } from '../../src/actions/types.ts';
import type { ActionEntry, CheckEntry } from '../../src/config/model.ts';
import type { CheckState } from '../../src/engine/state.ts';
import { ZoneNotifications, type NotifySite, type NotifyZone } from '../../src/zone/notify.ts';
import { decodeRecord, encodeRecord, type NotifiedRecord } from '../../src/zone/notified.ts';

const note = (at: number, state: string): Notification => ({
  site: 's',
  kind: 'transition',
  at,
  check: {
    name: 'web',
    type: 'tcp',
    state,
    failState: state === 'FAIL',
    softFail: null,
    level: null,
    log: [],
    summary: 'x',
    lastFail: null,
    lastPass: null,
    lastCheck: at,
    zone: null,
  },
});

/** Node `node` owning every check, alone with `peers` live; what it publishes is kept in order. */
function nodeOf(node: string, peers: string[], owner: () => string = () => node) {
  const clock = new FakeClock(Date.UTC(2026, 0, 1));
  const bus = new SiteBus();
  const published: { check: string; rec: NotifiedRecord; payload: Buffer }[] = [];
  const queued: Notification[] = [];
  const site: NotifySite = {
    clock,
    bus,
    readOnly: false,
    notifier: { queue: (_a, n) => void queued.push(n), hold: (_a, n) => void queued.push(n) },
    runtime: { notification: () => note(clock.now(), 'FAIL') },
    entry: () => ({ config: { options: {} } }) as unknown as CheckEntry,
    action: () => ({ active: true }) as unknown as ActionEntry,
    state: () => ({ failState: true }) as unknown as CheckState,
    warn: () => undefined,
  };
  const z: NotifyZone = {
    node,
    zone: 'hq',
    heartbeatMs: 1000,
    log: () => null,
    owner,
    ready: () => true,
    peers: () => peers,
    doubt: () => null,
    publish: (check, payload) => void published.push({ check, rec: decodeRecord(payload)!, payload }),
  };
  const zn = new ZoneNotifications(site, z);
  zn.start();
  return { clock, bus, zn, published, queued, last: () => published[published.length - 1] };
}

describe("a delivery confirmed while another node's record is held", () => {
  it("is applied when the node's own record comes back: the zone's last record lists nothing undelivered", async () => {
    const c = nodeOf('c', ['a', 'b']);
    // the check passed, notified by a
    c.zn.onRecord('web', encodeRecord({ failing: false, at: 1, node: 'a' }));
    await c.clock.advance(5000);
    // c owns it and it fails: c records, then queues the notification (undelivered until its outbox says so)
    expect(c.zn.notifies('web', true)).toEqual({ send: true, note: null });
    const n = note(c.clock.now(), 'FAIL');
    c.zn.queued('web', ['hook'], n);
    const mine = c.last();
    expect(mine.rec).toMatchObject({ failing: true, node: 'c', undelivered: [{ actions: ['hook'] }] });
    // a thought it owned the check for a moment (its view of c flapped) and recorded the FAIL too; the broker took
    // a's record first, then c's: c hears a's record, ...
    c.zn.onRecord(
      'web',
      encodeRecord({ failing: true, at: c.clock.now() - 10, node: 'a', undelivered: [{ actions: ['hook'], n: note(c.clock.now() - 10, 'FAIL') }] }),
    );
    // ... its outbox delivers the notification, ...
    await c.clock.advance(20);
    c.bus.emit('delivered', { action: 'hook', n: { ...n, id: 'uid-of-the-delivery' }, sent: true });
    // ... and its own record, the broker's last, comes back still listing the entry
    c.zn.onRecord('web', mine.payload);
    // the zone's last record is c's, FAIL, with nothing owed: nobody sends it again
    expect(c.last().rec).toEqual({ failing: true, at: mine.rec.at, node: 'c' });
    // and c does not send it again itself, nor does it keep a late delivery to apply to a later record of its own
    const before = c.published.length;
    c.zn.onRecord('web', encodeRecord({ failing: true, at: 2, node: 'a' }));
    c.zn.onRecord('web', mine.payload);
    expect(c.published.length).toBe(before);
    expect(c.queued).toEqual([]);
  });

  it("a stale copy of its own record after another node took the check is not republished over that node's", async () => {
    let owner = 'c';
    const c = nodeOf('c', ['a'], () => owner);
    c.zn.onRecord('web', encodeRecord({ failing: false, at: 1, node: 'a' }));
    await c.clock.advance(5000);
    c.zn.notifies('web', true);
    const n = note(c.clock.now(), 'FAIL');
    c.zn.queued('web', ['hook'], n);
    const mine = c.last();
    // a's record replaces c's here; c's outbox delivers; then a takes the check over for good
    c.zn.onRecord('web', encodeRecord({ failing: true, at: c.clock.now() + 1, node: 'a' }));
    c.bus.emit('delivered', { action: 'hook', n: { ...n, id: 'uid' }, sent: true });
    owner = 'a';
    // a broker that redelivers out of order hands c its old record: c does not republish it
    const before = c.published.length;
    c.zn.onRecord('web', mine.payload);
    expect(c.published.length).toBe(before);
  });

  it("nothing is republished when the node's own record comes back without the delivered entry", () => {
    const c = nodeOf('c', ['a']);
    c.zn.onRecord('web', encodeRecord({ failing: true, at: 1, node: 'a' }));
    const n = note(c.clock.now(), 'PASS');
    c.bus.emit('delivered', { action: 'hook', n, sent: true });
    c.zn.onRecord('web', encodeRecord({ failing: false, at: 3, node: 'c' }));
    expect(c.published).toEqual([]);
  });
});
