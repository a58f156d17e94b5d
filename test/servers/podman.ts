/**
 * A real container engine for tests: Debian's Podman serving the Docker
 * Engine API (`podman system service`) on a unix socket in a private temp
 * folder, with its own storage (vfs) and run state there, so nothing of the
 * machine's own containers is seen or touched. No registry is reachable, so
 * the image is made here: a root file system holding only BusyBox (the
 * static build from busybox-static), `podman import`ed.
 *
 * What works as root in this sandbox: runc (crun refuses the hybrid cgroup
 * v1/v2 layout), cgroupfs (no systemd), no network (`--network=none`: no
 * netavark needed), explicit nofile/nproc limits (raising them is refused),
 * and health checks run by hand (`podman healthcheck run`: without systemd
 * there are no timers to run them).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { spawnDaemon, tempDir, type Daemon } from './common.ts';

export const PODMAN = '/usr/bin/podman';
export const RUNC = '/usr/sbin/runc';
export const BUSYBOX = '/bin/busybox';
export const IMAGE = 'localhost/siteward-test-busybox:1';

export interface Podman {
  /** the Docker-compatible API socket */
  socket: string;
  /** runs `podman <args>` against this private engine; throws on failure */
  podman(...args: string[]): string;
  /** starts a container from the test image: `sleep` for an hour unless `cmd` is given; `wait`: until it exits */
  run(name: string, o?: { cmd?: string[]; health?: string; wait?: boolean }): void;
  log(): string;
  stop(): Promise<void>;
}

/** How many processes have `dir` on their command line (this engine's conmon and cleanup runs). */
function processesUsing(dir: string): number {
  let n = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) n++;
    } catch {
      // gone meanwhile
    }
  }
  return n;
}

async function until(ok: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
}

export async function startPodman(): Promise<Podman> {
  const { dir, cleanup } = tempDir('sw-podman-');
  const global = [
    '--root',
    join(dir, 'root'),
    '--runroot',
    join(dir, 'run'),
    '--tmpdir',
    join(dir, 'tmp'),
    '--storage-driver',
    'vfs',
    '--cgroup-manager',
    'cgroupfs',
    '--events-backend',
    'file',
    '--runtime',
    RUNC,
  ];
  const podman = (...args: string[]): string => {
    const r = spawnSync(PODMAN, [...global, ...args], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`podman ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
    return r.stdout;
  };
  // the image: / with bin/busybox, its applets as links, and a writable /tmp
  const rootfs = join(dir, 'rootfs');
  mkdirSync(join(rootfs, 'bin'), { recursive: true });
  mkdirSync(join(rootfs, 'tmp'));
  copyFileSync(BUSYBOX, join(rootfs, 'bin', 'busybox'));
  for (const applet of ['sh', 'sleep', 'test', 'touch', 'rm', 'true', 'false']) symlinkSync('busybox', join(rootfs, 'bin', applet));
  const tar = spawnSync('tar', ['-C', rootfs, '-cf', join(dir, 'rootfs.tar'), '.'], { encoding: 'utf8' });
  if (tar.status !== 0) throw new Error(`tar failed: ${tar.stderr}`);
  podman('import', join(dir, 'rootfs.tar'), IMAGE);

  const socket = join(dir, 'docker.sock');
  let service: Daemon | null = spawnDaemon('podman-service', dir, PODMAN, [...global, 'system', 'service', '--time=0', `unix://${socket}`]);
  const stop = async (): Promise<void> => {
    try {
      podman('rm', '--all', '--force', '--time', '0');
    } catch {
      // already gone
    }
    await service?.stop();
    service = null;
    // conmon runs `podman container cleanup` for each container after it
    // ends, in the background: wait for those before the folder goes
    await until(() => processesUsing(dir) === 0, 15_000);
    cleanup();
  };
  const end = Date.now() + 30_000;
  while (!existsSync(socket)) {
    if (service.proc.exitCode !== null || Date.now() > end) {
      const log = service.log();
      await stop();
      throw new Error(`podman system service did not start: ${log.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const run: Podman['run'] = (name, o = {}) => {
    const health = o.health ? ['--health-cmd', o.health, '--health-retries', '1', '--health-interval', 'disable'] : [];
    podman(
      'run',
      '--detach',
      '--name',
      name,
      '--network',
      'none',
      '--ulimit',
      'nofile=1024:1024',
      '--ulimit',
      'nproc=1024:1024',
      ...health,
      IMAGE,
      ...(o.cmd ?? ['sleep', '3600']),
    );
    if (o.wait) podman('wait', name);
  };
  return { socket, podman, run, log: () => service?.log() ?? '', stop };
}
