/**
 * A real small file system that the tests fill up: a tmpfs mounted on a
 * temp folder (as root, where `mount` is allowed). Filling writes a file
 * until ENOSPC, first in 64 KiB chunks, then page by page, so not one page
 * is left; freeing deletes it.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, statfsSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Tmpfs {
  dir: string;
  /** fills the file system to its last page */
  fill(): void;
  /** gives the space back */
  free(): void;
  unmount(): void;
}

/** Mounts a tmpfs of `size` (e.g. '4m') on `dir`; the reason when this machine does not allow it. */
export function mountTmpfs(dir: string, size: string): Tmpfs | { refused: string } {
  if (process.getuid?.() !== 0) return { refused: 'not running as root' };
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) return { refused: `mount refused: ${(r.stderr || r.error?.message || '').trim()}` };
  const filler = join(dir, '.filler');
  return {
    dir,
    fill: () => {
      writeFileSync(filler, '');
      for (const chunk of [Buffer.alloc(64 * 1024, 0x2e), Buffer.alloc(4096, 0x2e)]) {
        for (;;) {
          try {
            appendFileSync(filler, chunk);
          } catch (e) {
            if ((e as NodeJS.ErrnoException).code === 'ENOSPC') break;
            throw e;
          }
        }
      }
      if (statfsSync(dir).bavail !== 0) throw new Error(`${dir} is not full`);
    },
    free: () => unlinkSync(filler),
    unmount: () => {
      spawnSync('umount', ['-l', dir]);
    },
  };
}
