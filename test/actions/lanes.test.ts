/**
 * Channels are independent lanes (issue 16, docs/actions.md): an email
 * action whose server accepts and never greets holds only its own lane; a
 * webhook queued beside it is delivered at once, transition after
 * transition, while the mail is still waiting for its greeting. A real hung
 * TCP server beside a real HTTP receiver.
 */
import { openSite } from '../../src/wiring.ts';
import { describe, it, expect, afterEach } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeClock } from '../../src/engine/clock.ts';
import type { RemoteData } from '../../src/engine/state.ts';
import { OUTBOX_MIGRATIONS } from '../../src/actions/outbox/store.ts';
import { createOutbox } from '../../src/actions/outbox/site.ts';
import { startReceiver } from '../servers/http-receiver.ts';
import { HOST, tempDir } from '../servers/common.ts';

/** Accepts TCP connections and never sends a byte (an SMTP server that never greets). */
async function hungServer(): Promise<{ port: number; open: Set<Socket>; accepted: () => number; close(): Promise<void> }> {
  const open = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((s) => {
    accepted++;
    open.add(s);
    s.on('close', () => open.delete(s));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, HOST, r));
  return {
    port: (server.address() as { port: number }).port,
    open,
    accepted: () => accepted,
    close: () =>
      new Promise<void>((r) => {
        for (const s of open) s.destroy();
        server.close(() => r());
      }),
  };
}

const remote = (fail: boolean, at: number): RemoteData => ({
  failState: fail,
  failCount: fail ? 1 : 0,
  threshold: 1,
  log: [fail ? 'down' : 'up'],
  softFail: null,
  level: null,
  lastCheck: at,
  lastFail: fail ? at : null,
  lastPass: fail ? null : at,
});

/** Waits for `p`, or fails after `ms` naming what did not happen. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_r, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('outbox lanes', () => {
  it('a hung SMTP server delays only the email action: the webhook beside it gets every transition at once', async () => {
    const smtp = await hungServer();
    const rx = await startReceiver();
    const t = tempDir('sw-lanes-');
    cleanups.push(t.cleanup, () => rx.close());
    const clock = new FakeClock(Date.UTC(2026, 0, 14, 5));
    const path = join(t.dir, 'site.json');
    writeFileSync(
      path,
      JSON.stringify({
        actions: {
          // a long timeout: the mail lane stays busy for the whole test (its server never greets)
          mail: { type: 'email', options: { hostname: HOST, port: smtp.port, tls: 'none', recipients: ['ops@example.test'], timeout: 240 } },
          hook: { type: 'webhook', options: { url: `${rx.url}/hook` } },
        },
        checks: { web: { type: 'remote', subType: 'https', actions: ['mail', 'hook'] } },
      }),
    );
    const site = await openSite({ configPath: path, clock, dbPath: ':memory:', migrations: [OUTBOX_MIGRATIONS], notifier: createOutbox });
    await site.start();
    // the hung connections are cut first, so the stop does not wait out the mail's timeout
    cleanups.push(async () => {
      await smtp.close();
      await site.stop();
    });

    // a new check starts in FAIL (spec §3.2): its first PASS is the first transition
    site.applyRemote('web', remote(false, clock.now()));
    // generous limits for a busy machine; the mail's own timeout is 240 s
    await within(rx.waitFor(1), 60_000, 'the first webhook');
    await expect.poll(() => smtp.open.size, { timeout: 60_000 }).toBe(1);
    for (let i = 2; i <= 4; i++) {
      site.applyRemote('web', remote(i % 2 === 0, clock.now()));
      await within(rx.waitFor(i), 60_000, `webhook ${i} while the mail lane is hung`);
    }
    // the mail is still waiting for its greeting: one connection, never answered, never retried
    expect(smtp.open.size).toBe(1);
    expect(smtp.accepted()).toBe(1);
    expect(rx.requests.map((r) => (JSON.parse(r.body) as { check: { state: string } }).check.state)).toEqual(['PASS', 'FAIL', 'PASS', 'FAIL']);
    const mail = site.notifier.deliveries({ action: 'mail' });
    expect(mail.map((d) => d.status)).toEqual(['pending', 'pending', 'pending', 'pending']);
  }, 300_000);

  it('a queue the database cannot read for a while is looked at again later, not never (and nothing throws)', async () => {
    const rx = await startReceiver();
    const t = tempDir('sw-lanes-');
    cleanups.push(t.cleanup, () => rx.close());
    const clock = new FakeClock(Date.UTC(2026, 0, 14, 5));
    const path = join(t.dir, 'site.json');
    writeFileSync(
      path,
      JSON.stringify({
        actions: { hook: { type: 'webhook', options: { url: `${rx.url}/hook` } } },
        checks: { web: { type: 'remote', subType: 'https', actions: ['hook'] } },
      }),
    );
    const site = await openSite({ configPath: path, clock, dbPath: ':memory:', migrations: [OUTBOX_MIGRATIONS], notifier: createOutbox });
    await site.start();
    cleanups.push(() => site.stop());
    // the outbox's reads of its queue fail (an I/O error) while `broken`: a real SQLite error code
    const store = (site.notifier as unknown as { store: { pendingActions(): string[] } }).store;
    const real = store.pendingActions.bind(store);
    let broken = true;
    let refused = 0;
    store.pendingActions = () => {
      if (broken) {
        refused++;
        throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR' });
      }
      return real();
    };
    site.applyRemote('web', remote(false, clock.now()));
    // the pass and the timer's planning both met the error; the process goes on
    await expect.poll(() => refused, { timeout: 60_000 }).toBeGreaterThanOrEqual(2);
    expect(rx.requests).toHaveLength(0);
    broken = false;
    // the retry timer (5 s) looks again and delivers what was queued
    await clock.advance(5_000);
    await within(rx.waitFor(1), 60_000, 'the webhook after the queue could be read again');
    expect((JSON.parse(rx.requests[0]!.body) as { check: { state: string } }).check.state).toBe('PASS');
  }, 300_000);
});
