/**
 * Rendered status pages, kept (issue 22: a page of 500 checks took ~0.9 s
 * to build after a start and ~90 ms on every later request; docs/performance.md).
 * What a visitor gets is the same for everyone who sends the same theme
 * cookie, so each page body (and its brotli/gzip form) is built once and
 * served from memory:
 *
 * - a state change (a check on a page turning PASS/FAIL), a configuration
 *   change or an incident edit drops the bodies: the next request builds
 *   afresh, so those show at once;
 * - a body older than `maxAgeMs` (today's bar and response times move with
 *   every run) is still served, and rebuilt in the background, one build at
 *   a time: a visitor never waits for it;
 * - at most `maxEntries` bodies (pages × themes × HTML/JSON × encodings);
 * - each body has an ETag (a hash of its text, made once): a browser that
 *   revalidates its copy gets a 304 without the megabytes (RFC 9110 §13.1.2).
 */
import { createHash } from 'node:crypto';

export interface CachedBody {
  /** the page as text */
  text: string;
  /** the same, UTF-8: what is sent (encoded once, not on every request) */
  bytes: Uint8Array<ArrayBuffer>;
  /** compressed forms, made on first demand, sent as they are (no copy per request) */
  encoded: Map<string, Uint8Array<ArrayBuffer>>;
  /** a weak validator (RFC 9110 §8.8.3: the same for every content coding of the body) */
  etag: string;
}

/** The weak ETag of a body's text. */
export function etagOf(text: string): string {
  return `W/"${createHash('sha1').update(text).digest('base64url')}"`;
}

/** Whether an If-None-Match header names `etag` (RFC 9110 §13.1.2: weak comparison, `*` matches any). */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const weak = (t: string): string => t.trim().replace(/^W\//, '');
  const want = weak(etag);
  return header.split(',').some((t) => t.trim() === '*' || weak(t) === want);
}

interface Entry {
  body: CachedBody;
  at: number;
  build: () => Promise<string>;
}

export class PageCache {
  private readonly entries = new Map<string, Entry>();
  /** builds in flight, so concurrent requests for one key build it once */
  private readonly pending = new Map<string, Promise<CachedBody>>();
  private generation = 0;

  constructor(
    private readonly now: () => number,
    readonly maxAgeMs = 30_000,
    private readonly maxEntries = 64,
  ) {}

  /** The body for `key`, built with `build` when there is none (or it was dropped). */
  async get(key: string, build: () => Promise<string>): Promise<CachedBody> {
    const e = this.entries.get(key);
    if (e) {
      if (this.now() - e.at >= this.maxAgeMs) void this.refresh(key, e.build).catch(() => undefined);
      return e.body;
    }
    return this.refresh(key, build);
  }

  /** Builds `key` (once at a time) and keeps it unless the cache was cleared meanwhile. */
  private refresh(key: string, build: () => Promise<string>): Promise<CachedBody> {
    const running = this.pending.get(key);
    if (running) return running;
    const gen = this.generation;
    const p = (async (): Promise<CachedBody> => {
      const text = await build();
      const body: CachedBody = { text, bytes: new Uint8Array(Buffer.from(text)), encoded: new Map(), etag: etagOf(text) };
      if (gen === this.generation) {
        if (!this.entries.has(key) && this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
        this.entries.set(key, { body, at: this.now(), build });
      }
      return body;
    })();
    this.pending.set(key, p);
    const done = (): void => {
      if (this.pending.get(key) === p) this.pending.delete(key);
    };
    p.then(done, done);
    return p;
  }

  /** Drops every body: the next request builds afresh (a state change, an edit, an incident). */
  clear(): void {
    this.generation++;
    this.entries.clear();
    this.pending.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
