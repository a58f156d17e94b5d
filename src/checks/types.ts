/**
 * The check-type contract (docs/design.md "Contracts"). A check type is data
 * plus one function: an options schema and `run()`. Everything type-specific
 * lives in its folder under `src/checks/<type>/`; the engine never switches on
 * a type name.
 */
import type { z } from 'zod';
import type { Logger } from 'pino';
import type { CheckState, FailState } from '../engine/state.ts';
import type { CheckConfig } from '../config/model.ts';
import type { CertSummary } from './shared/cert-summary.ts';
import type { NasSummary } from './truenas/summary.ts';

/** A numeric measurement a run reports (Nagios perfdata model, typed). */
export interface Metric {
  name: string;
  value: number;
  unit?: string;
  /** the level above which the check warns (its warnLevel); charts draw it as a band */
  warn?: number;
  /** the level above which the check fails */
  crit?: number;
  /** the level below which the check fails (a UPS's minimum charge, an SNMP value's minimum) */
  critLow?: number;
  min?: number;
  max?: number;
}

/** What one run of a check produced. A check never throws: failures are data. */
export interface Outcome {
  /** true/false, or for a sequence the failing member names joined by ',' ('' = pass). */
  fail: FailState;
  /** The lines fletchck would log for this run. */
  log: string[];
  /** A short measurement shown beside the state, e.g. ' 9%', '23.4°C', '42 days'. */
  level?: string | null;
  /** A label for a labelled failure: 'certificate', 'hostkey', 'warning', … */
  softFail?: string | null;
  metrics?: Metric[];
  /** siteward: a passing run whose level is above its warning threshold → WARN (issue 19) */
  warn?: boolean;
  /** TLS checks: the certificate the server sent (the check page's certificate panel) */
  cert?: CertSummary;
  /** truenas: the pools' vdev layout, disks and the active alerts, compact (the hosts view's pool cards) */
  nas?: NasSummary;
}

/** Read-only view of another check, for sequence and remote checks. */
export interface CheckView {
  config: CheckConfig;
  state: CheckState;
  /** The type's label in logs: `https`, or `remote.<subType>` for remote checks. */
  displayType: string;
}

/** Read-only view of the site, given to every run. */
export interface SiteView {
  name: string;
  timezone: string | null;
  check(name: string): CheckView | undefined;
  /**
   * Runs a member check through the full state machine (its own depends,
   * threshold, pause and notifications) and returns its state afterwards.
   * Used by `sequence` (spec §4.13).
   */
  runMember(name: string, signal: AbortSignal): Promise<CheckState>;
}

export interface RunContext {
  /** Fires at the check's timeout; every I/O must honour it. */
  signal: AbortSignal;
  /** Injected clock. */
  now(): number;
  /** Waits on the injected clock; rejects with the abort reason when `signal` fires. */
  sleep(ms: number): Promise<void>;
  /** The check being run: its config and its state before this run. */
  check: CheckView;
  /** The check's zone (options.timezone, else site zone, else null = host local). */
  zone: string | null;
  site: SiteView;
  log: Logger;
  /**
   * Persists option values into the site file at once (atomic save), e.g. an
   * SSH host key learned on first use. Resolves when saved.
   */
  saveOptions(patch: Record<string, unknown>): Promise<void>;
  /** Per-site directories and settings a check may need (plugin dirs, sysfs root…). */
  env: RunEnv;
  /**
   * In-memory scratch space kept for this check between runs (not persisted):
   * e.g. the previous CPU or interface counters to compute a rate without
   * blocking.
   */
  scratch: Record<string, unknown>;
}

export interface RunEnv {
  /** Folder of the site file. */
  base: string;
  /** Resolved top-level `plugins.dirs` (exec checks may only run programs inside these). */
  pluginDirs: string[];
  /** Root of the sysfs tree (tests point this at a fixture tree). */
  sysRoot: string;
  /** Root of procfs (tests point this at a fixture tree). */
  procRoot: string;
  /** Extra CA certificates (PEM) trusted by TLS checks, from the environment. */
  extraCa?: string[];
}

