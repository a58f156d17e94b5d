/**
 * The site side of push checks: finds the check a token belongs to, hands a
 * heartbeat to the engine as the check's outcome (Site.deliver: the same
 * gates, state machine, commit and bus as a run), and gives every push check with an
 * empty token a random one, saved into the site file (so the URL survives
 * restarts and shows in the file and the UI).
 */
import { randomBytes } from 'node:crypto';
import type { Site } from '../../site.ts';
import type { LoadedSite } from '../../config/load.ts';
import type { CheckState } from '../../engine/state.ts';
import { putCheck } from '../../config/edits.ts';
import { cleanMessage, type Heartbeat } from './heartbeat.ts';
import { assess, type PushOptions } from './index.ts';
import type { z } from 'zod';
import { isObject } from '../../util/guard.ts';
import { rawEntry } from '../../config/raw.ts';

export function newPushToken(): string {
  return randomBytes(24).toString('base64url');
}

/** What the push hub uses of the site (passed in; not the whole Site). */
export type PushSite = Pick<Site, 'loaded' | 'clock' | 'log' | 'bus' | 'readOnly' | 'entry' | 'state' | 'deliver' | 'mutate'>;

export class PushHub {
  private index = new Map<string, string>();
  private indexed: LoadedSite | null = null;
  private ensuring: Promise<void> | null = null;
  private again = false;

  constructor(private readonly site: PushSite) {}

  /** The check a token belongs to (only active, valid push checks). */
  find(token: string): string | undefined {
    if (this.indexed !== this.site.loaded) this.rebuild();
    return this.index.get(token);
  }

  /** Feeds a heartbeat to the engine as the check's outcome. Null when the token is unknown. */
  async heartbeat(token: string, o: { fail: boolean; msg?: string | null }): Promise<CheckState | null> {
    const name = this.find(token);
    if (name === undefined) return null;
    const hb: Heartbeat = { t: this.site.clock.now(), fail: o.fail, msg: cleanMessage(o.msg) };
    const zone = this.site.entry(name)?.zone ?? null;
    return this.site.deliver(name, 'push', (opts) => assess(opts as z.output<typeof PushOptions>, hb, hb.t, zone, this.site.state(name)));
  }

  /** Subscribes to config changes so new push checks get a token; returns the unsubscribe. */
  attach(): () => void {
    const onConfig = (): void => this.ensureTokens();
    this.site.bus.on('config', onConfig);
    this.ensureTokens();
    return () => this.site.bus.off('config', onConfig);
  }

  /** Generates tokens for push checks that have none (one save for all of them). */
  ensureTokens(): void {
    if (this.site.readOnly) return;
    if (this.ensuring) {
      this.again = true;
      return;
    }
    const missing = this.missing();
    if (!missing.length) return;
    this.ensuring = this.site
      .mutate((doc) => {
        let next = doc;
        for (const name of missing) {
          const raw = rawEntry(next, 'checks', name) ?? {};
          next = putCheck(next, name, { ...raw, options: { ...(isObject(raw.options) ? raw.options : {}), token: newPushToken() } });
        }
        return next;
      })
      .then(
        (r) => {
          if (!r.ok) this.site.log.error({ issues: r.issues }, 'could not save generated push tokens');
        },
        (e: unknown) => this.site.log.error({ err: e }, 'could not save generated push tokens'),
      )
      .finally(() => {
        this.ensuring = null;
        if (this.again) {
          this.again = false;
          this.ensureTokens();
        }
      });
  }

  /** Resolves when a token generation in progress has been saved (for tests and shutdown). */
  async settled(): Promise<void> {
    while (this.ensuring) await this.ensuring;
  }

  private missing(): string[] {
    const out: string[] = [];
    for (const [name, e] of this.site.loaded.checks) {
      if (e.config.type !== 'push') continue;
      const token = e.config.options.token;
      if (token === undefined || token === null || token === '') out.push(name);
    }
    return out;
  }

  private rebuild(): void {
    const index = new Map<string, string>();
    for (const [name, e] of this.site.loaded.checks) {
      if (e.config.type !== 'push' || !e.active || !e.opts) continue;
      const token = e.opts.token;
      if (typeof token !== 'string' || !token) continue;
      if (index.has(token)) {
        // the same secret on two checks: neither may be fed by the other's jobs
        this.site.log.warn({ checks: [index.get(token), name] }, 'push checks share a token; the first in the file receives it');
        continue;
      }
      index.set(token, name);
    }
    this.index = index;
    this.indexed = this.site.loaded;
  }
}
