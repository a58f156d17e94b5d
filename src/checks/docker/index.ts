/**
 * `docker` — a container's state and health through the Docker Engine API
 * (siteward; Uptime Kuma's "Docker container" monitor). Works with Docker
 * and with Podman's Docker-compatible service, over the engine's unix
 * socket or over TCP (a socket proxy, or TLS). Admin only: the engine's
 * socket is a door into the host.
 *
 * Pass: the container is running and, when its image defines a health check
 * (Dockerfile HEALTHCHECK), it reports healthy.
 */
import { z } from 'zod';
import { defineCheck, type Metric } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { hostnameOption, timeoutOption, tlsOptions } from '../shared/net-options.ts';
import { hostAccess } from '../../config/marks.ts';
import { netRun } from '../shared/netrun.ts';
import { checkExpiry, closeQuietly, connectTcp, connectTls, loadTrust } from '../shared/tls.ts';
import { getJson, ReplyError, type Via } from './engine.ts';

const DEFAULT_TIMEOUT = 5;

export const DockerOptions = z.looseObject({
  ...commonCheckOptions,
  container: z
    .string()
    .min(1)
    .max(256)
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a container name or ID')
    .describe('container name or ID'),
  // a socket the daemon connects to (a door into the host, as a file it reads is): the administrator's (docs/security.md)
  socket: hostAccess(z.string().min(1).max(107))
    .default('/var/run/docker.sock')
    .describe("the engine's unix socket (Podman as root: /run/podman/podman.sock); not used with hostname"),
  hostname: hostnameOption.optional().describe('reach the engine over TCP at this host instead of the socket (e.g. a Docker socket proxy)'),
  port: z.int().min(1).max(65535).optional().describe('TCP port with hostname; absent = 2375, or 2376 with tls'),
  tls: z.boolean().default(false).describe('TLS to hostname (with certificate verification and the expiry window)'),
  timeout: timeoutOption(DEFAULT_TIMEOUT),
  healthy: z
    .boolean()
    .default(true)
    .describe('when the container has a health check, pass only while it reports healthy (starting and unhealthy fail); false: running is enough'),
  ...tlsOptions,
});

type Opts = z.output<typeof DockerOptions>;

/** The part of ContainerInspect's answer the check reads (Docker Engine API, "ContainerState"). */
const Inspect = z.object({
  Name: z.string().optional(),
  Config: z.object({ Image: z.string().optional() }).nullish(),
  RestartCount: z.number().optional(),
  State: z.object({
    Status: z.string(),
    ExitCode: z.number().optional(),
    StartedAt: z.string().optional(),
    FinishedAt: z.string().optional(),
    Error: z.string().optional(),
    Health: z
      .object({
        Status: z.string(),
        FailingStreak: z.number().optional(),
        Log: z.array(z.object({ ExitCode: z.number().optional(), Output: z.string().optional() })).nullish(),
      })
      .nullish(),
  }),
});

type InspectValue = z.output<typeof Inspect>;

/** The container is not in the state the check wants. */
class ContainerError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** What the state reads as in the log and the level: `running`, `exited (1)`. */
function stateText(s: InspectValue['State']): string {
  return s.Status === 'exited' || s.Status === 'dead' ? `${s.Status} (${s.ExitCode ?? '?'})` : s.Status;
}

export interface Verdict {
  /** the log line: state, health, image, restarts */
  line: string;
  level: string;
  metrics: Metric[];
  /** why the run fails, null when it passes */
  problem: ContainerError | null;
}

/** The verdict on an inspect answer. */
export function judge(o: Pick<Opts, 'container' | 'healthy'>, c: InspectValue, nowMs: number): Verdict {
  const s = c.State;
  const health = s.Health?.Status && s.Health.Status !== 'none' ? s.Health.Status : null;
  const metrics: Metric[] = [{ name: 'restart_count', value: c.RestartCount ?? 0, min: 0 }];
  const started = s.StartedAt ? Date.parse(s.StartedAt) : NaN;
  if (s.Status === 'running' && Number.isFinite(started))
    metrics.push({ name: 'uptime', value: Math.max(0, Math.round((nowMs - started) / 1000)), unit: 's', min: 0 });
  const image = c.Config?.Image ? ` (image ${c.Config.Image})` : '';
  const line = `${o.container}: ${stateText(s)}${health ? `, ${health}` : ''}${image}, restarts ${c.RestartCount ?? 0}`;
  let problem: ContainerError | null = null;
  if (s.Status !== 'running') {
    const ended = s.FinishedAt && !s.FinishedAt.startsWith('0001') ? ` at ${s.FinishedAt}` : '';
    const what = s.Status === 'exited' ? `exited with code ${s.ExitCode ?? '?'}${ended}` : `is ${s.Status}${ended}`;
    problem = new ContainerError('NotRunning', `the container ${what}${s.Error ? `: ${s.Error.slice(0, 200)}` : ''}`);
  } else if (o.healthy && health && health !== 'healthy') {
    const last = s.Health?.Log?.at(-1)?.Output?.trim().slice(0, 200);
    const streak = s.Health?.FailingStreak ? `, failing streak ${s.Health.FailingStreak}` : '';
    problem = new ContainerError('Unhealthy', `health check ${health}${streak}${last ? `: ${last}` : ''}`);
  }
  return { line, level: s.Status === 'running' ? (health ?? 'running') : stateText(s), metrics, problem };
}

export const docker = defineCheck({
  type: 'docker',
  info: {
    summary: "A container's state and health through the Docker Engine API (Docker or Podman), on the engine's socket or over TCP.",
    pass: 'the container is running and, when it has a health check, reports healthy (with `healthy` false, running is enough).',
  },
  adminOnly: 'talks to the container engine on this host',
  options: DockerOptions,
  defaultTimeout: DEFAULT_TIMEOUT,
  async run(o, ctx) {
    let verdict: Verdict | null = null;
    const out = await netRun(o.container, async (run) => {
      let via: Via = { socketPath: o.socket, host: 'docker' };
      if (o.hostname !== undefined) {
        const port = o.port ?? (o.tls ? 2376 : 2375);
        if (o.tls) {
          const s = await connectTls({ host: o.hostname, port, trust: await loadTrust(o, ctx.env), signal: ctx.signal, now: ctx.now });
          run.seen(s);
          via = { socket: s.socket, host: o.hostname };
          try {
            checkExpiry(s.days, o.expiryDays);
          } catch (e) {
            closeQuietly(s.socket);
            throw e;
          }
        } else {
          via = { socket: await connectTcp(o.hostname, port, ctx.signal), host: o.hostname };
        }
      }
      try {
        const { body } = await getJson(via, `/containers/${encodeURIComponent(o.container)}/json`, ctx.signal);
        const parsed = Inspect.safeParse(body);
        if (!parsed.success) throw new ReplyError("the engine's answer has no container State");
        const v = judge(o, parsed.data, ctx.now());
        run.log.push(v.line);
        verdict = v;
        if (v.problem) throw v.problem;
        run.pass();
      } finally {
        closeQuietly(via.socket);
      }
    });
    // the container's state is shown (level, metrics) whether it passed or not
    const v = verdict as Verdict | null;
    return v ? { ...out, level: v.level, metrics: [...(out.metrics ?? []), ...v.metrics] } : out;
  },
});
