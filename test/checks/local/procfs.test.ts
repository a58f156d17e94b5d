/**
 * readSmallText (src/checks/shared/procfs.ts): whole procfs files (which say
 * they are 0 bytes long), files bigger than its first buffer, empty files,
 * multi-byte text across a buffer boundary, reads in flight together on
 * kept buffers; the cpu check's search for its line of /proc/stat.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSmallText } from '../../../src/checks/shared/procfs.ts';
import { cpuSample } from '../../../src/checks/cpu/index.ts';
import { tempDir } from '../../servers/common.ts';

describe('readSmallText', () => {
  it('reads a procfs file whole although it reports size 0', async () => {
    const text = await readSmallText('/proc/self/status');
    expect(text).toMatch(/^Name:\t/);
    expect(text).toMatch(/\nVmRSS:/);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('reads files bigger than its buffer, empty files, and UTF-8 across the boundary', async () => {
    const t = tempDir('sw-procfs-');
    try {
      const big = join(t.dir, 'big');
      const text = `${'x'.repeat(4095)}é${'°C line\n'.repeat(3000)}`;
      writeFileSync(big, text);
      expect(await readSmallText(big)).toBe(text);
      writeFileSync(join(t.dir, 'empty'), '');
      expect(await readSmallText(join(t.dir, 'empty'))).toBe('');
      expect(await readSmallText(big)).toBe(readFileSync(big, 'utf8'));
    } finally {
      t.cleanup();
    }
  });

  it('reads at once more files than it keeps buffers for, each with its own text (kept buffers are reused)', async () => {
    const t = tempDir('sw-procfs-');
    try {
      // 40 files read together, twice: the second round runs on the buffers the first one kept
      const files = Array.from({ length: 40 }, (_, i) => {
        const p = join(t.dir, `f${i}`);
        writeFileSync(p, `file ${i}\n${String(i).repeat(100 + i * 97)}\n`);
        return p;
      });
      for (let round = 0; round < 2; round++) {
        const texts = await Promise.all(files.map((p) => readSmallText(p)));
        texts.forEach((text, i) => expect(text).toBe(readFileSync(files[i], 'utf8')));
      }
    } finally {
      t.cleanup();
    }
  });

  it('cpuSample finds the "cpu " line wherever it is, and names a file without one', async () => {
    const t = tempDir('sw-procfs-');
    try {
      writeFileSync(join(t.dir, 'stat'), 'intr 1 2 3\ncpu0 5 0 5 90 0 0 0 0\ncpu  10 0 20 60 10 0 0 0\nctxt 7\n');
      expect(await cpuSample(t.dir)).toEqual({ busy: 30, total: 100 });
      writeFileSync(join(t.dir, 'stat'), 'cpu  1 2 3 4 0 0 0 0');
      expect(await cpuSample(t.dir)).toEqual({ busy: 6, total: 10 });
      writeFileSync(join(t.dir, 'stat'), 'cpu0 5 0 5 90 0 0 0 0\nintr 1\n');
      await expect(cpuSample(t.dir)).rejects.toThrow('no cpu line in /proc/stat');
    } finally {
      t.cleanup();
    }
  });

  it('a missing file rejects with ENOENT', async () => {
    await expect(readSmallText('/proc/no-such-file')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
