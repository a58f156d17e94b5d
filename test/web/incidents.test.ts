/**
 * A check's incident timeline (issue 22; src/web/incidents.ts): FAIL periods
 * from the transitions with start, end, duration and the logs that opened
 * and closed them; the notifications about each with their delivery status
 * (the durable outbox, a real HTTP receiver); who paused, resumed or ran the
 * check by hand (the site log); paged, newest first.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { Agent, PASSWORDS, webSite, type TestSite } from './helpers.ts';
import { createOutbox } from '../../src/actions/outbox/site.ts';
import { OUTBOX_MIGRATIONS } from '../../src/actions/outbox/store.ts';
import type { OutboxNotifier } from '../../src/actions/outbox/notifier.ts';
import { durationText, failPeriods, incidentPage } from '../../src/web/incidents.ts';
import type { TransitionRow } from '../../src/store/state.ts';
import type { DeliveryRecord } from '../../src/actions/dispatch.ts';
import { startReceiver, type Receiver } from '../servers/http-receiver.ts';

const MIN = 60_000;
const T = Date.UTC(2026, 0, 1, 12);
const tr = (t: number, to: string, log: string[] = [to]): TransitionRow => ({ t, to, from: to === 'FAIL' ? 'PASS' : 'FAIL', notify: true, log });

describe('incident periods (pure)', () => {
  it('durations in the two largest units', () => {
    expect([0, 42_000, 303_000, 2 * 3_600_000 + 5 * MIN + 9000, 3 * 86_400_000 + 4 * 3_600_000].map(durationText)).toEqual([
      '0 s',
      '42 s',
      '5 min 3 s',
      '2 h 5 min',
      '3 d 4 h',
    ]);
  });

  it('a period opens on FAIL and ends on the next other state; one that began before the oldest transition read is left out', () => {
    // newest first, as the store gives them
    const rows = [tr(T + 50 * MIN, 'FAIL'), tr(T + 30 * MIN, 'PASS'), tr(T + 20 * MIN, 'WARN'), tr(T + 10 * MIN, 'FAIL'), tr(T, 'PASS')];
    expect(failPeriods(rows).map((p) => [p.start - T, p.end === null ? null : p.end - T, p.endedAs])).toEqual([
      [10 * MIN, 20 * MIN, 'WARN'],
      [50 * MIN, null, null],
    ]);
  });

  it('pages newest first; deliveries go to the period they follow; people lines by their stamp', () => {
    const rows: TransitionRow[] = [];
    for (let k = 0; k < 25; k++) rows.unshift(tr(T + k * 10 * MIN, 'FAIL', [`down ${k}`]), tr(T + k * 10 * MIN + 5 * MIN, 'PASS', [`up ${k}`]));
    rows.reverse();
    rows.sort((a, b) => b.t - a.t);
    const dl = (id: number, created: number, state: string): DeliveryRecord => ({
      id,
      uid: `u${id}`,
      action: 'hook',
      check: 'web',
      kind: 'transition',
      state,
      status: 'sent',
      attempts: 1,
      created,
      nextAt: null,
      lastAttempt: created,
      lastError: null,
      sentAt: created,
      digestId: null,
    });
    const last = T + 24 * 10 * MIN;
    const input = {
      name: 'web',
      now: last + 60 * MIN,
      transitions: rows,
      deliveries: [
        dl(1, last + 1000, 'FAIL'),
        dl(2, last + 5 * MIN + 1000, 'PASS'),
        dl(3, last - 10 * MIN + 1000, 'FAIL'),
        { ...dl(4, last, 'FAIL'), check: 'other' },
      ],
      siteLog: [
        '2026-01-01 16:00:30,000 web paused by olly',
        '2026-01-01 16:01:00,000 web (https) FAIL',
        '2026-01-01 16:02:00,000 webby paused by olly',
        '2026-01-01 16:06:00,000 web resumed by olly',
      ],
      zone: null,
      siteZone: null,
    };
    const p1 = incidentPage(input, 1, 10);
    expect([p1.page, p1.pages, p1.total, p1.incidents.length]).toEqual([1, 3, 25, 10]);
    const newest = p1.incidents[0];
    expect(newest).toMatchObject({
      start: '01 Jan 2026 16:00 UTC',
      end: '01 Jan 2026 16:05 UTC',
      duration: '5 min',
      opened: ['down 24'],
      closed: ['up 24'],
      endedAs: 'PASS',
    });
    expect(newest.notifications.map((d) => d.id)).toEqual([1, 2]);
    expect(newest.people).toEqual(['2026-01-01 16:00:30,000 web paused by olly']);
    expect(p1.incidents[1].notifications.map((d) => d.id)).toEqual([3]);
    const p3 = incidentPage(input, 3, 10);
    expect([p3.page, p3.incidents.length, p3.incidents[4].opened]).toEqual([3, 5, ['down 0']]);
    // out-of-range pages are clamped
    expect(incidentPage(input, 99, 10).page).toBe(3);
    expect(incidentPage(input, Number('x'), 10).page).toBe(1);
  });
});

describe('incident timeline on the check page', () => {
  let t: TestSite;
  let rcv: Receiver;
  let olly: Agent;
  beforeEach(async () => {
    rcv = await startReceiver();
    t = await webSite({
      notifier: createOutbox,
      migrations: [OUTBOX_MIGRATIONS],
      actions: { hook: { type: 'webhook', options: { url: `${rcv.url}/hook` } } },
      checks: { root: { type: 'disk', failAction: true, passAction: true, actions: ['hook'], options: { volume: '/', level: 100 } } },
    });
    t.site.notifier.start();
    olly = new Agent(t.web);
    await olly.login('olly', PASSWORDS.olly);
  });
  afterEach(async () => {
    await t.close();
    await rcv.close();
  });

  const level = (n: number) =>
    t.site.mutate((doc) => ({
      ...doc,
      checks: { root: { ...(doc.checks as Record<string, Record<string, unknown>>).root, options: { volume: '/', level: n } } },
    }));

  it('shows a FAIL period with its logs, its notifications and who acted on it', async () => {
    expect(await olly.page('/check/root')).toContain('No FAIL periods recorded.');
    await t.site.runNow('root');
    await t.clock.advance(MIN);
    expect((await level(0)).ok).toBe(true);
    await t.site.runNow('root');
    await (t.site.notifier as OutboxNotifier).idle();
    await t.clock.advance(2 * MIN);
    expect((await olly.post('/check/root/pause', { paused: '1' })).status).toBe(303);
    expect((await olly.post('/check/root/pause', { paused: '0' })).status).toBe(303);
    await t.clock.advance(MIN);
    expect((await level(100)).ok).toBe(true);
    expect((await olly.post('/check/root/run', {})).status).toBe(303);
    await (t.site.notifier as OutboxNotifier).idle();
    // the first PASS (before the period), the FAIL and the recovery
    expect(rcv.requests).toHaveLength(3);

    const page = await olly.page('/check/root');
    const section = page.slice(page.indexOf('<section id="incidents"'));
    expect(section).toContain('1 FAIL period in the recorded transitions');
    expect(section).toMatch(/<strong>01 Jan 2026 12:01 UTC to 01 Jan 2026 12:04 UTC \(3 min\)<\/strong>/);
    expect(section).toMatch(/Opened by<\/span><pre class="log">[^<]*Target: 0%<\/pre>/);
    expect(section).toMatch(/Closed by<\/span><pre class="log">[^<]*Target: 100%<\/pre>/);
    expect(section.match(/<span class="dl dl-sent">sent<\/span>/g)).toHaveLength(2);
    expect(section).toContain('hook (FAIL): ');
    expect(section).toContain('hook (PASS): ');
    expect(section).toMatch(/<li>2026-01-01 12:03:00,000 root paused by olly<\/li>/);
    expect(section).toMatch(/<li>2026-01-01 12:03:00,000 root resumed by olly<\/li>/);
    expect(section).toMatch(/<li>2026-01-01 12:04:00,000 root run by hand by olly<\/li>/);
  });
});
