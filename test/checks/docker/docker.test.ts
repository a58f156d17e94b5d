/**
 * The `docker` check against a real engine: Podman's Docker-compatible API
 * on a unix socket (test/servers/podman.ts), with containers made from a
 * local BusyBox image — running, exited, with a health check that starts,
 * fails and passes — reached on the socket and through a TCP forwarder (the
 * way a Docker socket proxy exposes it).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { createServer, connect, type Server, type AddressInfo, type Socket } from 'node:net';
import { once } from 'node:events';
import { docker, DockerOptions, judge } from '../../../src/checks/docker/index.ts';
import { checkType } from '../../../src/checks/registry.ts';
import { runDirect } from '../../helpers/run-type.ts';
import { describeDaemon, HOST } from '../../servers/common.ts';
import { BUSYBOX, PODMAN, RUNC, IMAGE, startPodman, type Podman } from '../../servers/podman.ts';

describeDaemon("docker check against Podman's Docker API", [PODMAN, RUNC, BUSYBOX], () => {
  let engine: Podman;
  let proxy: Server;
  let proxyPort: number;
  const piped = new Set<Socket>();

  beforeAll(async () => {
    engine = await startPodman();
    engine.run('web');
    engine.run('job', { cmd: ['sh', '-c', 'exit 3'], wait: true });
    engine.run('api', { health: 'test -e /tmp/ready || { echo not ready yet; exit 1; }' });
    // a TCP forwarder to the socket, as a Docker socket proxy would be
    proxy = createServer((c) => {
      const u = connect(engine.socket);
      for (const s of [c, u]) {
        piped.add(s);
        s.on('error', () => undefined);
        s.on('close', () => piped.delete(s));
      }
      c.pipe(u).pipe(c);
    });
    proxy.listen(0, HOST);
    await once(proxy, 'listening');
    proxyPort = (proxy.address() as AddressInfo).port;
  }, 120_000);

  afterAll(async () => {
    for (const s of piped) s.destroy();
    proxy?.close();
    await engine?.stop();
  }, 60_000);

  const check = (container: string, o: Record<string, unknown> = {}) => runDirect(docker, { container, socket: engine.socket, ...o });

  it('a running container without a health check passes; state, image, restarts logged; uptime and restarts as metrics', async () => {
    const { outcome } = await check('web');
    expect(outcome.fail, outcome.log.join('\n')).toBe(false);
    expect(outcome.log).toEqual([`web: running (image ${IMAGE}), restarts 0`]);
    expect(outcome.level).toBe('running');
    const names = (outcome.metrics ?? []).map((m) => m.name);
    expect(names).toEqual(['response_time', 'restart_count', 'uptime']);
    expect(outcome.metrics?.find((m) => m.name === 'uptime')?.value).toBeGreaterThanOrEqual(0);
  });

  it('an exited container fails with its exit code', async () => {
    const { outcome } = await check('job');
    expect(outcome.fail).toBe(true);
    expect(outcome.log[0]).toBe(`job: exited (3) (image ${IMAGE}), restarts 0`);
    expect(outcome.log[1]).toMatch(/^job NotRunning: the container exited with code 3 at \d{4}-\d\d-\d\dT/);
    expect(outcome.level).toBe('exited (3)');
    expect(outcome.metrics?.map((m) => m.name)).toEqual(['response_time', 'restart_count']);
  });

  it("a missing container fails with the engine's words", async () => {
    const { outcome } = await check('nosuch');
    expect(outcome.fail).toBe(true);
    expect(outcome.log).toEqual(['nosuch NotFound: no container with name or ID "nosuch" found: no such container']);
  });

  it("health: starting fails, unhealthy fails with the check's output, healthy passes; healthy false ignores it", async () => {
    const starting = await check('api');
    expect(starting.outcome.fail).toBe(true);
    expect(starting.outcome.log).toEqual([`api: running, starting (image ${IMAGE}), restarts 0`, 'api Unhealthy: health check starting']);
    expect((await check('api', { healthy: false })).outcome.fail).toBe(false);

    expect(() => engine.podman('healthcheck', 'run', 'api')).toThrow();
    const unhealthy = await check('api');
    expect(unhealthy.outcome.fail).toBe(true);
    expect(unhealthy.outcome.log[1]).toBe('api Unhealthy: health check unhealthy, failing streak 1: not ready yet');
    expect(unhealthy.outcome.level).toBe('unhealthy');

    engine.podman('exec', 'api', 'touch', '/tmp/ready');
    engine.podman('healthcheck', 'run', 'api');
    const healthy = await check('api');
    expect(healthy.outcome.fail, healthy.outcome.log.join('\n')).toBe(false);
    expect(healthy.outcome.log).toEqual([`api: running, healthy (image ${IMAGE}), restarts 0`]);
    expect(healthy.outcome.level).toBe('healthy');
  });

  it('over TCP (hostname and port) through a forwarder to the engine', async () => {
    const { outcome } = await runDirect(docker, { container: 'web', hostname: HOST, port: proxyPort });
    expect(outcome.fail, outcome.log.join('\n')).toBe(false);
    expect(outcome.log).toEqual([`web: running (image ${IMAGE}), restarts 0`]);
  });

  it('a socket that does not exist fails naming it', async () => {
    const { outcome } = await check('web', { socket: '/nonexistent/docker.sock' });
    expect(outcome.fail).toBe(true);
    expect(outcome.log).toEqual(['web FileNotFoundError: connect ENOENT /nonexistent/docker.sock']);
  });
});

describe('docker check: the verdict and the options', () => {
  const state = (s: Record<string, unknown>) => ({ RestartCount: 2, State: { Status: 'running', StartedAt: '2026-01-01T00:00:00Z', ...s } });

  it('paused fails; Health "none" is no health check', () => {
    expect(judge({ container: 'c', healthy: true }, state({ Status: 'paused' }), 0).problem?.message).toBe('the container is paused');
    const v = judge({ container: 'c', healthy: true }, state({ Health: { Status: 'none' } }), Date.parse('2026-01-01T00:01:00Z'));
    expect(v.problem).toBeNull();
    expect(v.level).toBe('running');
    expect(v.metrics).toEqual([
      { name: 'restart_count', value: 2, min: 0 },
      { name: 'uptime', value: 60, unit: 's', min: 0 },
    ]);
  });

  it('the type is admin-only (it reaches the container engine of the host)', () => {
    expect(checkType('docker')?.adminOnly).toBe('talks to the container engine on this host');
  });

  it('a container name is checked at load (no path tricks in the API URL)', () => {
    const r = DockerOptions.safeParse({ container: '../../version' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ['container'], message: 'a container name or ID' });
  });
});
