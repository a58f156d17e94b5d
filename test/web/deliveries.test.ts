/**
 * Delivery health in the UI, from the durable outbox (docs/actions.md)
 * against a real HTTP receiver: the actions list and the action page show
 * each action's last success, last error and queue; the check page explains
 * every delivery status (pending with its next try, failed, held by storm
 * control, digested); "Test action" goes through the notifier's test path,
 * is recorded, and shows its result.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { Agent, PASSWORDS, webSite, type TestSite } from './helpers.ts';
import { createOutbox } from '../../src/actions/outbox/site.ts';
import { OUTBOX_MIGRATIONS } from '../../src/actions/outbox/store.ts';
import type { OutboxNotifier } from '../../src/actions/outbox/notifier.ts';
import { startReceiver, type Receiver } from '../servers/http-receiver.ts';

let t: TestSite;
let rcv: Receiver;
let a: Agent;
beforeEach(async () => {
  rcv = await startReceiver();
  t = await webSite({ notifier: createOutbox, migrations: [OUTBOX_MIGRATIONS], actions: { hook: { type: 'webhook', options: { url: `${rcv.url}/hook` } } } });
  await t.site.mutate((doc) => ({ ...doc, notifications: { stormLimit: 1, backoff: 30 } }));
  t.site.notifier.start();
  a = new Agent(t.web);
  await a.login('olly', PASSWORDS.olly);
});
afterEach(async () => {
  await t.close();
  await rcv.close();
});

const outbox = (): OutboxNotifier => t.site.notifier as OutboxNotifier;
const notify = async (check: string): Promise<void> => {
  outbox().notify(['hook'], t.site.runtime.notification(check, 'transition'));
  await outbox().idle();
};
const statusCells = (html: string): string[] =>
  [...html.matchAll(/<td data-label="Status"><span class="dl dl-(\w+)">\w+<\/span> <span class="muted">([^<]*)<\/span><\/td>/g)].map((m) => `${m[1]}: ${m[2]}`);

describe('delivery health', () => {
  it('a failing receiver: pending with its next try, then failed; the actions list and the action page say so', async () => {
    rcv.fallback = { status: 500, body: 'down' };
    await notify('root');
    expect(statusCells(await a.page('/check/root'))).toEqual(['pending: 1 attempt failed; next try 01 Jan 2026 12:00 UTC']);
    const list = await a.page('/actions');
    expect(list).toMatch(
      /<td data-label="Delivery"><span class="err" title="[^"]*HTTP 500[^"]*">failing<\/span><\/td><td data-label="Last sent">never<\/td><td data-label="Waiting \/ given up">1 \/ 0<\/td>/,
    );
    expect(list).toMatch(/<td data-label="Last error" class="lasterr">127\.0\.0\.1:\d+: HTTP 500 down \(01 Jan 2026 12:00 UTC\)<\/td>/);

    rcv.fallback = { status: 401, body: 'who are you' };
    await t.clock.advance(60_000);
    await outbox().idle();
    expect(statusCells(await a.page('/check/root'))).toEqual(['failed: given up after 2 attempts']);
    const page = await a.page('/action/hook');
    expect(page).toMatch(/<dt>State<\/dt><dd><span class="err"[^>]*>failing<\/span><\/dd>/);
    expect(page).toMatch(/<dt>Given up<\/dt><dd>1 notification /);
    expect(page).toMatch(/<dt>Waiting<\/dt><dd>0 notifications /);
  });

  it('storm control: held notifications, then one digest', async () => {
    await notify('root');
    await notify('ram');
    await notify('lone');
    expect(rcv.requests).toHaveLength(1);
    expect(statusCells(await a.page('/check/lone'))).toEqual(['held: by storm control: goes out in one digest when the minute ends']);
    expect(await a.page('/actions')).toMatch(/<td data-label="Waiting \/ given up">2 \/ 0<\/td>/);
    await t.clock.advance(61_000);
    await outbox().idle();
    expect(rcv.requests).toHaveLength(2);
    expect(statusCells(await a.page('/check/lone'))).toEqual([expect.stringMatching(/^digested: sent inside digest #\d+$/)]);
    expect(statusCells(await a.page('/check/root'))).toEqual(['sent: 01 Jan 2026 12:00 UTC']);
    expect(await a.page('/actions')).toMatch(
      /<span class="ok">delivering<\/span><\/td><td data-label="Last sent">01 Jan 2026 12:01 UTC<\/td><td data-label="Waiting \/ given up">0 \/ 0<\/td>/,
    );
  });

  it('"Test action" sends fletchck\'s test notification through the notifier, records it and shows the result', async () => {
    await a.page('/action/hook');
    const ok = await (await a.post('/action/hook/test', { back: 'edit' })).text();
    expect(ok).toContain('Test notification sent: the receiver accepted it.');
    expect(JSON.parse(rcv.requests[0].body)).toMatchObject({
      kind: 'test',
      check: {
        name: 'Test Notification',
        type: 'action-test',
        log: ['Testing action notification', expect.stringMatching(/^Fletch version: siteward /), expect.stringMatching(/^Some random value: \d+%$/)],
      },
    });
    expect(ok).toMatch(/<td data-label="Check">\(test\)<\/td><td data-label="Kind">test<\/td>.*<span class="dl dl-sent">sent<\/span>/s);
    expect(outbox().deliveries({ action: 'hook' })).toMatchObject([{ kind: 'test', status: 'sent' }]);

    rcv.fallback = { status: 400, body: 'bad' };
    const bad = await (await a.post('/action/hook/test', { back: 'edit' })).text();
    expect(bad).toMatch(/Test notification failed: 127\.0\.0\.1:\d+: HTTP 400 bad/);
    expect(bad).toMatch(/<dt>State<\/dt><dd><span class="err"/);
    expect(outbox().deliveries({ action: 'hook' })).toMatchObject([
      { kind: 'test', status: 'failed' },
      { kind: 'test', status: 'sent' },
    ]);
  });
});
