/**
 * Operations as a running site uses them: the narrow OpsHost built from the
 * site (config read live, check facts for window selectors, notifications
 * through the site's notifier), and config changes followed.
 */
import type { Site } from '../site.ts';
import type { LoadedSite } from '../config/load.ts';
import { checkType } from '../checks/registry.ts';
import { federationOf } from '../federation/mqtt.ts';
import { Ops, type OpsHost } from './ops.ts';
import { OpsStore } from './store.ts';
import type { CheckFacts } from './maintenance.ts';

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

export function opsHost(site: Site): OpsHost {
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
      const tags = e.config.options.tags;
      return {
        name,
        tags: Array.isArray(tags) ? tags.filter((t): t is string => typeof t === 'string') : [],
        sequences: seqs().get(name) ?? [],
        instance: e.config.type === 'remote' ? (federationOf(site)?.remoteInfo(name).instance ?? null) : null,
        self: federationOf(site)?.instance ?? null,
      };
    },
    rules: (name) => {
      const e = site.entry(name);
      if (!e) return null;
      const c = e.config;
      return {
        failAction: c.failAction, passAction: c.passAction, threshold: c.threshold, retries: c.retries, actions: c.actions,
        escalation: typeof c.options.escalation === 'string' ? c.options.escalation : null, live: e.active && !c.paused,
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
    keepDays: () => Math.max(1, site.settings.history.days),
  };
}

export function createOps(site: Site): Ops {
  const ops = new Ops(opsHost(site), new OpsStore(site.db));
  site.bus.on('config', ({ renamed, removed }) => ops.configChanged(renamed, removed));
  return ops;
}
