/**
 * The outbox as a running site uses it (wiring.ts `notifierFactory`): the
 * site's database and clock, settings read live from the config, reminders
 * that read check state and renotify, and renames followed.
 */
import type { Database as Db } from 'better-sqlite3';
import type { LoadedSite, SiteSettings } from '../../config/load.ts';
import type { ActionEntry, CheckEntry } from '../../config/model.ts';
import type { Clock } from '../../engine/clock.ts';
import type { SiteBus } from '../../engine/events.ts';
import type { CheckState } from '../../engine/state.ts';
import type { Ops } from '../../ops/ops.ts';
import type { Notification } from '../types.ts';
import type { NotifierHost } from '../dispatch.ts';
import { isFailing } from '../../engine/state.ts';
import { OutboxNotifier } from './notifier.ts';
import type { ReminderSource } from './reminders.ts';
import type { AckLinks } from '../../ops/ack-link.ts';
import { ackToken } from '../../ops/ack-by-link.ts';

/** A failure's copy for `action` with its signed acknowledgement link, when the site has a public address (notifications.url). */
export function withAckLink(action: string, n: Notification, links: AckLinks | null): Notification {
  if (!n.url) return n;
  const token = ackToken(links, action, n);
  return token ? { ...n, ackUrl: `${n.url.replace(/\/+$/, '')}/ack/${token}` } : n;
}

/** What the outbox uses of the site (passed in; not the whole Site). */
export interface OutboxSite {
  readonly loaded: LoadedSite;
  readonly settings: SiteSettings;
  readonly readOnly: boolean;
  readonly db: Db;
  readonly clock: Clock;
  readonly bus: SiteBus;
  readonly runtime: { notification(name: string, kind: Notification['kind']): Notification };
  readonly ops: Pick<Ops, 'quiet' | 'links'>;
  entry(name: string): CheckEntry | undefined;
  action(name: string): ActionEntry | undefined;
  state(name: string): CheckState;
}

export function siteReminderSource(site: OutboxSite): ReminderSource {
  return {
    checks: () => site.loaded.checks.keys(),
    intervalMs: (name) => {
      const e = site.entry(name);
      const minutes = e?.active ? e.opts?.renotify : undefined;
      return typeof minutes === 'number' && minutes > 0 ? minutes * 60_000 : null;
    },
    failingSince: (name) => {
      const e = site.entry(name);
      if (!e || !e.active || e.config.paused || !e.config.failAction) return null;
      // acknowledged or in maintenance: no reminders (src/ops)
      if (site.ops.quiet(name)) return null;
      const s = site.state(name);
      return isFailing(s.failState) && !s.silent ? (s.lastFail ?? -1) : null;
    },
    reminder: (name) => {
      const e = site.entry(name);
      if (!e || site.readOnly) return null;
      const actions = e.config.actions.filter((a) => site.action(a)?.active);
      return actions.length ? { actions, n: site.runtime.notification(name, 'reminder') } : null;
    },
  };
}

export function createOutbox(host: NotifierHost, site: OutboxSite): OutboxNotifier {
  const outbox = new OutboxNotifier({
    host,
    db: site.db,
    clock: site.clock,
    settings: () => site.settings.notifications,
    keepDays: () => Math.max(1, site.settings.history.days),
    reminders: siteReminderSource(site),
    forAction: (action, n) => withAckLink(action, n, site.ops.links),
  });
  site.bus.on('config', ({ changed, renamed }) => {
    for (const [from, to] of renamed) {
      if (!site.readOnly) outbox.store.renameCheck(from, to);
      outbox.reminders?.rename(from, to);
    }
    for (const name of changed) outbox.reminders?.reconsider(name);
  });
  site.bus.on('quiet', ({ name }) => outbox.reminders?.reconsider(name));
  return outbox;
}
