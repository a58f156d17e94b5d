/**
 * dnsmasq on 127.0.0.1 (toolchain.md §3.5), authoritative for the zone
 * `test.` and its reverse zones, with no upstream: names outside the zone
 * are REFUSED, unknown names inside it are NXDOMAIN. It answers on UDP and
 * TCP of the same port.
 */
import { freePort, HOST, spawnDaemon, waitPort, type Daemon } from './common.ts';

export const DNSMASQ = '/usr/sbin/dnsmasq';

export interface Dnsmasq {
  port: number;
  daemon: Daemon;
  stop(): Promise<void>;
}

/** Records served by `startDnsmasq` (the tests read their expectations from here). */
export const ZONE = {
  soa: { serial: 2024010101, refresh: 1200, retry: 120, expire: 604800, ttl: 600 },
  svc: '127.0.0.42',
  mail4: '127.0.0.43',
  mail6: 'fd00::43',
  txt: 'v=probe1',
};

export async function startDnsmasq(dir: string, extra: string[] = []): Promise<Dnsmasq> {
  const port = await freePort();
  const s = ZONE.soa;
  const daemon = spawnDaemon('dnsmasq', dir, DNSMASQ, [
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    '--no-poll',
    '--bind-interfaces',
    `--listen-address=${HOST}`,
    `--port=${port}`,
    '--user=nobody',
    '--group=nogroup',
    '--pid-file=',
    '--log-facility=-',
    '--log-queries',
    '--local=/test/',
    // authoritative mode gives the zone an SOA and NS, and serves PTR from the host records
    `--auth-server=ns.test,${HOST}`,
    '--auth-zone=test,127.0.0.0/8,fd00::/8',
    `--auth-soa=${s.serial},hostmaster.test,${s.refresh},${s.retry},${s.expire}`,
    `--auth-ttl=${s.ttl}`,
    `--host-record=svc.test,${ZONE.svc}`,
    `--host-record=mail.test,${ZONE.mail4},${ZONE.mail6}`,
    `--txt-record=svc.test,${ZONE.txt}`,
    '--mx-host=test,mail.test,10',
    '--cname=www.test,svc.test',
    ...extra,
  ]);
  try {
    await waitPort(port); // TCP; UDP opens in the same start-up step
  } catch (e) {
    await daemon.stop();
    throw new Error(`dnsmasq did not start: ${(e as Error).message}\n${daemon.log()}`);
  }
  return { port, daemon, stop: () => daemon.stop() };
}
