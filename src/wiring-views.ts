/**
 * The narrow views of the site that src/wiring.ts hands to its services:
 * each an object of just the members its service declares (the web UI's
 * `WebSite`, the API's `ApiSite`, the fleet watcher's `FleetSite`, the zone
 * views' `VantageSite`, the remote-write export's `RemoteWriteSite`), so no
 * service holds the `Site` façade itself (issue 18). The config is replaced
 * whole on each edit, so what derives from it is read through getters.
 */
import type { Site } from './site.ts';
import type { CheckEntry } from './config/model.ts';
import type { Delivered, RunReason } from './engine/runner.ts';
import type { SiteView } from './site-view.ts';
import type { WebSite } from './web/web-site.ts';
import type { ApiSite } from './api/api-site.ts';
import type { MetricsSite } from './api/metrics.ts';
import type { FleetSite } from './fleet/service.ts';
import type { VantageSite } from './zone/vantage-service.ts';
import type { RemoteWriteSite } from './export/remote-write/service.ts';

/** `base` with `more`'s members added, getters kept live (a spread would read them once). */
function withMembers<A extends object, B extends object>(base: A, more: B): A & B {
  return Object.defineProperties(base, Object.getOwnPropertyDescriptors(more)) as A & B;
}

/** What follows the config (replaced whole on each edit), so a view reads it through getters. */
type LiveKey = 'loaded' | 'settings' | 'name' | 'zone';

/**
 * A view of `T`: `rest` with a live getter for each of `keys` (read from the
 * site at each use, never copied). `site` is typed by `T`'s own members, so a
 * site member that does not fit the view is a type error.
 */
function liveView<T extends object, K extends LiveKey & keyof T>(site: NoInfer<Pick<T, K>>, keys: readonly K[], rest: Omit<T, K>): T {
  for (const key of keys) Object.defineProperty(rest, key, { get: () => site[key], enumerable: true, configurable: true });
  return rest as T;
}

/**
 * What both the web UI and the API read and do through the site: the parts
 * they use and the façade's queries and inputs, nothing else (no runner,
 * scheduler or runtime).
 */
function sharedView(site: Site): SiteView {
  return liveView(site, ['loaded', 'settings', 'name', 'zone'], {
    base: site.base,
    clock: site.clock,
    log: site.log,
    bus: site.bus,
    db: site.db,
    store: site.store,
    storage: site.storage,
    ops: site.ops,
    notifier: site.notifier,
    entry: (name) => site.entry(name),
    state: (name) => site.state(name),
    issuesFor: (name) => site.issuesFor(name),
    sortedChecks: () => site.sortedChecks(),
    nextRun: (name) => site.nextRun(name),
    warn: (message, level) => site.warn(message, level),
    mutate: (edit, o) => site.mutate(edit, o),
    runNow: (name, reason) => site.runNow(name, reason),
  });
}

/** The web UI's view of the site (src/web/web-site.ts), built from its parts. */
export function webSiteView(site: Site): WebSite {
  return withMembers(sharedView(site), {
    configPath: site.configPath,
    get env() {
      return site.env;
    },
    siteLog: { all: () => site.siteLog.all(), clear: () => site.siteLog.clear() },
    runtime: { displayType: (e: CheckEntry) => site.runtime.displayType(e) },
    announceConfig: (event: string, quiet?: 'info' | 'warn') => site.announceConfig(event, quiet),
  });
}

/** The engine's figures /metrics reads: the runtime's, the runner's load, the scheduler's size. */
function engineFigures(site: Site): Pick<MetricsSite, 'runtime' | 'runner' | 'scheduler'> {
  const { runtime, runner, scheduler } = site;
  return {
    runtime: {
      displayType: (e: CheckEntry) => runtime.displayType(e),
      get unstoredCount() {
        return runtime.unstoredCount;
      },
    },
    runner: {
      get load() {
        return runner.load;
      },
    },
    scheduler: { size: () => scheduler.size() },
  };
}

/** The REST API's view of the site (src/api/api-site.ts), built from its parts. */
export function apiSiteView(site: Site): ApiSite {
  return withMembers(sharedView(site), {
    readOnly: site.readOnly,
    get isStarted() {
      return site.isStarted;
    },
    ...engineFigures(site),
    action: (name: string) => site.action(name),
    deliver: (name: string, reason: RunReason, outcome: Delivered) => site.deliver(name, reason, outcome),
  });
}

/** The fleet watcher's view (src/fleet/service.ts): the broker settings, clock, log and `warn`. */
export function fleetSiteView(site: Site): FleetSite {
  return liveView(site, ['settings'], {
    configPath: site.configPath,
    base: site.base,
    clock: site.clock,
    log: site.log,
    warn: (message, level) => site.warn(message, level),
  });
}

/** The zone views' and multi-vantage verdicts' view (src/zone/vantage-service.ts). */
export function vantageSiteView(site: Site): VantageSite {
  const { runtime, notifier } = site;
  return liveView(site, ['settings', 'loaded', 'zone'], {
    configPath: site.configPath,
    base: site.base,
    clock: site.clock,
    log: site.log,
    bus: site.bus,
    readOnly: site.readOnly,
    runtime: {
      summary: (name) => runtime.summary(name),
      notification: (name, kind) => runtime.notification(name, kind),
    },
    notifier: {
      queue: (actions, n) => notifier.queue(actions, n),
      hold: (actions, n, error) => notifier.hold(actions, n, error),
    },
    entry: (name) => site.entry(name),
    action: (name) => site.action(name),
    state: (name) => site.state(name),
    warn: (message, level) => site.warn(message, level),
  });
}

/** The remote-write export's view (src/export/remote-write/service.ts): what /metrics reads, with settings, clock, log and zone. */
export function remoteWriteSiteView(site: Site): RemoteWriteSite {
  return liveView(site, ['settings', 'loaded', 'name', 'zone'], {
    clock: site.clock,
    log: site.log,
    bus: site.bus,
    storage: {
      get problem() {
        return site.storage.problem;
      },
    },
    ...engineFigures(site),
    state: (name) => site.state(name),
  });
}
