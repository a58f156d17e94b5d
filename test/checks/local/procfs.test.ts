/**
 * readSmallText (src/checks/shared/procfs.ts): whole procfs files (which say
 * they are 0 bytes long), files bigger than its first buffer, empty files,
 * multi-byte text across a buffer boundary.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readSmallText } from '../../../src/checks/shared/procfs.ts';
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

  it('a missing file rejects with ENOENT', async () => {
    await expect(readSmallText('/proc/no-such-file')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
