/**
 * What the MQTT federation uses of the site, passed in by src/wiring.ts
 * (never the whole Site): the config in force, the engine's one entry, the
 * config's one way to change (a remote check added or removed), the bus and
 * the site log.
 */
import type { Logger } from 'pino';
import type { LoadedSite, SiteSettings } from '../config/load.ts';
import type { CheckEntry } from '../config/model.ts';
import type { Doc } from '../config/edits.ts';
import type { MutateResult } from '../config/live.ts';
import type { Clock } from '../engine/clock.ts';
import type { SiteBus } from '../engine/events.ts';
import type { RunMeta } from '../engine/runner.ts';
import type { CheckState, Input, RemoteData } from '../engine/state.ts';

export interface FederationDeps {
  readonly loaded: LoadedSite;
  readonly settings: SiteSettings;
  /** the site's name (status messages) */
  readonly name: string;
  readonly configPath: string;
  readonly base: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly bus: SiteBus;
  entry(name: string): CheckEntry | undefined;
  state(name: string): CheckState;
  warn(message: string, level?: 'info' | 'warn'): void;
  mutate(edit: (doc: Doc) => Doc, opts?: { renamed?: [string, string][]; allowErrors?: boolean }): Promise<MutateResult>;
  /** the engine's one entry for an update from another instance (spec §4.14) */
  applyRemote(name: string, data: RemoteData): CheckState | null;
  /** the engine's one entry (staleness and offline verdicts) */
  input(name: string, input: Input, meta: RunMeta): CheckState | null;
}
