/**
 * Where the site file is: one rule for every command (`siteward`,
 * `siteward passwd`, `siteward-token`).
 *
 * 1. `--config=FILE`;
 * 2. the environment variable SITEWARD_CONFIG;
 * 3. the first of these that exists: `./site.json`, `./fletchck.conf`
 *    (fletchck's default name, spec §1.2), `./site/site.json` (`npm start`),
 *    `$STATE_DIRECTORY/site.json` or `/var/lib/siteward/site.json` (the
 *    systemd unit), `/data/site.json` (the Docker image);
 * 4. none exists: `./site.json` (where `--init` and `--create` make one).
 *
 * Pure, so tests give it their own folder and environment.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

export interface Located {
  path: string;
  /** how it was chosen, for the line the commands print */
  how: 'flag' | 'env' | 'found' | 'default';
}

export interface LocateInput {
  flag?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  exists?: (path: string) => boolean;
}

/** The places searched in step 3, in order. */
export function searchPlaces(cwd: string, env: NodeJS.ProcessEnv): string[] {
  // systemd sets STATE_DIRECTORY (a colon-separated list) when the unit has StateDirectory=
  const state = env.STATE_DIRECTORY?.split(':')[0];
  const stateDir = state && isAbsolute(state) ? state : '/var/lib/siteward';
  return [join(cwd, 'site.json'), join(cwd, 'fletchck.conf'), join(cwd, 'site', 'site.json'), join(stateDir, 'site.json'), '/data/site.json'];
}

export function locateSite(i: LocateInput = {}): Located {
  const cwd = i.cwd ?? process.cwd();
  const env = i.env ?? process.env;
  const exists = i.exists ?? existsSync;
  if (i.flag !== undefined && i.flag !== '') return { path: resolve(cwd, i.flag), how: 'flag' };
  if (env.SITEWARD_CONFIG) return { path: resolve(cwd, env.SITEWARD_CONFIG), how: 'env' };
  for (const p of searchPlaces(cwd, env)) if (exists(p)) return { path: p, how: 'found' };
  return { path: join(cwd, 'site.json'), how: 'default' };
}

/** The line printed when the site file was not named on the command line. */
export function locatedLine(l: Located): string | null {
  if (l.how === 'flag') return null;
  if (l.how === 'env') return `Site file: ${l.path} (from SITEWARD_CONFIG)`;
  if (l.how === 'found') return `Site file: ${l.path} (found; --config or SITEWARD_CONFIG chooses another)`;
  return null;
}
