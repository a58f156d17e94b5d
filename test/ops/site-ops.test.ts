/**
 * Maintenance windows, acknowledgement and escalation through a whole Site
 * on a fake clock, the outbox delivering to a real HTTP receiver (the same
 * harness as test/actions/site-notify.test.ts).
 */
import { describe, it, expect } from 'vitest';
import { join } from 'node:path';
import { FakeClock } from '../../src/engine/clock.ts';
import { useNotifySite, remote, T0, MIN } from '../helpers/notify-site.ts';

const h = useNotifySite('sw-ops-', ['hook', 'sms', 'pager']);
const { writeSite, open, at } = h;

interface Sent {
  kind: string;
  check: { name: string; state: string };
}
/** `<minute>m <path> <kind> <state>` of every delivery */
const got = (): string[] =>
  h.rx.requests.map((r) => {
    const s = JSON.parse(r.body) as Sent;
    return `${(r.at - T0) / MIN}m ${r.path.slice(1)} ${s.check.name} ${s.kind} ${s.check.state}`;
  });

const web = (options: Record<string, unknown> = {}): Record<string, unknown> => ({
  web: { type: 'remote', subType: 'https', options, actions: ['hook'] },
});

describe('maintenance windows', () => {
  it('a one-off window: transitions inside notify nobody and are marked; a check still failing at the end notifies once', async () => {
    const site = await open(
      writeSite(web({ renotify: 5 }), {
        maintenance: { upgrade: { start: new Date(T0 + 10 * MIN).toISOString(), end: new Date(T0 + 40 * MIN).toISOString(), checks: ['web'] } },
      }),
    );
    try {
      site.applyRemote('web', remote(false, T0));
      await at(site, T0 + 12 * MIN);
      expect(site.ops.maintenance('web')).toMatchObject({ window: 'upgrade', end: T0 + 40 * MIN });
      site.applyRemote('web', remote(true, h.clock.now()));
      await at(site, T0 + 20 * MIN);
      site.applyRemote('web', remote(false, h.clock.now()));
      site.applyRemote('web', remote(true, h.clock.now()));
      await at(site, T0 + 50 * MIN);
      expect(got()).toEqual([
        '0m hook web transition PASS',
        // nothing between 10m and 40m: no transition, no reminder
        '40m hook web transition FAIL',
        '45m hook web reminder FAIL',
        '50m hook web reminder FAIL',
      ]);
      const trace = site.ops.decisions('web');
      expect(trace[0]).toMatchObject({ kind: 'maintenance-end', notified: ['hook'] });
      expect(trace[1]).toMatchObject({
        kind: 'transition',
        to: 'FAIL',
        maintenance: 'upgrade',
        notified: [],
        skipped: [{ action: 'hook', why: 'in maintenance (window "upgrade")' }],
      });
      expect(site.siteLog.all().some((l) => l.endsWith('web (remote.https) FAIL (in maintenance "upgrade")'))).toBe(true);
      expect(site.siteLog.all().some((l) => l.endsWith('Maintenance "upgrade" ended'))).toBe(true);
    } finally {
      await site.stop();
    }
  });

  it('notifyAtEnd false: a check failing at the end stays quiet; one that recovered inside says nothing either', async () => {
    const site = await open(
      writeSite(
        { ...web(), db: { type: 'remote', subType: 'postgres', options: { tags: ['data'] }, actions: ['hook'] } },
        {
          maintenance: {
            nightly: {
              start: new Date(T0 + 10 * MIN).toISOString(),
              end: new Date(T0 + 20 * MIN).toISOString(),
              checks: ['web'],
              tags: ['data'],
              notifyAtEnd: false,
            },
          },
        },
      ),
    );
    try {
      site.applyRemote('web', remote(false, T0));
      site.applyRemote('db', remote(false, T0));
      site.applyRemote('db', remote(true, T0));
      await at(site, T0 + 11 * MIN);
      site.applyRemote('web', remote(true, h.clock.now()));
      site.applyRemote('db', remote(false, h.clock.now()));
      await at(site, T0 + 30 * MIN);
      expect(got()).toEqual(['0m hook web transition PASS', '0m hook db transition PASS', '0m hook db transition FAIL']);
    } finally {
      await site.stop();
    }
  });

  it('a recurring window (cron + duration in a zone) follows the wall clock across the DST change', async () => {
    // 01:30–02:30 Europe/Berlin every day; clocks go forward on 29 Mar 2026 (02:00 → 03:00)
    const berlin = Date.UTC(2026, 2, 28, 0, 0); // 28 Mar 01:00 CET
    h.clock = new FakeClock(berlin);
    const site = await open(
      writeSite(web(), {
        maintenance: { backup: { cron: { hour: 1, minute: 30 }, duration: { hours: 1 }, timezone: 'Europe/Berlin', checks: ['web'] } },
      }),
    );
    try {
      // 28 Mar, CET (UTC+1): 01:30 local = 00:30 UTC
      expect(site.ops.maintenance('web', Date.UTC(2026, 2, 28, 0, 29))).toBeNull();
      expect(site.ops.maintenance('web', Date.UTC(2026, 2, 28, 0, 30))).toMatchObject({ window: 'backup', end: Date.UTC(2026, 2, 28, 1, 30) });
      // 29 Mar, CEST from 02:00 local: 01:30 CET is 00:30 UTC, the hour ends at 01:30 UTC (03:30 CEST)
      expect(site.ops.maintenance('web', Date.UTC(2026, 2, 29, 0, 30))).toMatchObject({ start: Date.UTC(2026, 2, 29, 0, 30) });
      // 30 Mar, CEST (UTC+2): 01:30 local = 23:30 UTC the day before
      expect(site.ops.maintenance('web', Date.UTC(2026, 2, 29, 23, 30))).toMatchObject({
        start: Date.UTC(2026, 2, 29, 23, 30),
        end: Date.UTC(2026, 2, 30, 0, 30),
      });
      expect(site.ops.maintenance('web', Date.UTC(2026, 2, 30, 0, 30))).toBeNull();
    } finally {
      await site.stop();
    }
  });

  it('bad windows are refused with their JSON paths; the rest of the site loads', async () => {
    const site = await open(
      writeSite(web(), {
        maintenance: {
          a: { start: 'soon', end: '2026-01-01T00:00:00Z', checks: ['web'] },
          b: { cron: { hour: 25 }, duration: { hours: 1 }, checks: ['web'] },
          c: { cron: { hour: 1 }, duration: { hours: 'x' }, checks: ['web'] },
          d: { start: '2026-01-02T00:00:00Z', end: '2026-01-01T00:00:00Z', checks: ['web'] },
          e: { start: '2026-01-01T00:00:00Z', end: '2026-01-02T00:00:00Z' },
          f: { start: '2026-01-01T00:00:00Z', end: '2026-01-02T00:00:00Z', checks: ['nope'] },
        },
      }),
    );
    try {
      const issues = site.loaded.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
      expect(issues).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^maintenance\.a\.start: "soon" is not an ISO 8601 time/),
          expect.stringMatching(/^maintenance\.b\.cron\.hour: /),
          expect.stringMatching(/^maintenance\.c\.duration\.hours: expected a whole number of hours/),
          'maintenance.d.end: the end must be after the start',
          expect.stringMatching(/^maintenance\.e: names no checks/),
          'maintenance.f.checks.0: unknown check "nope"',
        ]),
      );
      expect(site.loaded.ops.maintenance.map((w) => w.name)).toEqual(['f']);
    } finally {
      await site.stop();
    }
  });
});

