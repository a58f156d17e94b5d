/**
 * Reading the small text files of procfs and sysfs (/proc/stat,
 * /proc/meminfo, /proc/net/dev, hwmon values). fs.promises.readFile sizes its
 * buffer from fstat, and these files report a size of 0, so it reads them
 * into a fresh 64 KiB buffer each time: with thousands of memory and cpu
 * checks that was most of the engine's buffer garbage, and a good part of its
 * peak memory (docs/performance.md). This reads into 4 KiB, doubled when a
 * file is bigger.
 */
import { open } from 'node:fs/promises';

const FIRST = 4096;

export async function readSmallText(path: string): Promise<string> {
  const fh = await open(path, 'r');
  try {
    let buf = Buffer.allocUnsafe(FIRST);
    let len = 0;
    for (;;) {
      if (len === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, len);
        buf = bigger;
      }
      const { bytesRead } = await fh.read(buf, len, buf.length - len, null);
      if (bytesRead === 0) break;
      len += bytesRead;
    }
    return buf.toString('utf8', 0, len);
  } finally {
    await fh.close();
  }
}
