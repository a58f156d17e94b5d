/**
 * Options for each registered check type in the shared contract suite. Each
 * entry gets a "silent" server (accepts TCP connections and UDP datagrams on
 * 127.0.0.1 and never answers) and returns options that point the check at
 * it, or at nothing network-related for local checks. Every registered type
 * must have an entry (the suite fails otherwise).
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Silent {
  host: string;
  /** TCP port that accepts and never answers */
  port: number;
  /** UDP port that receives and never answers */
  udpPort: number;
  /** a folder for fixture files */
  dir: string;
}

/** An executable in the fixture folder (the contract's plugin folder) that never answers. */
function writeSilentPlugin(dir: string): string {
  const p = join(dir, 'check_silent');
  writeFileSync(p, '#!/bin/sh\nexec sleep 60\n');
  chmodSync(p, 0o755);
  return p;
}

export const contractFixtures: Record<string, (s: Silent) => Record<string, unknown>> = {
  ssh: (s) => ({ hostname: s.host, port: s.port }),
  dns: (s) => ({ hostname: s.host, port: s.udpPort, reqName: 'svc.test', reqType: 'A' }),
  smtp: (s) => ({ hostname: s.host, port: s.port }),
  submit: (s) => ({ hostname: s.host, port: s.port }),
  imap: (s) => ({ hostname: s.host, port: s.port }),
  https: (s) => ({ hostname: s.host, port: s.port }),
  cert: (s) => ({ hostname: s.host, port: s.port }),
  disk: () => ({ volume: '/' }),
  cpu: () => ({}),
  memory: () => ({}),
  sequence: () => ({ checks: [] }),
  remote: () => ({ timeout: 60 }),
  temp: (s) => ({ hostname: s.host, port: s.port }),
  net: () => ({ interface: 'lo' }),
  exec: (s) => ({ command: [writeSilentPlugin(s.dir)] }),
  truenas: (s) => ({ hostname: s.host, port: s.port, tls: false, apiKey: 'contract-key' }),
  ups: (s) => ({ upsName: 'ups', hostname: s.host, port: s.port }),
  push: () => ({ token: 'contract-token-0123456789' }),
  // expect: a silent server must hold the run until its timeout
  tcp: (s) => ({ hostname: s.host, port: s.port, send: 'ping\n', expect: 'pong' }),
  postgres: (s) => ({ hostname: s.host, port: s.port, username: 'probe', password: 'contract-pass' }),
  mysql: (s) => ({ hostname: s.host, port: s.port, username: 'probe', password: 'contract-pass' }),
  redis: (s) => ({ hostname: s.host, port: s.port, password: 'contract-pass', key: 'k' }),
  ntp: (s) => ({ hostname: s.host, port: s.udpPort }),
  mqtt: (s) => ({ hostname: s.host, port: s.port, topic: 'site/status' }),
  ldap: (s) => ({
    hostname: s.host,
    port: s.port,
    tls: 'none',
    username: 'cn=monitor,dc=example,dc=org',
    password: 'contract-pass',
    base: 'dc=example,dc=org',
  }),
  // three requests a second apart outlast the contract's timeout: the run is cut and ping killed
  ping: (s) => ({ hostname: s.host }),
  // no screenshot: it would be written after the run, into a folder the suite removes
  browser: (s) => ({ url: `http://${s.host}:${s.port}/`, screenshot: false }),
  docker: (s) => ({ container: 'web', hostname: s.host, port: s.port }),
  snmp: (s) => ({ hostname: s.host, port: s.udpPort, oids: [{ oid: '1.3.6.1.2.1.1.5.0' }] }),
};
