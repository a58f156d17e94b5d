/**
 * Notifications through a whole Site on a fake clock: transitions fed in as
 * remote updates, the outbox delivering to a real HTTP receiver. Reminders
 * (`renotify`) and storm control (digest) end to end.
 */
import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { putCheck } from '../../src/config/edits.ts';
import { useNotifySite, remote, outboxOf, T0, MIN } from '../helpers/notify-site.ts';

const h = useNotifySite('sw-sitenotify-', ['hook']);
const { writeSite, open, at } = h;

interface Sent {
  kind: string;
  check: { name: string; state: string };
  title: string;
  items?: { name: string; state: string }[];
}
const sent = (): Sent[] => h.rx.requests.map((r) => JSON.parse(r.body) as Sent);
const summary = (): string[] => sent().map((s, i) => `${(h.rx.requests[i].at - T0) / MIN}m ${s.kind} ${s.check.state}`);

const webCheck = (options: Record<string, unknown> = { renotify: 10 }): Record<string, unknown> => ({
  web: { type: 'remote', subType: 'https', options, actions: ['hook'] },
});

describe('reminders (renotify)', () => {
  it('repeat the FAIL notification every renotify minutes until the check passes', async () => {
    const site = await open(writeSite(webCheck()));
    try {
      site.applyRemote('web', remote(false, T0));
      await at(site, T0 + 2 * MIN);
      site.applyRemote('web', remote(true, h.clock.now()));
      await at(site, T0 + 25 * MIN);
      site.applyRemote('web', remote(false, h.clock.now()));
      await at(site, T0 + 90 * MIN);
      expect(summary()).toEqual(['0m transition PASS', '2m transition FAIL', '12m reminder FAIL', '22m reminder FAIL', '25m transition PASS']);
      expect(sent()[2].title).toBe('[HQ] FAIL: web (remote.https)');
      expect(
        outboxOf(site)
          .deliveries({ check: 'web' })
          .map((d) => d.kind),
      ).toEqual(['transition', 'reminder', 'reminder', 'transition', 'transition']);
    } finally {
      await site.stop();
    }
  });

  it('a new failure (another lastFail) restarts the count; none without renotify; none while paused', async () => {
    const site = await open(
      writeSite({
        ...webCheck(),
        quiet: { type: 'remote', subType: 'dns', options: {}, actions: ['hook'] },
        paused: { type: 'remote', subType: 'ssh', paused: true, options: { renotify: 5 }, actions: ['hook'] },
      }),
    );
    try {
      for (const c of ['web', 'quiet', 'paused']) site.applyRemote(c, remote(false, T0));
      await at(site, T0 + MIN);
      for (const c of ['web', 'quiet', 'paused']) site.applyRemote(c, remote(true, h.clock.now()));
      await at(site, T0 + 5 * MIN);
      site.applyRemote('web', remote(false, h.clock.now()));
      site.applyRemote('web', remote(true, h.clock.now()));
      await at(site, T0 + 16 * MIN);
      const got = h.rx.requests.map((r, i) => `${(r.at - T0) / MIN}m ${sent()[i].check.name} ${sent()[i].kind} ${sent()[i].check.state}`);
      expect(got).toEqual([
        '0m web transition PASS',
        '0m quiet transition PASS',
        '1m web transition FAIL',
        '1m quiet transition FAIL',
        '5m web transition PASS',
        '5m web transition FAIL',
        '15m web reminder FAIL',
      ]);
    } finally {
      await site.stop();
    }
  });

  it('resume after a restart from the last FAIL or reminder in the outbox', async () => {
    const db = join(h.dir, 'site.db');
    const path = writeSite(webCheck());
    const s1 = await open(path, db);
    s1.applyRemote('web', remote(false, T0));
    await at(s1, T0 + MIN);
    s1.applyRemote('web', remote(true, h.clock.now()));
    await at(s1, T0 + 14 * MIN);
    await s1.stop();
    expect(summary()).toEqual(['0m transition PASS', '1m transition FAIL', '11m reminder FAIL']);

    const s2 = await open(path, db);
    try {
      await at(s2, T0 + 30 * MIN);
      expect(summary()).toEqual(['0m transition PASS', '1m transition FAIL', '11m reminder FAIL', '21m reminder FAIL']);
    } finally {
      await s2.stop();
    }
  });

  it('renotify added to a failing check by a config edit starts reminders from its last FAIL', async () => {
    const site = await open(writeSite(webCheck({})));
    try {
      site.applyRemote('web', remote(false, T0));
      await at(site, T0 + MIN);
      site.applyRemote('web', remote(true, h.clock.now()));
      await at(site, T0 + 20 * MIN);
      expect(summary()).toEqual(['0m transition PASS', '1m transition FAIL']);
      const r = await site.mutate((doc) => putCheck(doc, 'web', { type: 'remote', subType: 'https', options: { renotify: 30 }, actions: ['hook'] }));
      expect(r.ok).toBe(true);
      await at(site, T0 + 62 * MIN);
      expect(summary()).toEqual(['0m transition PASS', '1m transition FAIL', '31m reminder FAIL', '61m reminder FAIL']);
    } finally {
      await site.stop();
    }
  });
});