describe('a window that ends while siteward is down', () => {
  const window = (notifyAtEnd = true): Record<string, unknown> => ({
    maintenance: { upgrade: { start: new Date(T0 + 10 * MIN).toISOString(), end: new Date(T0 + 40 * MIN).toISOString(), checks: ['web'], notifyAtEnd } },
  });

  it('a check still failing notifies once at the next start, and not again after a second restart', async () => {
    const db = join(h.dir, 'site.db');
    const path = writeSite(web(), window());
    const s1 = await open(path, db);
    s1.applyRemote('web', remote(false, T0));
    await at(s1, T0 + 12 * MIN);
    s1.applyRemote('web', remote(true, h.clock.now())); // inside the window: nobody notified
    await at(s1, T0 + 20 * MIN);
    await s1.stop();
    // down from 20m to 50m: the window ends at 40m unseen
    await h.clock.advanceTo(T0 + 50 * MIN);
    const s2 = await open(path, db);
    try {
      await at(s2, T0 + 52 * MIN);
      expect(got()).toEqual(['0m hook web transition PASS', '50m hook web transition FAIL']);
      expect(s2.ops.decisions('web')[0]).toMatchObject({ kind: 'maintenance-end', notified: ['hook'] });
      expect(s2.siteLog.all().some((l) => l.endsWith('Maintenance "upgrade" ended while siteward was not running'))).toBe(true);
    } finally {
      await s2.stop();
    }
    const s3 = await open(path, db);
    try {
      await at(s3, T0 + 60 * MIN);
      expect(got()).toEqual(['0m hook web transition PASS', '50m hook web transition FAIL']);
    } finally {
      await s3.stop();
    }
  });

  it('a window still on at the restart ends as usual; with notifyAtEnd false the restart stays quiet', async () => {
    const db = join(h.dir, 'site.db');
    const s1 = await open(writeSite(web(), window()), db);
    s1.applyRemote('web', remote(false, T0));
    await at(s1, T0 + 12 * MIN);
    s1.applyRemote('web', remote(true, h.clock.now()));
    await at(s1, T0 + 20 * MIN);
    await s1.stop();
    await h.clock.advanceTo(T0 + 30 * MIN);
    const s2 = await open(writeSite(web(), window()), db);
    try {
      await at(s2, T0 + 45 * MIN);
      expect(got()).toEqual(['0m hook web transition PASS', '40m hook web transition FAIL']);
    } finally {
      await s2.stop();
    }

    const quiet = join(h.dir, 'quiet.db');
    h.rx.requests.length = 0;
    await h.clock.advanceTo(T0 + 46 * MIN);
    const later = (): Record<string, unknown> => ({
      maintenance: { later: { start: new Date(T0 + 50 * MIN).toISOString(), end: new Date(T0 + 60 * MIN).toISOString(), checks: ['web'], notifyAtEnd: false } },
    });
    const q1 = await open(writeSite(web(), later()), quiet);
    q1.applyRemote('web', remote(false, h.clock.now()));
    await at(q1, T0 + 52 * MIN);
    q1.applyRemote('web', remote(true, h.clock.now()));
    await at(q1, T0 + 55 * MIN);
    await q1.stop();
    await h.clock.advanceTo(T0 + 70 * MIN);
    const q2 = await open(writeSite(web(), later()), quiet);
    try {
      await at(q2, T0 + 72 * MIN);
      expect(got().map((l) => l.replace(/^\d+m /, ''))).toEqual(['hook web transition PASS']);
    } finally {
      await q2.stop();
    }
  });
});

