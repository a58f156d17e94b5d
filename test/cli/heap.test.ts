/**
 * The daemon's heap tuning (src/util/heap.ts): applied by default, left
 * alone when node was started with its own --heap-growing-percent. The
 * memory it saves is a benchmark figure (bench/cli-scale.ts), not a test.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { HEAP_GROWING_PERCENT, tuneHeap } from '../../src/util/heap.ts';

describe('tuneHeap', () => {
  it('leaves an explicit --heap-growing-percent alone', () => {
    expect(tuneHeap(['--heap-growing-percent=50'], {})).toBeNull();
    expect(tuneHeap(['--heap_growing_percent=50'], {})).toBeNull();
  });

  it('SITEWARD_HEAP_GROWING_PERCENT chooses the percent; 0 leaves V8 its own; junk falls back to the default', () => {
    expect(tuneHeap([], { SITEWARD_HEAP_GROWING_PERCENT: '0' })).toBeNull();
    expect(tuneHeap([], { SITEWARD_HEAP_GROWING_PERCENT: '40' })).toBe(40);
    expect(tuneHeap([], { SITEWARD_HEAP_GROWING_PERCENT: 'lots' })).toBe(HEAP_GROWING_PERCENT);
  });

  it('sets the flag in a fresh node process, which then reports it', () => {
    // V8 has no getter for a flag; a flag it does not know makes setFlagsFromString print an error, so
    // the child checks that the name is known and that tuneHeap applied it
    const src = `import('${new URL('../../src/util/heap.ts', import.meta.url).pathname}').then((m) => { process.stdout.write(String(m.tuneHeap([], {}))); })`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', src], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(String(HEAP_GROWING_PERCENT));
    expect(HEAP_GROWING_PERCENT).toBeGreaterThan(0);
    const known = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout;
    expect(known).toContain('--heap-growing-percent');
  });
});