describe('storm control', () => {
  it('100 transitions in a minute: the first 10 singly, the other 90 as one digest at the end of the minute', async () => {
    const names = Array.from({ length: 100 }, (_, i) => `c${String(i).padStart(3, '0')}`);
    const checks = Object.fromEntries(names.map((n) => [n, { type: 'remote', subType: 'ping', options: {}, actions: ['hook'] }]));
    const site = await open(writeSite(checks, { notifications: { stormLimit: 10 } }));
    try {
      for (const n of names) site.applyRemote(n, remote(false, T0));
      await at(site, T0 + 2 * MIN);
      h.rx.requests.length = 0;
      const t1 = h.clock.now();
      for (const n of names) site.applyRemote(n, remote(true, t1));
      await outboxOf(site).idle();
      expect(sent().map((s) => s.check.name)).toEqual(names.slice(0, 10));
      await at(site, t1 + 59_000);
      expect(h.rx.requests).toHaveLength(10);
      await at(site, t1 + MIN);
      expect(h.rx.requests).toHaveLength(11);
      const digest = sent()[10];
      expect(digest.kind).toBe('digest');
      expect(digest.title).toBe('[HQ] FAIL: 90 notifications (digest)');
      expect(digest.items!.map((i) => i.name)).toEqual(names.slice(10));
      expect(digest.items!.every((i) => i.state === 'FAIL')).toBe(true);
      // both storms (the first PASS of 100 new checks, then the FAIL) were digested
      const digestRows = outboxOf(site)
        .deliveries({ limit: 1000 })
        .filter((d) => d.kind === 'digest');
      expect(digestRows.map((d) => [d.state, d.status])).toEqual([
        ['FAIL', 'sent'],
        ['PASS', 'sent'],
      ]);
      const held = outboxOf(site)
        .deliveries({ status: 'digested', limit: 1000 })
        .filter((d) => d.digestId === digestRows[0].id);
      expect(held.map((d) => d.check).reverse()).toEqual(names.slice(10));
      await at(site, t1 + 10 * MIN);
      expect(h.rx.requests).toHaveLength(11);
    } finally {
      await site.stop();
    }
  });
});

describe('a notification that cannot be queued', () => {
  it('does not stop the engine: the state is still committed and the failure logged', async () => {
    const site = await open(writeSite(webCheck({})));
    try {
      site.applyRemote('web', remote(false, T0));
      await outboxOf(site).idle();
      const rows = (): number => (site.db.prepare('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n;
      const before = rows();
      // a failing insert (the outbox table is gone) must not lose the state either:
      // the notifier reports it and the engine carries on
      site.db.exec('ALTER TABLE outbox RENAME TO outbox_away');
      site.applyRemote('web', remote(true, h.clock.now()));
      expect(site.state('web').failState).toBe(true);
      expect(site.store.loadAll().get('web')?.failState).toBe(true);
      site.db.exec('ALTER TABLE outbox_away RENAME TO outbox');
      expect(rows()).toBe(before);
    } finally {
      await site.stop();
    }
  });
});
