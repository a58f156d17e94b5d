/**
 * OpenSSH's sshd on 127.0.0.1 with host keys made for the test (toolchain.md
 * §3.3): no systemd, no PAM, no way to log in, foreground with its log in
 * the temp folder. Needs root (privilege separation) and /run/sshd.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, HOST, spawnDaemon, waitPort, type Daemon } from './common.ts';

export const SSHD = '/usr/sbin/sshd';

export type HostKeyKind = 'ed25519' | 'ecdsa256' | 'ecdsa384' | 'ecdsa521' | 'rsa';

const KEYGEN_ARGS: Record<HostKeyKind, string[]> = {
  ed25519: ['-t', 'ed25519'],
  ecdsa256: ['-t', 'ecdsa', '-b', '256'],
  ecdsa384: ['-t', 'ecdsa', '-b', '384'],
  ecdsa521: ['-t', 'ecdsa', '-b', '521'],
  rsa: ['-t', 'rsa', '-b', '2048'],
};

export interface HostKey {
  kind: HostKeyKind;
  /** private key file (the .pub sits beside it) */
  path: string;
  /** the OpenSSH key type name, field 1 of the .pub line */
  type: string;
  /** base64 key blob, field 2 of the .pub line */
  blob: string;
  /** `SHA256:…` as `ssh-keygen -lf` prints it */
  fingerprint: string;
}

/** Makes a host key with ssh-keygen and reads its public half and fingerprint back. */
export function makeHostKey(dir: string, kind: HostKeyKind): HostKey {
  const path = join(dir, `host_${kind}`);
  execFileSync('ssh-keygen', ['-q', ...KEYGEN_ARGS[kind], '-N', '', '-C', `test-${kind}`, '-f', path]);
  const [type, blob] = readFileSync(`${path}.pub`, 'utf8').trim().split(' ');
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${path}.pub`])
    .toString()
    .split(' ')[1];
  return { kind, path, type, blob, fingerprint };
}

export interface Sshd {
  port: number;
  daemon: Daemon;
  stop(): Promise<void>;
}

/** Starts sshd serving exactly these host keys, in this order in its config. */
export async function startSshd(dir: string, name: string, keys: HostKey[]): Promise<Sshd> {
  mkdirSync('/run/sshd', { recursive: true }); // privilege-separation directory
  const port = await freePort();
  const config = join(dir, `${name}_config`);
  writeFileSync(
    config,
    [
      `Port ${port}`,
      `ListenAddress ${HOST}`,
      ...keys.map((k) => `HostKey ${k.path}`),
      'PidFile none',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin no',
      'AuthorizedKeysFile none',
      '',
    ].join('\n'),
  );
  // sshd re-executes itself, so it must be started by its absolute path
  const daemon = spawnDaemon(name, dir, SSHD, ['-D', '-e', '-f', config]);
  try {
    await waitPort(port);
  } catch (e) {
    await daemon.stop();
    throw new Error(`${name} did not start: ${(e as Error).message}\n${daemon.log()}`);
  }
  return { port, daemon, stop: () => daemon.stop() };
}

/** The key sshd shows for one algorithm, as ssh-keyscan reads it: [type, blob]. */
export function keyscan(port: number, type: string): [string, string] {
  const out = execFileSync('ssh-keyscan', ['-p', String(port), '-t', type, HOST], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
  const line = out.split('\n').find((l) => l && !l.startsWith('#'));
  if (!line) throw new Error(`ssh-keyscan found no ${type} key on port ${port}`);
  const [, keyType, blob] = line.split(' ');
  return [keyType, blob];
}
