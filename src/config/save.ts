/**
 * Atomic save of the site file (spec §2.4, fixed): write a temp file in the
 * same folder, fsync it, keep the previous version as `<file>.bak`, rename the
 * temp file over the config, fsync the folder. A crash at any instant leaves
 * the old or the new file, never a torn one; nothing is left behind on error.
 */
import { open, rename, link, unlink, chmod, stat, readdir } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/** The file-system seam, so tests can inject ENOSPC and friends. */
export interface SaveFs {
  open: typeof open;
  rename: typeof rename;
  link: typeof link;
  unlink: typeof unlink;
}
const realFs: SaveFs = { open, rename, link, unlink };

export async function atomicWrite(path: string, text: string, fs: SaveFs = realFs): Promise<void> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  let fh;
  try {
    fh = await fs.open(tmp, 'wx', 0o600);
    await fh.writeFile(text, 'utf8');
    await fh.sync();
    await fh.close();
    fh = undefined;
    await backup(path, fs);
    await fs.rename(tmp, path);
  } catch (e) {
    await fh?.close().catch(() => undefined);
    await fs.unlink(tmp).catch(() => undefined);
    throw e;
  }
  await syncDir(dir, fs);
}

/** `.bak` = the previous version: a hard link, swapped in atomically. */
async function backup(path: string, fs: SaveFs): Promise<void> {
  const tmpLink = `${path}.${randomBytes(6).toString('hex')}.bak-tmp`;
  try {
    await fs.link(path, tmpLink);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // first save
    throw e;
  }
  try {
    await fs.rename(tmpLink, `${path}.bak`);
  } catch (e) {
    await fs.unlink(tmpLink).catch(() => undefined);
    throw e;
  }
}

async function syncDir(dir: string, fs: SaveFs): Promise<void> {
  const d = await fs.open(dir, 'r').catch(() => undefined);
  if (!d) return;
  try {
    await d.sync();
  } catch {
    // some file systems refuse fsync on a directory; the rename is still atomic
  } finally {
    await d.close();
  }
}

/** Makes sure a file holding secrets is private (0600), e.g. after an editor saved it. */
export async function ensurePrivate(path: string): Promise<void> {
  const s = await stat(path).catch(() => undefined);
  if (s && (s.mode & 0o077) !== 0) await chmod(path, 0o600);
}

/** Removes the temp files of saves a crash interrupted (they are never the live file). */
export async function removeStaleSaves(path: string): Promise<void> {
  const dir = dirname(path);
  const name = basename(path);
  const files = await readdir(dir).catch(() => [] as string[]);
  for (const f of files) {
    if ((f.startsWith(`.${name}.`) && f.endsWith('.tmp')) || (f.startsWith(`${name}.`) && f.endsWith('.bak-tmp'))) {
      await unlink(join(dir, f)).catch(() => undefined);
    }
  }
}
