/**
 * No image can be built here (test/packaging/docker-entrypoint.test.ts runs
 * its entrypoint instead), so the Dockerfile is linted
 * (dockerfile-utils) and checked for what matters: the build-context files
 * it COPYs exist, the runtime stage is node:20-bookworm-slim and runs as a
 * non-root user with the site in a volume and a HEALTHCHECK on /healthz.
 * The systemd unit is checked for its hardening and its paths.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/version.ts';

const read = (f: string): string => readFileSync(join(PROJECT_ROOT, f), 'utf8');

/** Instructions with continuation lines joined and comments dropped. */
function instructions(text: string): { op: string; args: string }[] {
  const joined = text
    .split('\n')
    .filter((l) => !/^\s*#/.test(l))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op.toUpperCase(), args: rest.join(' ') };
    });
}

describe('Dockerfile', () => {
  const ins = instructions(read('Dockerfile'));
  const stages = ins.reduce<{ op: string; args: string }[][]>((acc, i) => {
    if (i.op === 'FROM') acc.push([]);
    acc[acc.length - 1]?.push(i);
    return acc;
  }, []);
  const runtime = stages[stages.length - 1];

  it('passes dockerfile-utils lint', () => {
    const bin = join(PROJECT_ROOT, 'node_modules', '.bin', 'dockerfile-utils');
    const r = spawnSync(bin, ['lint', join(PROJECT_ROOT, 'Dockerfile')], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('');
  });

  it('is multi-stage on node:20-bookworm-slim, building native modules in the build stage only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s[0].args).toMatch(/^node:20-bookworm-slim\b/);
    const buildRuns = stages[0]
      .filter((i) => i.op === 'RUN')
      .map((i) => i.args)
      .join('\n');
    expect(buildRuns).toMatch(/g\+\+/);
    expect(buildRuns).toMatch(/npm (ci|rebuild)/);
    expect(
      runtime
        .filter((i) => i.op === 'RUN')
        .map((i) => i.args)
        .join('\n'),
    ).not.toMatch(/apt-get|g\+\+/);
  });

  it('copies only files that exist in the build context', () => {
    const copies = ins.filter((i) => (i.op === 'COPY' || i.op === 'ADD') && !i.args.includes('--from='));
    expect(copies.length).toBeGreaterThan(0);
    for (const c of copies) {
      const parts = c.args.split(/\s+/).filter((p) => !p.startsWith('--'));
      for (const src of parts.slice(0, -1)) expect(existsSync(join(PROJECT_ROOT, src)), `COPY ${src}`).toBe(true);
    }
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const c of copies) for (const src of c.args.split(/\s+/).slice(0, -1)) expect(ignored).not.toContain(src.replace(/^\.\//, ''));
  });

  it('runs as a non-root user, keeps the site in a volume and checks /healthz', () => {
    const users = runtime.filter((i) => i.op === 'USER').map((i) => i.args);
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0', '0:0']).not.toContain(users[users.length - 1]);
    expect(runtime.find((i) => i.op === 'VOLUME')?.args).toContain('/data');
    expect(runtime.find((i) => i.op === 'CMD')?.args).toContain('--create');
    expect(runtime.find((i) => i.op === 'ENV')?.args).toMatch(/SITEWARD_CONFIG=\/data\/site\.json/);
    const hc = runtime.find((i) => i.op === 'HEALTHCHECK')?.args ?? '';
    expect(hc).toContain('/healthz');
    expect(hc).toContain('SITEWARD_API_PORT');
    expect(runtime.find((i) => i.op === 'ENV')?.args).toMatch(/SITEWARD_API_PORT=8080/);
    // libuv reads it only when node starts: set where the daemon is launched (docs/security.md)
    expect(runtime.find((i) => i.op === 'ENV')?.args).toMatch(/UV_THREADPOOL_SIZE=16/);
    expect(runtime.find((i) => i.op === 'EXPOSE')?.args).toBe('30443 8080');
  });
});

describe('contrib/siteward.service', () => {
  const unit = read('contrib/siteward.service');
  const keys = new Map(
    unit
      .split('\n')
      .filter((l) => /^\w+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );

  it('is hardened', () => {
    expect(keys.get('DynamicUser')).toBe('yes');
    expect(keys.get('StateDirectory')).toBe('siteward');
    expect(keys.get('NoNewPrivileges')).toBe('yes');
    expect(keys.get('ProtectSystem')).toBe('strict');
    expect(keys.get('PrivateTmp')).toBe('yes');
    expect(keys.get('CapabilityBoundingSet')).toBe('');
    expect(keys.get('SystemCallFilter')).toBe('@system-service');
    // V8 needs W+X memory: this would crash node
    expect(keys.get('MemoryDenyWriteExecute')).not.toBe('yes');
  });

  it('runs the built CLI on a site in its state directory, reloads on HUP', () => {
    expect(keys.get('ExecStart')).toBe('/usr/bin/node /opt/siteward/dist/bin/siteward.js --config=/var/lib/siteward/site.json --create');
    expect(keys.get('ExecReload')).toContain('-HUP');
    expect(keys.get('Environment')).toContain('UV_THREADPOOL_SIZE=16');
    expect(existsSync(join(PROJECT_ROOT, 'bin', 'siteward.ts'))).toBe(true);
  });
});