describe('acknowledgement', () => {
  it('stops reminders and escalation, is kept across a restart, and clears on recovery', async () => {
    const db = join(h.dir, 'site.db');
    const path = writeSite(web({ renotify: 10, escalation: 'oncall' }), {
      escalation: { oncall: { steps: [{ after: { minutes: 15 }, actions: ['sms'] }] } },
    });
    const s1 = await open(path, db);
    s1.applyRemote('web', remote(false, T0));
    await at(s1, T0 + MIN);
    s1.applyRemote('web', remote(true, h.clock.now()));
    await at(s1, T0 + 12 * MIN);
    expect(s1.ops.acknowledge('web', 'alice', 'on it')).toMatchObject({ ok: true });
    await at(s1, T0 + 14 * MIN);
    await s1.stop();
    const s2 = await open(path, db);
    try {
      expect(s2.ops.ack('web')).toMatchObject({ by: 'alice', comment: 'on it', at: T0 + 12 * MIN });
      await at(s2, T0 + 60 * MIN);
      expect(got()).toEqual(['0m hook web transition PASS', '1m hook web transition FAIL', '11m hook web reminder FAIL']);
      expect(s2.siteLog.all().some((l) => l.endsWith('web acknowledged by alice: on it'))).toBe(true);
      s2.applyRemote('web', remote(false, h.clock.now()));
      expect(s2.ops.ack('web')).toBeNull();
      expect(s2.ops.store.ack('web')).toBeNull();
      // a new failure is not acknowledged
      s2.applyRemote('web', remote(true, h.clock.now()));
      expect(s2.ops.ack('web')).toBeNull();
      expect(s2.ops.acknowledge('nope', 'a', '')).toMatchObject({ ok: false });
    } finally {
      await s2.stop();
    }
  });

  it('a passing check cannot be acknowledged', async () => {
    const site = await open(writeSite(web()));
    try {
      site.applyRemote('web', remote(false, T0));
      expect(site.ops.acknowledge('web', 'alice', '')).toEqual({ ok: false, error: 'web is not failing: there is nothing to acknowledge' });
    } finally {
      await site.stop();
    }
  });
});

