/**
 * Config replication (issue 23, docs/ha.md "Config"): every node of a zone
 * keeps the same shared part of the site file (replica-doc.ts).
 *
 * - An edit on a node (UI, API, SIGHUP of an edited file) is saved there
 *   first, then published as the retained `<prefix>/<zone>/config` message
 *   with a revision one above the one it started from, QoS 1.
 * - A node that receives a newer revision saves it atomically through the
 *   site's one mutation path (Site.mutate) and applies it. If the node had
 *   its own concurrent edit, the two are merged entity by entity; where both
 *   changed the same check, action or setting, the newer revision wins and
 *   this node says so loudly (log, site log) — its version stays in the
 *   site file's `.bak`. The merge is published as the next revision.
 * - A node that was offline gets the retained revision at start. Its last
 *   agreed revision (`<site file>.zone.json`) is the merge base for edits
 *   made to its file meanwhile.
 * - A malformed, oversized or invalid message is logged and dropped; it
 *   never replaces the running config.
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Doc } from '../config/edits.ts';
import type { Issue } from '../config/issues.ts';
import { formatIssue } from '../config/issues.ts';
import { atomicWrite } from '../config/save.ts';
import { ConfigHearing, type ConfigProblem } from './config-hearing.ts';
import { decodeConfig, encodeConfig, hashShared, merge3, newer, sharedPart, withLocal, type ConfigMessage } from './replica-doc.ts';

/** What config replication needs from the site: no more. */
export interface ConfigHost {
  readonly node: string;
  readonly log: Logger;
  warn(message: string, level?: 'info' | 'warn'): void;
  now(): number;
  /** the site document as running now */
  doc(): Doc;
  /** validate, save atomically, apply (Site.mutate) */
  mutate(edit: (doc: Doc) => Doc, renamed: [string, string][]): Promise<{ ok: boolean; issues: Issue[] }>;
  /** publish retained, QoS 1 */
  publish(payload: Buffer): Promise<void>;
  /** subscribe to the config topic again (the broker re-sends its retained revision) */
  resubscribe(): void;
  /** where the last agreed revision is kept (null: nowhere, e.g. read-only) */
  statePath: string | null;
  maxBytes: number;
}

type Rev = Pick<ConfigMessage, 'rev' | 'node' | 'hash' | 'doc'>;

