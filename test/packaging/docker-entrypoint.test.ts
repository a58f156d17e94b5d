/**
 * The Docker image's start, the closest this machine allows: no image can be
 * built here (no registry for `FROM node:20-bookworm-slim`, and building a
 * Debian + Node base and the build stage's apt-get and npm ci locally takes
 * far longer than CI affords; docs/api.md "Docker" has the details). So the
 * runtime stage's ENV, WORKDIR, USER, ENTRYPOINT, CMD and HEALTHCHECK are read
 * from the Dockerfile (dockerfile-ast, the parser behind dockerfile-utils)
 * and run on the built project as an unprivileged user, with an empty folder
 * for the /data volume and no programs on PATH (the image has no openssl):
 * the first start must create the site, print the user and password, serve
 * the web UI on SITEWARD_WEBUI_PORT on every interface, and pass the
 * HEALTHCHECK. Ports: the Dockerfile's documented ones are checked against
 * EXPOSE and the README; the run itself uses free ports in the same
 * variables (tests never take a fixed port).
 */
import { describe, it, expect } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { chownSync, readFileSync, accessSync, constants } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { networkInterfaces } from 'node:os';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { PROJECT_ROOT } from '../../src/version.ts';
import { freePort, tempDir } from '../servers/common.ts';

const docker = DockerfileParser.parse(readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8'));
const froms = docker.getFROMs();
const runtimeStart = froms[froms.length - 1].getRange().start.line;
const runtime = docker.getInstructions().filter((i) => i.getRange().start.line >= runtimeStart);
const of = (kw: string): Instruction[] => runtime.filter((i) => i.getKeyword() === kw);
const jsonArgs = (i: Instruction): string[] => JSON.parse(i.getArgumentsContent() ?? '[]') as string[];

/** The runtime stage's ENV as a map (ENV a=b c=d). */
function envOf(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of docker.getENVs()) {
    if (e.getRange().start.line < runtimeStart) continue;
    for (const p of e.getProperties()) env[p.getName()] = p.getValue() ?? '';
  }
  return env;
}

const NOBODY = 65534;

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('Docker image entrypoint (run from the Dockerfile, no container engine)', () => {
  const env = envOf();

  it('documents one fixed web UI port: ENV, EXPOSE and the README agree', () => {
    expect(env.SITEWARD_WEBUI_HOSTNAME).toBe('0.0.0.0');
    expect(env.SITEWARD_WEBUI_PORT).toMatch(/^\d+$/);
    expect(env.SITEWARD_CONFIG).toBe('/data/site.json');
    const exposed = of('EXPOSE').flatMap((i) => (i.getArgumentsContent() ?? '').split(/\s+/));
    expect(exposed).toContain(env.SITEWARD_WEBUI_PORT);
    const readme = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');
    expect(readme).toContain(`docker run -d --name siteward -p ${env.SITEWARD_WEBUI_PORT}:${env.SITEWARD_WEBUI_PORT} -v siteward:/data siteward`);
    expect(readme).toContain(`https://localhost:${env.SITEWARD_WEBUI_PORT}`);
  });

  it(
    'first start in an empty /data as an unprivileged user: creates the site, prints the user and password, serves the web UI on SITEWARD_WEBUI_PORT and passes the HEALTHCHECK',
    { timeout: 90_000 },
    async () => {
      // nobody must reach the project (CI clones it somewhere world-readable)
      for (const p of ['dist/bin/siteward.js', 'node_modules', 'views/static']) accessSync(join(PROJECT_ROOT, p), constants.R_OK);
      const t = tempDir('sw-docker-');
      // as root (CI), run as nobody; an unprivileged developer already is one
      const root = process.getuid?.() === 0;
      if (root) chownSync(t.dir, NOBODY, NOBODY);
      const data = t.dir;
      const [webPort, apiPort] = [await freePort(), await freePort()];
      const workdir = of('WORKDIR').pop()!.getArgumentsContent()!;
      expect(workdir).toBe('/app');
      expect(of('USER').pop()!.getArgumentsContent()).toBe('node');
      // the image's /app is the built project; /data is the temp folder
      const swap = (s: string): string => s.replaceAll('/data', data);
      const [exe, ...entry] = jsonArgs(of('ENTRYPOINT').pop()!);
      expect(exe).toBe('node');
      const cmd = jsonArgs(of('CMD').pop()!);
      const childEnv: NodeJS.ProcessEnv = {
        ...Object.fromEntries(Object.entries(env).map(([k, v]) => [k, swap(v)])),
        SITEWARD_WEBUI_PORT: String(webPort),
        SITEWARD_API_PORT: String(apiPort),
        // the slim image has no openssl: nothing may need a program from PATH
        PATH: '/nonexistent',
        HOME: data,
      };
      const child = spawn(process.execPath, [...entry, ...cmd.map(swap)], {
        cwd: PROJECT_ROOT,
        env: childEnv,
        ...(root ? { uid: NOBODY, gid: NOBODY } : {}),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
      try {
        const deadline = Date.now() + 60_000;
        while (!/siteward running/.test(err)) {
          if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no start:\n${out}\n${err}`);
          await new Promise((r) => setTimeout(r, 100));
        }
        expect(out).toMatch(/^User name: admin$/m);
        const password = /^Password: (\S+)$/m.exec(out)?.[1];
        expect(password).toMatch(/^[0-9a-z+-]{14}$/);
        expect(out).toContain('self-signed');
        const site = JSON.parse(readFileSync(join(data, 'site.json'), 'utf8')) as { webui: { cert: string }; $schema: string };
        expect(site.webui.cert).toBe(join(data, 'site.cert'));
        expect(site.$schema).toMatch(/site\.schema\.json$/);
        // every interface: reachable on a non-loopback-bound name too
        const login = await get(`https://127.0.0.1:${webPort}/login`);
        expect(login.status).toBe(200);
        expect(login.body).toContain('name="password"');
        const outside = Object.values(networkInterfaces())
          .flat()
          .find((a) => a && a.family === 'IPv4' && !a.internal);
        if (outside) expect((await get(`https://${outside.address}:${webPort}/login`)).status).toBe(200);
        // HEALTHCHECK CMD ["node", "-e", …] with the image's environment
        const hc = of('HEALTHCHECK').pop()!.getArgumentsContent()!;
        const script = JSON.parse(hc.slice(hc.indexOf('['))) as string[];
        expect(script.slice(0, 2)).toEqual(['node', '-e']);
        const health = spawnSync(process.execPath, script.slice(1), { env: childEnv, timeout: 20_000 });
        expect(health.status).toBe(0);
      } finally {
        child.kill('SIGTERM');
        expect(await exited).toBe(0);
        t.cleanup();
      }
    },
  );
});
