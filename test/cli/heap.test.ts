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
    expect(tuneHeap(['--heap-growing-percent=50'])).toBe(false);
    expect(tuneHeap(['--heap_growing_percent=50'])).toBe(false);
  });

  it('sets the flag in a fresh node process, which then reports it', () => {
    // V8 has no getter for a flag; a flag it does not know makes setFlagsFromString print an error, so
    // the child checks that the name is known and that tuneHeap applied it
    const src = `import('${new URL('../../src/util/heap.ts', import.meta.url).pathname}').then((m) => { process.stdout.write(String(m.tuneHeap([]))); })`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', src], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('true');
    expect(HEAP_GROWING_PERCENT).toBeGreaterThan(0);
    const known = spawnSync(process.execPath, ['--v8-options'], { encoding: 'utf8' }).stdout;
    expect(known).toContain('--heap-growing-percent');
  });
});