describe('escalation', () => {
  const policy = {
    oncall: {
      steps: [
        { after: { minutes: 10 }, actions: ['sms'] },
        { after: { minutes: 30 }, actions: ['pager'] },
      ],
    },
  };

  it('notifies each step after N minutes unacknowledged; a restart in the middle keeps its step', async () => {
    const db = join(h.dir, 'site.db');
    const path = writeSite(web({ escalation: 'oncall' }), { escalation: policy });
    const s1 = await open(path, db);
    s1.applyRemote('web', remote(false, T0));
    await at(s1, T0 + MIN);
    s1.applyRemote('web', remote(true, h.clock.now()));
    await at(s1, T0 + 20 * MIN);
    expect(s1.ops.store.escalation('web')).toMatchObject({ step: 1, base: T0 + MIN });
    await s1.stop();
    const s2 = await open(path, db);
    try {
      await at(s2, T0 + 60 * MIN);
      expect(got()).toEqual(['0m hook web transition PASS', '1m hook web transition FAIL', '11m sms web escalation FAIL', '31m pager web escalation FAIL']);
      const trace = s2.ops.decisions('web');
      expect(trace[0]).toMatchObject({ kind: 'escalation', escalationStep: 2, notified: ['pager'] });
    } finally {
      await s2.stop();
    }
  });

  it('an acknowledgement or a recovery ends it', async () => {
    const site = await open(
      writeSite(
        { ...web({ escalation: 'oncall' }), db: { type: 'remote', subType: 'pg', options: { escalation: 'oncall' }, actions: ['hook'] } },
        { escalation: policy },
      ),
    );
    try {
      site.applyRemote('web', remote(false, T0));
      site.applyRemote('db', remote(false, T0));
      await at(site, T0 + MIN);
      site.applyRemote('web', remote(true, h.clock.now()));
      site.applyRemote('db', remote(true, h.clock.now()));
      await at(site, T0 + 5 * MIN);
      site.ops.acknowledge('web', 'bob', '');
      site.applyRemote('db', remote(false, h.clock.now()));
      await at(site, T0 + 60 * MIN);
      expect(got().filter((l) => l.includes('escalation'))).toEqual([]);
    } finally {
      await site.stop();
    }
  });

  it('an unknown policy or action is an error with its path', async () => {
    const site = await open(
      writeSite(web({ escalation: 'nobody' }), {
        escalation: {
          p: {
            steps: [
              { after: { minutes: 10 }, actions: ['nope'] },
              { after: { minutes: 5 }, actions: ['sms'] },
            ],
          },
        },
      }),
    );
    try {
      const issues = site.loaded.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
      expect(issues).toEqual(
        expect.arrayContaining([
          'checks.web.options.escalation: unknown escalation policy "nobody"',
          'escalation.p.steps.0.actions.0: unknown action "nope"',
          'escalation.p.steps.1.after: each step must come later than the one before',
        ]),
      );
      expect(site.entry('web')?.active).toBe(false);
    } finally {
      await site.stop();
    }
  });
});
