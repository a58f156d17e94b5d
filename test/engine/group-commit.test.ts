/**
 * Group commit (site-runtime.ts): on the real clock, the results of one
 * event-loop turn are written in one transaction at the end of the turn and
 * only then announced; a result that cannot be written costs only itself;
 * a manual run and a stop wait for the write.
 */
import { openSite } from '../../src/wiring.ts';
import { describe, it, expect, afterEach } from 'vitest';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { Site, type SiteOptions } from '../../src/site.ts';
import { FakeClock } from '../../src/engine/clock.ts';
import type { RemoteData } from '../../src/engine/state.ts';
import { StateStore } from '../../src/store/state.ts';
import { MAX_BATCH } from '../../src/engine/commits.ts';
import { openDatabase } from '../../src/store/db.ts';
import { tempDir } from '../servers/common.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function realSite(checks: Record<string, unknown>, o: Partial<SiteOptions> = {}): Promise<{ site: Site; dbPath: string; stop(): Promise<void> }> {
  const t = tempDir('sw-gc-');
  const configPath = join(t.dir, 'site.json');
  writeFileSync(configPath, JSON.stringify({ scheduler: { jitter: 0 }, webui: null, checks }));
  const dbPath = join(t.dir, 'site.db');
  const site = await openSite({ configPath, dbPath, ...o });
  let stopped = false;
  cleanups.push(() => t.cleanup());
  cleanups.push(async () => {
    if (!stopped) await site.stop();
  });
  const stop = async (): Promise<void> => {
    stopped = true;
    await site.stop();
  };
  return { site, dbPath, stop };
}

const pass = (n: number): RemoteData => ({
  failState: false,
  failCount: 0,
  threshold: 1,
  log: [`update ${n}`],
  softFail: null,
  level: null,
  lastCheck: 1000 + n,
  lastFail: null,
  lastPass: 1000 + n,
});

describe('one switch for the speed-ups (SiteOptions.batching)', () => {
  it('a test clock takes the production path when asked: stored and announced at the end of the turn', async () => {
    const { site } = await realSite({ a: { type: 'remote', subType: 'x' } }, { clock: new FakeClock(), batching: true });
    const seen: string[] = [];
    site.bus.on('state', ({ name }) => seen.push(name));
    site.applyRemote('a', pass(1));
    expect(site.state('a').log).toEqual(['update 1']);
    expect(site.store.loadAll().has('a')).toBe(false);
    await site.runtime.committed();
    expect(seen).toEqual(['a']);
    expect(site.store.loadAll().get('a')?.log).toEqual(['update 1']);
  });

  it('without it a test clock commits at once', async () => {
    const { site } = await realSite({ a: { type: 'remote', subType: 'x' } }, { clock: new FakeClock() });
    site.applyRemote('a', pass(1));
    expect(site.store.loadAll().get('a')?.log).toEqual(['update 1']);
  });
});

describe('group commit on the real clock', () => {
  it('results of one turn are written together at its end, and announced only once written', async () => {
    const { site } = await realSite({ a: { type: 'remote', subType: 'x' }, b: { type: 'remote', subType: 'x' } });
    const seen: { name: string; stored: number }[] = [];
    site.bus.on('state', ({ name }) => seen.push({ name, stored: site.store.loadAll().get(name)?.log.length ?? 0 }));
    site.applyRemote('a', pass(1));
    site.applyRemote('b', pass(2));
    // in memory at once; not yet stored or announced
    expect(site.state('a').log).toEqual(['update 1']);
    expect(site.store.loadAll().has('a')).toBe(false);
    expect(seen).toEqual([]);
    await site.runtime.committed();
    expect(seen).toEqual([
      { name: 'a', stored: 1 },
      { name: 'b', stored: 1 },
    ]);
    expect(site.store.loadAll().get('b')?.log).toEqual(['update 2']);
  });

  it('a check updated several times in one turn: every transition is stored, its state row once, with the last state', async () => {
    const { site } = await realSite({ a: { type: 'remote', subType: 'x' }, b: { type: 'remote', subType: 'x' } });
    const rows: [string, boolean][] = [];
    const write = site.store.write.bind(site.store);
    site.store.write = (name, state, now, run, events, stateRow = true) => {
      rows.push([name, stateRow]);
      write(name, state, now, run, events, stateRow);
    };
    const fail = (n: number): RemoteData => ({ ...pass(n), failState: true, failCount: 1, lastFail: 1000 + n, lastPass: null });
    site.applyRemote('a', pass(1));
    site.applyRemote('b', pass(2));
    site.applyRemote('a', fail(3));
    site.applyRemote('a', pass(4));
    await site.runtime.committed();
    expect(rows).toEqual([
      ['a', false],
      ['b', true],
      ['a', false],
      ['a', true],
    ]);
    expect(site.store.loadAll().get('a')?.log).toEqual(['update 4']);
    expect(site.store.transitions('a', 10).map((t) => t.to)).toEqual(['PASS', 'FAIL', 'PASS']);
  });

  it('a turn of more results than one batch holds writes each full batch at once (a backlog stays bounded in memory)', async () => {
    const n = MAX_BATCH + 5;
    const checks: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) checks[`r${i}`] = { type: 'remote', subType: 'x' };
    const { site } = await realSite(checks);
    const seen: string[] = [];
    site.bus.on('state', ({ name }) => seen.push(name));
    for (let i = 0; i < n; i++) site.applyRemote(`r${i}`, pass(i));
    // still in the turn: the first full batch is stored and announced, in order; the rest waits for the end of the turn
    expect(seen).toHaveLength(MAX_BATCH);
    expect(seen.at(-1)).toBe(`r${MAX_BATCH - 1}`);
    expect(site.store.loadAll().size).toBe(MAX_BATCH);
    await site.runtime.committed();
    expect(seen).toEqual(Array.from({ length: n }, (_, i) => `r${i}`));
    expect(site.store.loadAll().get(`r${n - 1}`)?.log).toEqual([`update ${n - 1}`]);
  });

  it('a result that cannot be written costs only itself', async () => {
    const { site } = await realSite({ a: { type: 'remote', subType: 'x' }, bad: { type: 'remote', subType: 'x' }, c: { type: 'remote', subType: 'x' } });
    const write = site.store.write.bind(site.store);
    site.store.write = (name, ...rest) => {
      if (name === 'bad') throw new Error('disk says no');
      write(name, ...rest);
    };
    const seen: string[] = [];
    site.bus.on('state', ({ name }) => seen.push(name));
    for (const n of ['a', 'bad', 'c']) site.applyRemote(n, pass(1));
    await site.runtime.committed();
    expect(seen).toEqual(['a', 'c']);
    expect([...site.store.loadAll().keys()].sort()).toEqual(['a', 'c']);
  });

  it('a manual run resolves once its result is stored; a stop writes what is pending', async () => {
    const { site, dbPath, stop } = await realSite({ root: { type: 'disk', options: { volume: '/', level: 100 } }, r: { type: 'remote', subType: 'x' } });
    const s = await site.runNow('root');
    expect(site.store.history('root', 0, Date.now() + 1000)).toHaveLength(1);
    expect(site.store.loadAll().get('root')?.lastCheck).toBe(s!.lastCheck);
    site.applyRemote('r', pass(7));
    await stop();
    const db = openDatabase(dbPath);
    try {
      expect(new StateStore(db).loadAll().get('r')?.log).toEqual(['update 7']);
    } finally {
      db.close();
    }
  });
});
