/**
 * Child process: how late a bare 10 ms timer fires in an otherwise idle Node
 * process, for `argv[2]` seconds — the machine's own scheduling noise, run
 * beside a latency benchmark so its figures can be read against it (the
 * benchmark machine is shared and loaded). Prints one JSON line: a dist().
 */
import { performance } from 'node:perf_hooks';
import { dist } from './report.ts';

const seconds = Number(process.argv[2] ?? 10);
const late: number[] = [];
const end = performance.now() + seconds * 1000;
await new Promise<void>((done) => {
  const tick = (): void => {
    const planned = performance.now() + 10;
    setTimeout(() => {
      late.push(performance.now() - planned);
      if (performance.now() < end) tick();
      else done();
    }, 10);
  };
  tick();
});
process.stdout.write(`${JSON.stringify(dist(late))}\n`);
