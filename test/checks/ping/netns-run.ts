/**
 * Runs one ping check and prints its Outcome as JSON. ping.test.ts starts it
 * inside a private network namespace (`unshare -n`), where it may set the
 * loopback down or drop echo replies with iptables without touching the
 * machine's own network: real packet loss for the real ping.
 */
import { ping } from '../../../src/checks/ping/index.ts';
import { runDirect } from '../../helpers/run-type.ts';

const raw = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>;
runDirect(ping, raw).then(
  (r) => process.stdout.write(`${JSON.stringify(r.outcome)}\n`),
  (e: unknown) => {
    process.stderr.write(`${String(e)}\n`);
    process.exit(3);
  },
);
