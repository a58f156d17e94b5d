/**
 * Operations as a running site uses them: the narrow OpsHost built from the
 * site (config read live, check facts for window selectors, notifications
 * through the site's notifier), and config changes followed.
 */
import type { Database as Db } from 'better-sqlite3';
import type { LoadedSite } from '../config/load.ts';
import type { ActionEntry, CheckEntry } from '../config/model.ts';
import type { Clock } from '../engine/clock.ts';
import type { SiteBus } from '../engine/events.ts';
import type { CheckState } from '../engine/state.ts';
import type { Notifier } from '../actions/dispatch.ts';
import type { Notification } from '../actions/types.ts';
import { checkType } from '../checks/catalog.ts';
import { tagsOf } from '../config/tags.ts';
import { Ops } from './ops.ts';
import type { OpsHost } from './host.ts';
import { OpsStore } from './store.ts';
import { AckLinks } from './ack-link.ts';
import type { CheckFacts } from './maintenance.ts';

/** Which instance each remote check follows, and this instance's name (the MQTT federation's view). */
export interface RemoteFacts {
  readonly instance: string | null;
  remoteInfo(name: string): { instance: string | null };
}

/** What operations use of the site (site.ts passes itself; nothing else of it is reached). */
export interface OpsSite {
  readonly loaded: LoadedSite;
  readonly clock: Clock;
  readonly readOnly: boolean;
  readonly db: Db;
  readonly bus: SiteBus;
  readonly notifier: Pick<Notifier, 'queue' | 'hold'>;
  readonly runtime: { notification(name: string, kind: Notification['kind']): Notification };
  /** handed over by wiring.ts when it builds the federation; null without one */
  readonly remotes: RemoteFacts | null;
  entry(name: string): CheckEntry | undefined;
  action(name: string): ActionEntry | undefined;
  state(name: string): CheckState;
  warn(message: string, level?: 'info' | 'warn'): void;
}

/** check → the sequences (group checks) that contain it, for one loaded config. */
function sequencesOf(loaded: LoadedSite): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [name, e] of loaded.checks) {
    const t = checkType(e.config.type);
    if (!t?.members || !e.opts) continue;
    let members: string[] = [];
    try {
      members = t.members(e.opts);
    } catch {
      members = [];
    }
    for (const m of members) out.set(m, [...(out.get(m) ?? []), name]);
  }
  return out;
}

export function opsHost(site: OpsSite): OpsHost {
  let cache: { loaded: LoadedSite; seqs: Map<string, string[]> } | null = null;
  const seqs = (): Map<string, string[]> => {
    if (cache?.loaded !== site.loaded) cache = { loaded: site.loaded, seqs: sequencesOf(site.loaded) };
    return cache.seqs;
  };
  return {
    clock: site.clock,
    readOnly: site.readOnly,
    config: () => site.loaded.ops,
    checks: () => site.loaded.checks.keys(),
    facts: (name): CheckFacts | null => {
      const e = site.entry(name);
      if (!e) return null;
      return {
        name,
        tags: tagsOf(e.config.options),
        sequences: seqs().get(name) ?? [],
        instance: e.config.type === 'remote' ? (site.remotes?.remoteInfo(name).instance ?? null) : null,
        self: site.remotes?.instance ?? null,
      };
    },
    rules: (name) => {
      const e = site.entry(name);
      if (!e) return null;
      const c = e.config;
      return {
        failAction: c.failAction,
        passAction: c.passAction,
        threshold: c.threshold,
        retries: c.retries,
        actions: c.actions,
        escalation: typeof c.options.escalation === 'string' ? c.options.escalation : null,
        live: e.active && !c.paused,
      };
    },
    state: (name) => site.state(name),
    actionActive: (a) => site.action(a)?.active ?? false,
    actionWarns: (a) => site.action(a)?.opts?.notifyWarn === true,
    send: (name, actions, kind) => {
      const n = site.runtime.notification(name, kind);
      try {
        site.notifier.queue(actions, n);
      } catch (e) {
        site.notifier.hold(actions, n, e); // the store refused it (a full disk): delivered from memory
      }
    },
    warn: (m, level) => site.warn(m, level),
    quietChanged: (name) => site.bus.emit('quiet', { name }),
    keepDays: () => Math.max(1, site.loaded.settings.history.days),
  };
}

export function createOps(site: OpsSite): Ops {
  const ops = new Ops(opsHost(site), new OpsStore(site.db), new AckLinks(site.db, () => site.clock.now(), site.readOnly));
  site.bus.on('config', ({ renamed, removed }) => ops.configChanged(renamed, removed));
  return ops;
}
