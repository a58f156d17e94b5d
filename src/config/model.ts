/**
 * The validated, in-memory shape of a site (spec §2). The site file itself is
 * kept as a plain JSON document (so unknown keys survive a save); these types
 * are the normalised view the engine runs from.
 */
import type { Schedule, TriggerJson } from './trigger.ts';

/** A check as configured (fletchck's flattened check, spec §2.4, minus `data`). */
export interface CheckConfig {
  name: string;
  type: string;
  subType: string | null;
  trigger: TriggerJson | null;
  threshold: number;
  retries: number;
  priority: number;
  paused: boolean;
  failAction: boolean;
  passAction: boolean;
  publish: string | null;
  remoteId: string | null;
  /** options as written in the file (type-specific; unknown keys kept) */
  options: Record<string, unknown>;
  actions: string[];
  depends: string[];
  /** siteward zones: the node this check is pinned to (docs/ha.md) */
  node?: string | null;
}

export interface ActionConfig {
  name: string;
  type: string;
  options: Record<string, unknown>;
}

export const CHECK_DEFAULTS = {
  subType: null,
  trigger: null,
  threshold: 1,
  retries: 1,
  priority: 0,
  paused: false,
  failAction: true,
  passAction: true,
  publish: null,
  remoteId: null,
  actions: [] as string[],
  depends: [] as string[],
} as const;

/** Keys of a flattened check, in fletchck's save order (spec §2.4). */
export const CHECK_KEYS = [
  'type',
  'subType',
  'trigger',
  'threshold',
  'retries',
  'priority',
  'paused',
  'failAction',
  'passAction',
  'publish',
  'remoteId',
  'options',
  'actions',
  'depends',
  'data',
] as const;

/** A check after loading: its config, compiled schedule, parsed options and problems. */
export interface CheckEntry {
  config: CheckConfig;
  /** resolved options (defaults applied) when valid */
  opts: Record<string, unknown> | null;
  schedule: Schedule | null;
  /** the check's zone: options.timezone, else the site zone, else null (host local) */
  zone: string | null;
  /** false when the check has an error: it is shown but never run */
  active: boolean;
  /** data from the file (seeds the store for checks it does not know) */
  fileData: unknown;
  /** position in the file (tie-break for equal priorities, spec §3.6) */
  index: number;
}

export interface ActionEntry {
  config: ActionConfig;
  opts: Record<string, unknown> | null;
  active: boolean;
}
