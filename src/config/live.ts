/**
 * The config in force (a snapshot, `LoadedSite`, replaced whole) and the one
 * way it changes: `mutate()` validates an edit, saves the file atomically and
 * applies the difference to the running engine without a restart; `reload()`
 * re-reads the file (SIGHUP). Built once in wiring.ts; the Site delegates.
 */
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { readSiteFile } from './parse.ts';
import { validateSite, type LoadedSite } from './load.ts';
import { loadTypesOf } from './types-used.ts';
import { formatIssue, logIssues, problemSuffix, type Issue } from './issues.ts';
import { serializeSite, stateToData } from './serialize.ts';
import { atomicWrite, type SaveFs } from './save.ts';
import { putCheck, type Doc } from './edits.ts';
import { rawEntry } from './raw.ts';
import type { ActionEntry, CheckEntry } from './model.ts';
import type { RunEnv } from '../checks/types.ts';
import type { CheckState } from '../engine/state.ts';

export type MutateResult = { ok: true; issues: Issue[] } | { ok: false; issues: Issue[] };

/** What the live config uses of the other parts (passed in by wiring.ts). */
export interface LiveConfigHost {
  configPath: string;
  base: string;
  log: Logger;
  readOnly: boolean;
  saveFs?: SaveFs;
  /** RunEnv fields set by the caller (tests, the CLI) */
  envOverride: Partial<RunEnv>;
  /** a line of the site log */
  warn(message: string, level?: 'info' | 'warn'): void;
  /** brings the running engine in line with a new config (SiteRuntime.apply) */
  apply(prev: LoadedSite, next: LoadedSite, renamed: [string, string][]): void;
  /** a check's runtime state, saved as its `data` */
  state(name: string): CheckState;
  /** the site log's lines, saved with the file */
  logLines(): string[];
}

export class LiveConfig {
  private lock: Promise<unknown> = Promise.resolve();
  private readonly envs = new WeakMap<LoadedSite, RunEnv>();

  constructor(
    private current: LoadedSite,
    private readonly host: LiveConfigHost,
  ) {}

  /** the config in force now (replaced whole by a mutation or reload) */
  get loaded(): LoadedSite {
    return this.current;
  }

  /** What checks may need from the site; plugin folders follow the current config (one object per config: every run reads it). */
  get env(): RunEnv {
    let env = this.envs.get(this.current);
    if (!env) {
      env = Object.freeze({
        base: this.host.base,
        pluginDirs: this.current.settings.plugins.dirs.map((d) => resolve(this.host.base, d)),
        sysRoot: '/sys',
        procRoot: '/proc',
        ...this.host.envOverride,
      });
      this.envs.set(this.current, env);
    }
    return env;
  }

  entry(name: string): CheckEntry | undefined {
    return this.current.checks.get(name);
  }

  action(name: string): ActionEntry | undefined {
    return this.current.actions.get(name);
  }

  /** Checks ordered by (priority, position in the file) (spec §3.6). */
  sortedChecks(): CheckEntry[] {
    return [...this.current.checks.values()].sort((a, b) => a.config.priority - b.config.priority || a.index - b.index);
  }

  issuesFor(name: string): Issue[] {
    return this.current.issues.filter((i) => i.path[0] === 'checks' && i.path[1] === name);
  }

  /**
   * Validates an edited document, refuses it if it adds errors, otherwise
   * saves it atomically and applies it to the running site. Mutations are
   * serialised. `renamed` moves runtime state from old to new names.
   */
  mutate(edit: (doc: Doc) => Doc, opts: { renamed?: [string, string][]; allowErrors?: boolean } = {}): Promise<MutateResult> {
    const run = async (): Promise<MutateResult> => {
      const doc = edit(this.current.doc);
      await loadTypesOf(doc);
      const next = validateSite(doc, { base: this.host.base, ...this.host.envOverride }, []);
      if (next.fatal) return { ok: false, issues: next.issues };
      const before = new Set(this.current.issues.filter((i) => i.severity === 'error').map(formatIssue));
      const added = next.issues.filter((i) => i.severity === 'error' && !before.has(formatIssue(i)));
      if (added.length && !opts.allowErrors) return { ok: false, issues: added };
      const prev = this.current;
      this.current = next;
      try {
        await this.save();
      } catch (e) {
        this.current = prev;
        this.host.warn(`Saving the site failed: ${(e as Error).message}`);
        return { ok: false, issues: [{ path: [], message: `could not save the site file: ${(e as Error).message}`, severity: 'error' }] };
      }
      this.host.apply(prev, next, opts.renamed ?? []);
      return { ok: true, issues: next.issues };
    };
    const p = this.lock.then(run, run);
    this.lock = p.catch(() => undefined);
    return p;
  }

  /** Stores option values into a check (e.g. an SSH host key learned on first use). */
  async saveOptions(name: string, patch: Record<string, unknown>): Promise<void> {
    const r = await this.mutate((doc) => {
      const raw = rawEntry(doc, 'checks', name);
      if (!raw) return doc;
      return putCheck(doc, name, { ...raw, options: { ...((raw.options as object | undefined) ?? {}), ...patch } });
    });
    if (!r.ok) throw new Error(r.issues.map(formatIssue).join('; '));
  }

  /** Re-reads the site file (SIGHUP). Keeps running the old config if the file is unusable. */
  async reload(): Promise<Issue[]> {
    const parsed = await readSiteFile(this.host.configPath);
    await loadTypesOf(parsed.doc);
    const next = validateSite(parsed.doc, { base: this.host.base, ...this.host.envOverride }, parsed.issues);
    if (next.fatal) {
      this.host.warn(`Reload refused: ${next.issues.map(formatIssue).join('; ')}`);
      return next.issues;
    }
    const prev = this.current;
    this.current = next;
    this.host.apply(prev, next, []);
    // every problem, as at start: a check that stops running must say why (issue 16)
    this.announce('Site reloaded', 'info');
    return next.issues;
  }

  /**
   * After the config changed as a whole (reload, the raw editor): every
   * problem logged with its path, as at start, and the site-log line `event`
   * naming them and the checks that do not run.
   */
  announce(event: string, quiet: 'info' | 'warn' = 'warn'): void {
    logIssues(this.host.log, this.current.issues);
    const problems = problemSuffix(this.current.issues, this.current.checks.values());
    this.host.warn(`${event}${problems}`, problems ? 'warn' : quiet);
  }

  /** Writes the site file: config as loaded plus every check's runtime `data`. */
  async save(): Promise<void> {
    if (this.host.readOnly) return;
    const text = serializeSite({
      doc: this.current.doc,
      base: this.host.base,
      data: (name) => {
        const e = this.entry(name);
        return e ? stateToData(this.host.state(name), e.zone) : undefined;
      },
      log: this.host.logLines(),
    });
    await atomicWrite(this.host.configPath, text, this.host.saveFs);
  }
}