export class ConfigSync {
  /** the last revision this node agreed with the zone */
  private synced: Rev | null;
  /** recent revisions by hash, with the revision each started from ('' unknown): merge bases */
  private readonly known = new Map<string, { doc: Doc; parent: string }>();
  private ready = false;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly h: ConfigHost) {
    this.synced = h.statePath ? readSynced(h.statePath) : null;
    if (this.synced) this.remember(this.synced.hash, this.synced.doc, '');
  }

  /** The revision this node runs (tests, the API). */
  get revision(): { rev: number; hash: string; node: string } | null {
    return this.synced ? { rev: this.synced.rev, hash: this.synced.hash, node: this.synced.node } : null;
  }

  /** The zone was heard (retained messages had their time): a local edit made meanwhile, or none known to the broker, is published. */
  onReady(): void {
    this.ready = true;
    this.serial(() => this.publishLocal([]));
  }

  /** The site's config changed (an edit saved here, a reload, or a received revision applied). */
  onLocalChange(renamed: [string, string][]): void {
    if (this.ready) this.serial(() => this.publishLocal(renamed));
  }

  onMessage(payload: Buffer, retained: boolean): void {
    this.hears.heard(null);
    if (payload.length === 0) return; // cleared: the next edit publishes again
    const d = decodeConfig(payload, this.h.maxBytes);
    if (d.ok) this.hears.heard(d.message);
    if (!d.ok) {
      this.h.log.warn({ why: d.why, bytes: payload.length }, 'zone: malformed config message dropped');
      this.h.warn(`zone config message dropped: ${d.why}`);
      return;
    }
    const m = d.message;
    this.incoming.push(m);
    this.serial(() => {
      this.incoming.splice(this.incoming.indexOf(m), 1);
      return this.receive(m, retained);
    });
  }

  /** revisions heard and not yet taken up: receive() runs behind what is queued before it (serial) */
  private readonly incoming: Pick<ConfigMessage, 'rev' | 'node'>[] = [];

  /** does the config topic reach this node? (config-hearing.ts) */
  private readonly hears = new ConfigHearing({
    now: () => this.h.now(),
    deaf: (peer, rev, own, first) => {
      this.h.log.warn({ peer, peerRev: rev, rev: own }, 'zone: no config message reaches this node; subscribing again');
      // loud once per episode (site log, UI, /healthz, the zone API); the process log has every new subscription
      if (first) {
        const message =
          `zone config: node ${this.h.node} receives no config messages (node ${peer} runs revision ${rev}, this node ${own ?? 'none'}): ` +
          'the broker does not deliver the config topic to it (an ACL, a lost subscription), so edits made on other nodes do not reach it — subscribing again';
        this.deafSince = { since: this.h.now(), message };
        this.h.warn(message);
      }
      this.h.resubscribe();
    },
    again: () => {
      this.deafSince = null;
      this.h.warn(`zone config: node ${this.h.node} receives the zone's config again`, 'info');
    },
  });

  private deafSince: ConfigProblem | null = null;

  /** true while this node has found that no config message reaches it (the API, tests) */
  get receivesNothing(): boolean {
    return this.hears.deafNow;
  }

  /** while no config message reaches this node: since when (ms) and what it means; null while they do (/healthz, the zone API) */
  get problem(): ConfigProblem | null {
    return this.deafSince;
  }

  /** per peer: how many heartbeats in a row it announced an older revision than ours */
  private readonly behind = new Map<string, number>();

  /**
   * A peer's heartbeat with the revision it runs. A message the broker
   * acknowledged can still be lost (a NATS server killed as it stored it):
   * a peer that stays behind for three heartbeats gets this node's revision
   * again (retained, so the broker's copy is right too).
   */
  onPeer(node: string, rev: Pick<ConfigMessage, 'rev' | 'node' | 'hash'> | null): void {
    if (this.ready) this.hears.peer(node, rev, this.synced);
    const s = this.synced;
    // a peer without a revision (an older siteward, or one just started) is left alone
    if (!this.ready || !s || !rev || rev.hash === s.hash || newer(rev, s)) {
      this.behind.delete(node);
      return;
    }
    const n = (this.behind.get(node) ?? 0) + 1;
    this.behind.set(node, n);
    if (n < 3) return;
    this.behind.clear();
    this.h.log.warn({ peer: node, peerRev: rev.rev, rev: s.rev }, 'zone: a node stays on an older config revision, sending ours again');
    this.serial(() => this.send({ v: 1, ...s, parent: '', at: this.h.now(), renamed: [] }));
  }

  private serial(fn: () => Promise<void>): void {
    this.chain = this.chain.then(fn).catch((e: unknown) => this.h.log.error({ err: e }, 'zone config sync failed'));
  }

  /** Waits for what is queued (tests, stop). */
  idle(): Promise<void> {
    return this.chain;
  }

  private async publishLocal(renamed: [string, string][]): Promise<void> {
    const cur = sharedPart(this.h.doc());
    const hash = hashShared(cur);
    if (this.synced?.hash === hash) {
      if (!this.sent) await this.send({ v: 1, ...this.synced, parent: '', at: this.h.now(), renamed: [] }); // the broker lost it
      return;
    }
    const m: ConfigMessage = {
      v: 1,
      rev: (this.synced?.rev ?? 0) + 1,
      node: this.h.node,
      hash,
      parent: this.synced?.hash ?? '',
      at: this.h.now(),
      renamed,
      doc: cur,
    };
    await this.agree(m);
    await this.send(m);
  }

  /** whether the zone's retained revision is known to be ours or newer */
  private sent = false;

  private async send(m: ConfigMessage): Promise<void> {
    // a newer revision was heard while this one was made (its agreed state being written, a loaded machine): it is
    // taken up next (merged with this node's config, the result published when it differs). Sent now, this older
    // one would reach every node after the newer one — a keyed node drops it and counts a replay (guard.ts) — and
    // would take the broker's retained copy back to an older revision
    const ahead = this.incoming.find((r) => newer(r, m));
    if (ahead) {
      this.h.log.info({ rev: m.rev, newer: ahead.rev, from: ahead.node }, 'zone config revision not sent: a newer one was heard meanwhile');
      return;
    }
    const buf = encodeConfig(m);
    if (buf.length > this.h.maxBytes) {
      this.h.warn(`zone config revision ${m.rev} not sent: ${buf.length} bytes, more than the limit of ${this.h.maxBytes} (zone.configbytes)`);
      return;
    }
    await this.h.publish(buf);
    this.sent = true;
    this.h.log.info({ rev: m.rev, hash: m.hash }, 'zone config published');
  }

  private async receive(m: ConfigMessage, retained: boolean): Promise<void> {
    this.remember(m.hash, m.doc, m.parent);
    if (!newer(m, this.synced)) {
      if (this.synced && m.hash !== this.synced.hash && retained)
        this.sent = false; // the broker keeps an older one: ours goes out when ready
      else if (this.synced?.hash === m.hash) this.sent = true;
      if (this.ready && !this.sent) await this.publishLocal([]);
      return;
    }
    this.sent = true;
    if (hashShared(sharedPart(this.h.doc())) === m.hash) return this.agree(m);
    // merged inside the site's mutation lock: an edit saved meanwhile on this node is part of `cur`
    let merged: { doc: Doc; conflicts: string[]; mine: boolean } | null = null;
    const r = await this.h.mutate((d) => {
      const cur = sharedPart(d);
      const curHash = hashShared(cur);
      // the common ancestor: what the edit started from when this node runs it, else the latest revision of this
      // node's line that is also in the edit's line (both nodes edited from it), else the last one this node agreed to
      const base = m.parent === curHash ? cur : (this.commonAncestor(curHash, m.parent) ?? this.synced?.doc ?? null);
      const { doc, conflicts } = merge3(base, cur, m.doc);
      merged = { doc, conflicts, mine: curHash !== this.synced?.hash || this.synced.node === this.h.node };
      return withLocal(doc, d);
    }, m.renamed);
    if (!r.ok || !merged) {
      const why = r.issues.map(formatIssue).join('; ');
      this.h.log.error({ rev: m.rev, from: m.node, why }, 'zone config revision refused');
      this.h.warn(`zone config revision ${m.rev} from node ${m.node} refused, this node keeps its config: ${why}`);
      return;
    }
    const { doc, conflicts, mine } = merged as { doc: Doc; conflicts: string[]; mine: boolean };
    const hash = hashShared(doc);
    const next: ConfigMessage = hash === m.hash ? m : { v: 1, rev: m.rev + 1, node: this.h.node, hash, parent: m.hash, at: this.h.now(), renamed: [], doc };
    await this.agree(next);
    if (conflicts.length && mine)
      this.h.warn(
        `zone config: your edit on node ${this.h.node} lost to a concurrent edit on node ${m.node} (revision ${m.rev}) of ${conflicts.join(', ')}; ` +
          `the zone keeps node ${m.node}'s version; this node's version is in the site file's .bak`,
      );
    else if (conflicts.length) this.h.log.warn({ rev: m.rev, from: m.node, conflicts }, 'zone config: concurrent edits, the newer revision kept');
    else this.h.log.info({ rev: next.rev, from: m.node }, 'zone config revision applied');
    if (next !== m) await this.send(next);
  }

  /** This node now runs revision `m`: kept for merges and for the next start. */
  private async agree(m: ConfigMessage): Promise<void> {
    this.synced = { rev: m.rev, node: m.node, hash: m.hash, doc: m.doc };
    this.remember(m.hash, m.doc, m.parent);
    if (!this.h.statePath) return;
    await atomicWrite(this.h.statePath, JSON.stringify({ rev: m.rev, node: m.node, hash: m.hash, doc: m.doc })).catch((e: unknown) =>
      this.h.log.warn({ err: (e as Error).message }, 'zone: the agreed config revision could not be kept'),
    );
  }

  /** a re-send (parent '') keeps the parent known from the revision's first message */
  private remember(hash: string, doc: Doc, parent: string): void {
    const was = this.known.get(hash);
    this.known.delete(hash);
    this.known.set(hash, { doc, parent: parent || was?.parent || '' });
    if (this.known.size > 16) this.known.delete(this.known.keys().next().value as string);
  }

  /** Revisions known from `hash` back through their parents, newest first. */
  private line(hash: string): string[] {
    const out: string[] = [];
    for (let h = hash; h && this.known.has(h) && !out.includes(h); h = this.known.get(h)!.parent) out.push(h);
    return out;
  }

  /**
   * The merge base of this node's config and a received revision that did not start from it: the newest revision
   * in this node's line (from what it runs, else the last it agreed to) that the received one descends from too.
   * A revision the other node merely received is no base: both nodes may have edited past the revision they
   * shared, each publishing more than one revision before hearing the other (a loaded machine), and merging from
   * the other's earlier revision would keep this node's change of a check both edited without a word.
   */
  private commonAncestor(curHash: string, parent: string): Doc | null {
    const theirs = new Set(this.line(parent));
    const ours = this.known.has(curHash) ? this.line(curHash) : this.line(this.synced?.hash ?? '');
    const h = ours.find((x) => theirs.has(x));
    return h === undefined ? null : this.known.get(h)!.doc;
  }
}

function readSynced(path: string): Rev | null {
  try {
    const o = JSON.parse(readFileSync(path, 'utf8')) as Rev;
    if (Number.isSafeInteger(o.rev) && typeof o.hash === 'string' && typeof o.node === 'string' && o.doc && typeof o.doc === 'object') {
      return hashShared(o.doc) === o.hash ? o : null;
    }
  } catch {
    // none yet, or unreadable: the retained revision decides
  }
  return null;
}