/** Where a type appears and how it is described: drives the UI and the README. */
export interface CheckTypeInfo {
  /** One line for the README table and the UI. */
  summary: string;
  /** What counts as PASS, in a sentence or two. */
  pass: string;
  /** fletchck knows this type (so it is offered first and its wire label is stable). */
  fletchck?: boolean;
}

export interface CheckType<S extends z.ZodType = z.ZodType> {
  type: string;
  info: CheckTypeInfo;
  /** Options schema with defaults and descriptions (fletchck option names). */
  options: S;
  /**
   * Default run timeout in seconds (the `timeout` option overrides it).
   * `null` means the runner applies no timeout of its own (sequence, remote).
   */
  defaultTimeout: number | null;
  /** Whether retries apply (false for sequence and remote, as fletchck's UI hides them). */
  retries?: boolean;
  /**
   * The run timeout in seconds for these options, null for none. Default
   * (runTimeout below): the common `timeout` option, else defaultTimeout.
   */
  timeout?(opts: z.output<S>): number | null;
  /**
   * What a failure line of this check names (a host, a volume, …). Default
   * (runTarget below): the common `hostname` option, else the check's name.
   */
  target?(opts: z.output<S>): string | null;
  /** false: the web UI offers no "clone" (spec §8.6: remote checks cannot be cloned). Default true. */
  cloneable?: boolean;
  /**
   * Set on a type only an administrator may add, edit or delete, as the
   * reason shown to users (e.g. 'runs a program on this host'). Operators
   * still run, pause and move such checks. Enforced by src/config/trust.ts;
   * options that pick a program or a file are marked `hostAccess` instead
   * (src/config/marks.ts).
   */
  adminOnly?: string;
  /**
   * Options a check made in the web UI or through the API starts with, where
   * they differ from what a file means without them (a file from fletchck
   * keeps fletchck's behaviour; src/checks/registry.ts newCheckOptions).
   */
  newCheckOptions?: Record<string, unknown>;
  run(opts: z.output<S>, ctx: RunContext): Promise<Outcome>;
  /** Label in logs and notifications; default is the type name. */
  displayType?(config: CheckConfig): string;
  /** One-line summary for SMS (spec §3.2 getSummary); default: last log line when failing. */
  summary?(view: CheckView, site: SiteView): string;
  /** Names of other checks this config refers to besides `depends` (sequence members). */
  members?(opts: z.output<S>): string[];
  /**
   * Problems only this type can see that need the site (e.g. a program outside
   * the plugin folders). Each is reported with its path below `options`.
   */
  validate?(opts: z.output<S>, env: RunEnv): { path: (string | number)[]; message: string }[];
}

/** Helper that keeps the generic parameter while checking the shape. */
export function defineCheck<S extends z.ZodType>(t: CheckType<S>): CheckType<S> {
  return t;
}

/**
 * The run timeout a type gives these options (its `timeout` hook, or the
 * common `timeout` option, or its default). The runner asks this; it reads
 * no option by name.
 */
export function runTimeout(t: CheckType, opts: Record<string, unknown>): number | null {
  if (t.timeout) return t.timeout(opts);
  if (t.defaultTimeout === null) return null;
  return typeof opts.timeout === 'number' ? opts.timeout : t.defaultTimeout;
}

/** What a failure line names: the type's `target` hook, or the common `hostname` option, or the check's name. */
export function runTarget(t: CheckType, opts: Record<string, unknown>, name: string): string {
  const v = t.target ? t.target(opts) : typeof opts.hostname === 'string' ? opts.hostname : null;
  return v || name;
}

/**
 * A registry entry of any check type. `any` is deliberate: each entry's
 * `run()` takes its own options type, which the loader produces by parsing
 * with that same entry's schema, so the pairing is safe by construction.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCheckType = CheckType<any>;
