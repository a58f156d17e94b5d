// Child process for the SIGKILL-during-save test: opens the site from dist/,
// then saves edits and records state in a tight loop, printing each counter
// value once it is durable ("saved N" after the file, "state N" after SQLite).
import { openSite } from '../../dist/src/wiring.js';
import { putCheck } from '../../dist/src/config/edits.js';

const [configPath] = process.argv.slice(2);
const site = await openSite({ configPath });
let n = Number(site.entry('counter')?.config.options.n ?? 0);
process.stdout.write('ready\n');
for (;;) {
  n++;
  const r = await site.mutate((doc) => putCheck(doc, 'counter', { type: 'disk', options: { n, padding: 'x'.repeat(n % 5000) } }));
  if (!r.ok) {
    process.stdout.write(`error ${JSON.stringify(r.issues)}\n`);
    process.exit(3);
  }
  process.stdout.write(`saved ${n}\n`);
  const s = site.state('counter');
  site.store.record('counter', { ...s, failCount: n }, Date.now());
  process.stdout.write(`state ${n}\n`);
}
