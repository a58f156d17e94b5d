/**
 * A real Net-SNMP agent for tests: Debian's `snmpd` in the foreground on
 * 127.0.0.1 and ::1 with an OS-chosen UDP port, its configuration and
 * persistent state in a private temp folder (no systemd, no /etc/snmp):
 * a v2c community, a v3 user with SHA authentication and AES privacy, a few
 * fixed scalars and two `extend` rows (/bin/true and /bin/false) to walk.
 */
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOST, spawnDaemon, tempDir } from './common.ts';

export const SNMPD = '/usr/sbin/snmpd';

export const COMMUNITY = 'swtest-community';
export const V3 = { user: 'swuser', auth: 'swauthpass1', priv: 'swprivpass1' };
/** Scalars the agent serves (SNMPv2-MIB system group). */
export const SYS = { name: 'swtest-agent', location: 'lab shelf 2', services: 72 };
export const OID = {
  sysName: '1.3.6.1.2.1.1.5.0',
  sysLocation: '1.3.6.1.2.1.1.6.0',
  sysServices: '1.3.6.1.2.1.1.7.0',
  sysUpTime: '1.3.6.1.2.1.1.3.0',
  /** NET-SNMP-EXTEND-MIB nsExtendResult: the exit status of each `extend` command */
  nsExtendResult: '1.3.6.1.4.1.8072.1.3.2.3.1.4',
};

export interface Snmpd {
  port: number;
  log(): string;
  stop(): Promise<void>;
}

/** A UDP port nobody holds right now (the agent binds it next). */
async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  s.bind(0, HOST);
  await once(s, 'listening');
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export async function startSnmpd(o: { ipv6?: boolean } = {}): Promise<Snmpd> {
  const { dir, cleanup } = tempDir('sw-snmpd-');
  const port = await freeUdpPort();
  const listen = [`udp:${HOST}:${port}`, ...(o.ipv6 ? [`udp6:[::1]:${port}`] : [])].join(',');
  writeFileSync(
    join(dir, 'snmpd.conf'),
    [
      `agentaddress ${listen}`,
      `rocommunity ${COMMUNITY} 127.0.0.1`,
      ...(o.ipv6 ? [`rocommunity6 ${COMMUNITY} ::1`] : []),
      `createUser ${V3.user} SHA "${V3.auth}" AES "${V3.priv}"`,
      `rouser ${V3.user} priv`,
      `sysName ${SYS.name}`,
      `sysLocation ${SYS.location}`,
      `sysServices ${SYS.services}`,
      'extend okjob /bin/true',
      'extend badjob /bin/false',
      '',
    ].join('\n'),
  );
  // -C: only this file; -M: no MIB files (numeric OIDs); -Lo: log to stdout (the log file)
  const d = spawnDaemon('snmpd', dir, SNMPD, ['-f', '-Lo', '-C', '-c', join(dir, 'snmpd.conf'), '-M', join(dir, 'no-mibs'), '-p', join(dir, 'snmpd.pid')], {
    SNMP_PERSISTENT_DIR: join(dir, 'persist'),
  });
  const stop = async (): Promise<void> => {
    await d.stop();
    cleanup();
  };
  const end = Date.now() + 15_000;
  while (!/NET-SNMP version/.test(d.log())) {
    if (d.proc.exitCode !== null || Date.now() > end) {
      const log = d.log();
      await stop();
      throw new Error(`snmpd did not start: ${log.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, log: d.log, stop };
}
