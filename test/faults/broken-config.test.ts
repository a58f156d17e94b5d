/**
 * Issue 9, fault suite: a corpus of broken site files (test/faults/corpus.ts)
 * through `siteward --check-config` (the built CLI) and through
 * readSiteFile/validateSite and Site.open in-process. Each gives a clear
 * error at its JSON path — never a stack trace, never a crash — and the CLI
 * exits 1.
 */
import { openSite } from '../../src/wiring.ts';
import { describe, it, expect, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/version.ts';
import { SiteLoadError } from '../../src/site.ts';
import { readSiteFile } from '../../src/config/parse.ts';
import { validateSite } from '../../src/config/load.ts';
import { formatIssue, formatPath, type Issue, type PathSegment } from '../../src/config/issues.ts';
import { checkTypes } from '../../src/checks/registry.ts';
import { actionTypes } from '../../src/actions/registry.ts';
import { tempDir } from '../servers/common.ts';
import { actionBase, baseSite, corpus, type CorpusEntry } from './corpus.ts';

const CLI = join(PROJECT_ROOT, 'dist', 'bin', 'siteward.js');
// written when the file is collected: the CLI cases are one test each
const { dir, cleanup } = tempDir('sw-corpus-');
const entries: (CorpusEntry & { file: string })[] = corpus(dir).map((e, i) => {
  const file = join(dir, `site-${i}.json`);
  if (e.bytes === 'dir') mkdirSync(file);
  else writeFileSync(file, e.bytes);
  return { ...e, file };
});
afterAll(() => cleanup());

const under = (path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean => prefix.every((seg, i) => path[i] === seg);

/** A message a person can act on: no leaked internals, bounded. */
function unclear(i: Issue): string | null {
  const text = formatIssue(i);
  if (/undefined|\[object Object\]|NaN|Error:/.test(text)) return text;
  if (text.length > 600) return `${text.slice(0, 200)}… (${text.length} characters)`;
  return null;
}

/** Signs of a crash rather than a reported problem. */
const CRASH = /^\s+at |TypeError|RangeError|ReferenceError|SyntaxError|Maximum call stack/m;

function checkConfig(file: string): Promise<{ code: number | null; signal: string | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI, '--check-config', `--config=${file}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.setEncoding('utf8');
    p.stderr.setEncoding('utf8');
    p.stdout.on('data', (d: string) => (out += d));
    p.stderr.on('data', (d: string) => (out += d));
    p.on('error', reject);
    p.on('close', (code, signal) => resolve({ code, signal, out }));
  });
}

describe('broken site files', () => {
  it('the corpus reaches every check type, action type and settings key of the registries', () => {
    const wrong = entries.find((e) => e.name === 'wrong types at every level')!;
    const named = new Set(wrong.paths.map((p) => String(p[1])));
    for (const t of checkTypes)
      expect(
        [...named].some((n) => n.startsWith(`opt-${t.type}-`)),
        t.type,
      ).toBe(true);
    for (const t of actionTypes) {
      expect(actionBase[t.type], `actionBase for ${t.type}`).toBeDefined();
      if (t.type !== 'log')
        expect(
          [...named].some((n) => n.startsWith(`opt-${t.type}-`)),
          t.type,
        ).toBe(true);
    }
    for (const s of ['webui', 'mqtt', 'api', 'plugins', 'history', 'scheduler', 'notifications', 'timezone', 'log', 'base']) {
      expect(
        wrong.paths.some((p) => p[0] === s),
        s,
      ).toBe(true);
    }
    expect(entries.filter((e) => e.name.startsWith('truncated')).length).toBe(JSON.stringify(baseSite(), null, 1).length);
  });

  it('in-process: every entry is reported at its paths, clearly; Site.open refuses the unusable ones with SiteLoadError', async () => {
    const problems: string[] = [];
    for (const e of entries) {
      const parsed = await readSiteFile(e.file);
      const site = validateSite(parsed.doc, { base: dir }, parsed.issues);
      const errors = site.issues.filter((i) => i.severity === 'error');
      if (site.fatal !== e.fatal) problems.push(`${e.name}: fatal ${site.fatal}, expected ${e.fatal}`);
      for (const p of e.paths) {
        if (!errors.some((i) => under(i.path, p)))
          problems.push(`${e.name}: no error at ${formatPath(p)} (got ${errors.slice(0, 3).map(formatIssue).join('; ')})`);
      }
      for (const i of site.issues) {
        const u = unclear(i);
        if (u) problems.push(`${e.name}: unclear message ${u}`);
      }
      try {
        const s = await openSite({ configPath: e.file, dbPath: ':memory:', readOnly: true });
        if (e.fatal) problems.push(`${e.name}: Site.open accepted an unusable file`);
        for (const p of e.paths) {
          if (!s.loaded.issues.some((i) => i.severity === 'error' && under(i.path, p)))
            problems.push(`${e.name}: Site.open lost the error at ${formatPath(p)}`);
        }
        await s.stop();
      } catch (err) {
        if (!(err instanceof SiteLoadError)) problems.push(`${e.name}: Site.open threw ${(err as Error).name}: ${(err as Error).message}`);
        else if (!e.fatal) problems.push(`${e.name}: Site.open refused a usable file: ${err.message}`);
        else if (CRASH.test(err.message)) problems.push(`${e.name}: ${err.message}`);
      }
    }
    expect(problems).toEqual([]);
  }, 120_000);

  it('runtime data of the wrong types is read leniently, as fletchck reads it (spec §2.3): the site loads', async () => {
    const doc = baseSite();
    (doc.checks as Record<string, unknown>).odd = {
      type: 'cpu',
      data: { failState: { a: 1 }, failCount: 'many', log: 5, softFail: [1], level: 7, lastFail: [1], lastCheck: 'not a time', lastPass: {} },
    };
    const file = join(dir, 'odd-data.json');
    writeFileSync(file, JSON.stringify(doc));
    const s = await openSite({ configPath: file, dbPath: ':memory:', readOnly: true });
    expect(s.loaded.issues.filter((i) => i.severity === 'error')).toEqual([]);
    expect(s.state('odd')).toMatchObject({ failState: true, failCount: 0, log: [], lastFail: null });
    await s.stop();
  });

  it("the CLI's report is complete when its reader is slow (a pipe to a busy process)", async () => {
    const wrong = entries.find((e) => e.name === 'wrong types at every level')!;
    const runs = Array.from({ length: 6 }, () => checkConfig(wrong.file));
    // this process reads the pipes only after two seconds of work: the children finish writing first
    const end = Date.now() + 2000;
    while (Date.now() < end) {
      /* busy */
    }
    for (const r of await Promise.all(runs)) {
      expect(r.out.trimEnd().split('\n').at(-1)).toMatch(/: \d+ checks?, \d+ actions?, \d+ errors?, \d+ warnings?$/);
    }
  }, 60_000);

  describe.concurrent('siteward --check-config (built CLI)', () => {
    for (const entry of entries.filter((x) => x.cli)) {
      it(`${entry.name}: exit 1, the error at its path, no stack trace`, async () => {
        const r = await checkConfig(entry.file);
        const lines = r.out.split('\n');
        expect(r.signal, r.out.slice(0, 2000)).toBeNull();
        expect(r.code, r.out.slice(0, 2000)).toBe(1);
        expect(r.out).not.toMatch(CRASH);
        expect(r.out.length).toBeLessThan(100_000);
        for (const p of entry.paths) {
          const fp = formatPath(p);
          const hit = lines.some((l) => l.startsWith(`error: ${fp}`) && /^[:.[]/.test(l.slice(`error: ${fp}`.length)));
          expect(hit, `no "error: ${fp}…" line in:\n${r.out.slice(0, 3000)}`).toBe(true);
        }
      }, 60_000);
    }
  });
});
