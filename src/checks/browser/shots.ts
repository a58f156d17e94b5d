/**
 * Screenshots of failed `browser` runs: one PNG per check, overwritten by
 * its next failure, in `screenshots/` of the site folder. The viewport only
 * (1280×720, so a file stays well under a megabyte), and at most
 * `MAX_SHOTS` files in the folder: the oldest go first.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';

export const SHOT_DIR = 'screenshots';
export const MAX_SHOTS = 50;

/** The file of a check's screenshot, relative to the site folder: a safe form of the name plus a short hash (names may hold anything). */
export function shotFile(check: string): string {
  const safe = check.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 60);
  const hash = createHash('sha256').update(check).digest('hex').slice(0, 8);
  return join(SHOT_DIR, `${safe}-${hash}.png`);
}

export async function ensureDir(base: string): Promise<void> {
  await mkdir(join(base, SHOT_DIR), { recursive: true, mode: 0o750 });
}

/** Deletes the oldest screenshots beyond MAX_SHOTS. */
export async function prune(base: string, max = MAX_SHOTS): Promise<void> {
  const dir = join(base, SHOT_DIR);
  const names = (await readdir(dir)).filter((n) => n.endsWith('.png'));
  if (names.length <= max) return;
  const dated = await Promise.all(names.map(async (n) => ({ n, t: (await stat(join(dir, n)).catch(() => null))?.mtimeMs ?? 0 })));
  dated.sort((a, b) => a.t - b.t);
  for (const { n } of dated.slice(0, dated.length - max)) await unlink(join(dir, n)).catch(() => undefined);
}
