/**
 * The outbox as a running site uses it (wiring.ts `notifierFactory`): the
 * site's database and clock, settings read live from the config, reminders
 * that read check state and renotify, and renames followed.
 */
import type { Site } from '../../site.ts';
import type { NotifierHost } from '../dispatch.ts';
import { isFailing } from '../../engine/state.ts';
import { OutboxNotifier } from './notifier.ts';
import type { ReminderHost } from './reminders.ts';

export function siteReminderHost(site: Site, outbox: () => OutboxNotifier): ReminderHost {
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
    remind: (name) => {
      const e = site.entry(name);
      if (!e || site.readOnly) return;
      const actions = e.config.actions.filter((a) => site.action(a)?.active);
      if (actions.length) outbox().notify(actions, site.runtime.notification(name, 'reminder'));
    },
    lastAnnounced: (name) => outbox().store.lastAnnounced(name),
  };
}

export function createOutbox(host: NotifierHost, site: Site): OutboxNotifier {
  let self: OutboxNotifier | null = null;
  const outbox = (): OutboxNotifier => self!;
  self = new OutboxNotifier({
    host,
    db: site.db,
    clock: site.clock,
    settings: () => site.settings.notifications,
    keepDays: () => Math.max(1, site.settings.history.days),
    reminders: siteReminderHost(site, outbox),
  });
  site.bus.on('config', ({ changed, renamed }) => {
    for (const [from, to] of renamed) {
      if (!site.readOnly) self?.store.renameCheck(from, to);
      self?.reminders?.rename(from, to);
    }
    for (const name of changed) self?.reminders?.reconsider(name);
  });
  site.bus.on('quiet', ({ name }) => self?.reminders?.reconsider(name));
  return self;
}
