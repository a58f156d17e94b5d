/**
 * Reading the small text files of procfs and sysfs (/proc/stat,
 * /proc/meminfo, /proc/net/dev, hwmon values). fs.promises.readFile sizes its
 * buffer from fstat, and these files report a size of 0, so it reads them
 * into a fresh 64 KiB buffer each time: with thousands of memory and cpu
 * checks that was most of the engine's buffer garbage, and a good part of its
 * peak memory (docs/performance.md). This reads into 4 KiB, doubled when a
 * file is bigger.
 *
 * The 4 KiB buffers are kept for the next read (a few, for reads in flight
 * at once), and the file is read through fs's callback API: a FileHandle and
 * a fresh buffer per read were ~4.5 KiB of a memory or cpu run's garbage at
 * 10,000 checks (issue 20, phase 7).
 */
import { close, open, read } from 'node:fs';

const FIRST = 4096;
/** 4 KiB buffers kept between reads; more reads at once allocate their own. */
const KEEP = 16;
const spare: Buffer[] = [];

function openRead(path: string): Promise<number> {
  return new Promise((resolve, reject) => open(path, 'r', (e, fd) => (e ? reject(e) : resolve(fd))));
}

function readInto(fd: number, buf: Buffer, at: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, buf, at, buf.length - at, null, (e, n) => (e ? reject(e) : resolve(n))));
}

export async function readSmallText(path: string): Promise<string> {
  const fd = await openRead(path);
  const first = spare.pop() ?? Buffer.allocUnsafe(FIRST);
  let buf = first;
  try {
    let len = 0;
    for (;;) {
      if (len === buf.length) {
        const bigger = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(bigger, 0, 0, len);
        buf = bigger;
      }
      const bytesRead = await readInto(fd, buf, len);
      if (bytesRead === 0) break;
      len += bytesRead;
    }
    return buf.toString('utf8', 0, len);
  } finally {
    if (spare.length < KEEP) spare.push(first);
    await new Promise<void>((resolve) => close(fd, () => resolve()));
  }
}
