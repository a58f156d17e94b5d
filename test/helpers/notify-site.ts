/**
 * A whole Site on a fake clock whose outbox delivers to a real HTTP
 * receiver: the harness of the notification tests (test/actions/site-notify,
 * test/ops/site-ops). Each action is a webhook posting to `<receiver>/<name>`;
 * transitions are fed in as remote updates.
 */
import { beforeEach, afterEach } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Site } from '../../src/site.ts';
import { openSite } from '../../src/wiring.ts';
import { FakeClock } from '../../src/engine/clock.ts';
import type { RemoteData } from '../../src/engine/state.ts';
import { OUTBOX_MIGRATIONS } from '../../src/actions/outbox/store.ts';
import { createOutbox } from '../../src/actions/outbox/site.ts';
import type { OutboxNotifier } from '../../src/actions/outbox/notifier.ts';
import { startReceiver, type Receiver } from '../servers/http-receiver.ts';
import { tempDir } from '../servers/common.ts';

export const T0 = Date.UTC(2026, 0, 14, 5, 0, 0);
export const MIN = 60_000;

export interface NotifySite {
  /** the site clock; a test may replace it before opening a site (the receiver follows) */
  clock: FakeClock;
  readonly rx: Receiver;
  readonly dir: string;
  /** writes site.json with the webhook actions, `checks` and any other top-level keys */
  writeSite(checks: Record<string, unknown>, extra?: Record<string, unknown>): string;
  /** opens and starts a Site with the outbox (`db`: a file to keep across a restart) */
  open(path: string, db?: string): Promise<Site>;
  /**
   * Moves the fake clock to `t` a second at a time, letting the deliveries
   * each step starts finish (they are real HTTP requests) before time moves on.
   */
  at(site: Site, t: number): Promise<void>;
}

export const outboxOf = (s: Site): OutboxNotifier => s.notifier as OutboxNotifier;

/** A remote check's update: failing or passing at `at`. */
export function remote(fail: boolean, at: number, log: string[] = [fail ? 'down' : 'up']): RemoteData {
  return {
    failState: fail,
    failCount: fail ? 1 : 0,
    threshold: 1,
    log,
    softFail: null,
    level: null,
    lastCheck: at,
    lastFail: fail ? at : null,
    lastPass: fail ? null : at,
  };
}

/** Registers the per-test setup (receiver, temp dir, clock at T0) and returns the harness. */
export function useNotifySite(prefix: string, actions: readonly string[] = ['hook']): NotifySite {
  let rx: Receiver | null = null;
  let dir = '';
  let cleanup: () => void = () => undefined;
  const h: NotifySite = {
    clock: new FakeClock(T0),
    get rx(): Receiver {
      if (!rx) throw new Error('the receiver starts in beforeEach');
      return rx;
    },
    get dir(): string {
      return dir;
    },
    writeSite(checks, extra = {}) {
      const path = join(dir, 'site.json');
      const acts = Object.fromEntries(actions.map((a) => [a, { type: 'webhook', options: { url: `${h.rx.url}/${a}` } }]));
      writeFileSync(path, JSON.stringify({ webui: { name: 'HQ' }, actions: acts, checks, ...extra }));
      return path;
    },
    async open(path, db = ':memory:') {
      const site = await openSite({ configPath: path, clock: h.clock, dbPath: db, migrations: [OUTBOX_MIGRATIONS], notifier: createOutbox });
      await site.start();
      return site;
    },
    async at(site, t) {
      await outboxOf(site).idle();
      while (h.clock.now() < t) {
        await h.clock.advance(Math.min(1000, t - h.clock.now()));
        await outboxOf(site).idle();
      }
    },
  };
  beforeEach(async () => {
    h.clock = new FakeClock(T0);
    rx = await startReceiver({ now: () => h.clock.now() });
    ({ dir, cleanup } = tempDir(prefix));
  });
  afterEach(async () => {
    await rx?.close();
    rx = null;
    cleanup();
  });
  return h;
}
