/**
 * `exec` — runs a Nagios-compatible plugin (siteward). The exit status
 * decides (Nagios Plugin API: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN), the
 * first output line is the log line and the summary, performance data
 * becomes metrics. Only programs inside the admin's plugin folders run
 * (./allow.ts).
 */
import { basename, dirname } from 'node:path';
import { z } from 'zod';
import { defineCheck, type Outcome } from '../types.ts';
import { commonCheckOptions } from '../../config/schema.ts';
import { detailLine } from '../shared/errors.ts';
import { isFailing } from '../../engine/state.ts';
import { resolveSecret, SecretSchema } from '../../util/secret.ts';
import { hostAccess } from '../../config/marks.ts';
import { resolveProgram } from './allow.ts';
import { parsePluginOutput, type Breach } from './perfdata.ts';
import { runPlugin, type PluginResult } from './spawn.ts';

const noNul = z.string().regex(/^[^\0]*$/, 'an argument cannot contain a NUL character');

export const ExecOptions = z.looseObject({
  ...commonCheckOptions,
  // what runs and with which environment is the administrator's decision (docs/security.md)
  command: hostAccess(z.array(noNul).min(1, 'give at least the program')).describe(
    'program and arguments, e.g. ["/usr/lib/nagios/plugins/check_load", "-w", "4,3,2", "-c", "8,6,4"]; no shell. The program must be inside a folder of the site\'s "plugins": {"dirs": [...]} (an absolute path, or a bare name looked up there)',
  ),
  timeout: z.number().positive().default(10).describe('seconds; then the plugin and every process it started are killed'),
  env: hostAccess(z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'), SecretSchema))
    .optional()
    .describe(
      'extra environment variables for the plugin (values may be {"env": "NAME"} or {"file": "/path"}); the plugin otherwise gets only PATH, HOME, TZ and LC_ALL=C (a variable such as LD_PRELOAD decides what the plugin loads)',
    ),
});

/** Lines of long output kept in the log, and the longest line kept. */
const MAX_LONG_LINES = 20;
const MAX_LINE = 1000;
const SAFE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const clip = (s: string): string => (s.length > MAX_LINE ? `${s.slice(0, MAX_LINE)}…` : s);

/** Nagios exit status → outcome (Nagios Plugin API "Plugin Return Codes"). */
export function judgeExit(code: number | null): Pick<Outcome, 'fail' | 'softFail' | 'warn'> {
  if (code === 0) return { fail: false, softFail: null };
  // siteward (issue 19): WARNING is the WARN state: passing on the wire to fletchck, announced to notifyWarn actions
  if (code === 1) return { fail: false, softFail: null, warn: true };
  if (code === 2) return { fail: true, softFail: null };
  return { fail: true, softFail: 'unknown' };
}

type Judged = Pick<Outcome, 'fail' | 'softFail' | 'warn'>;

function worse(j: Judged, breach: Breach | null): Judged {
  if (!breach || j.fail) return j;
  if (breach.level === 'crit') return { fail: true, softFail: null };
  return { fail: false, softFail: null, warn: true };
}

export function pluginOutcome(name: string, r: PluginResult): Outcome {
  const parsed = parsePluginOutput(r.stdout.trim() !== '' ? r.stdout : r.stderr);
  const judged = judgeExit(r.code);
  // perfdata thresholds (Nagios range syntax) may make it worse, never better: beyond crit fails, beyond warn warns
  const { fail, softFail, warn } = worse(judged, parsed.breach);
  let summary = parsed.summary;
  if (r.code === null) summary = `${name} killed by ${r.signal ?? 'a signal'}${summary ? `: ${summary}` : ''}`;
  else if (!summary) summary = `${name} exited with status ${r.code} and no output`;
  const log = [clip(summary), ...parsed.longText.slice(0, MAX_LONG_LINES).map(clip)];
  if (parsed.longText.length > MAX_LONG_LINES || r.truncated) log.push('(output truncated)');
  if (parsed.breach && (fail !== judged.fail || warn !== judged.warn)) log.push(clip(parsed.breach.line));
  return { fail, softFail, warn, log, level: null, metrics: parsed.metrics };
}

async function pluginEnv(extra: Record<string, z.output<typeof SecretSchema>> | undefined): Promise<Record<string, string>> {
  // the plugin does not inherit siteward's environment, which may hold secrets
  const env: Record<string, string> = { PATH: SAFE_PATH, LC_ALL: 'C', LANG: 'C' };
  if (process.env.HOME) env.HOME = process.env.HOME;
  if (process.env.TZ) env.TZ = process.env.TZ;
  for (const [k, v] of Object.entries(extra ?? {})) env[k] = await resolveSecret(v);
  return env;
}

export const exec = defineCheck({
  type: 'exec',
  info: {
    summary: 'Runs a Nagios-compatible plugin from an allowed plugin folder.',
    pass: 'exit status 0 (OK); 1 (WARNING) is the WARN state, 2 fails, 3 or anything else fails labelled `unknown`. A perfdata value beyond its warn range (Nagios range syntax) is WARN, beyond its crit range fails, whatever the exit status.',
  },
  options: ExecOptions,
  defaultTimeout: 10,
  validate(o, env) {
    const r = resolveProgram(o.command[0], env.pluginDirs, env.base);
    return r.ok ? [] : [{ path: ['command', 0], message: r.message }];
  },
  summary(view) {
    if (!isFailing(view.state.failState)) return '';
    return view.state.log.find((l) => !/^Retry \d+\/\d+$/.test(l)) ?? '';
  },
  async run(o, ctx) {
    const name = basename(o.command[0]);
    try {
      // checked again at run time: the disk may have changed since the site was loaded
      const p = resolveProgram(o.command[0], ctx.env.pluginDirs, ctx.env.base);
      if (!p.ok) {
        const e = new Error(p.message);
        e.name = 'NotAllowed';
        throw e;
      }
      const r = await runPlugin(p.real, {
        argv0: p.argv0,
        args: o.command.slice(1),
        env: await pluginEnv(o.env),
        cwd: dirname(p.real),
        signal: ctx.signal,
      });
      return pluginOutcome(name, r);
    } catch (e) {
      return { fail: true, log: [detailLine(name, e)], level: null };
    }
  },
});
